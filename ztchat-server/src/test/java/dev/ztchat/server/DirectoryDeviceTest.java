package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertificateRejectedException;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.MutableClock;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Device certificates in the relay's directory: kept apart from v1 signing certificates, never
 * served as one, and looked up as the current device certificates of a user.
 */
class DirectoryDeviceTest {
  static final TestPki PKI = TestPki.create("alice");
  final Instant now = Instant.now();
  final MutableClock clock = MutableClock.at(now);
  final Set<X509Certificate> revoked = new HashSet<>();
  final Directory directory =
      new Directory(
          new CertificateVerifier(PKI.ca().certificate()),
          clock,
          cert -> revoked.contains(cert) ? Optional.of(now) : Optional.empty());

  static X509Certificate device(Instant notBefore, Duration validity) {
    return CertificateIssuer.issueDevice(PKI.ca(), "alice", notBefore, validity, null)
        .certificate();
  }

  @Test
  void deviceCertificate_isNeverServedAsSigningOrEarlierSigning() throws Exception {
    UserIdentity alice = PKI.user("alice");
    X509Certificate device = device(now.minus(Duration.ofMinutes(1)), Duration.ofDays(30));
    directory.learn("alice", alice.signing().certificate(), CertificateRole.USER_SIGNING);
    directory.learn("alice", alice.encryption().certificate(), CertificateRole.USER_ENCRYPTION);

    directory.learn("alice", device, CertificateRole.DEVICE);

    Directory.Entry e = directory.lookup("alice").orElseThrow();
    assertThat(e.signing()).isEqualTo(alice.signing().certificate());
    assertThat(e.earlierSigning()).isEmpty();
    assertThat(directory.currentDeviceCertificates("alice")).containsExactly(device);
  }

  @Test
  void deviceCertificate_offeredAsSigningCertificate_isRefused_andNothingIsStored() {
    X509Certificate device = device(now.minus(Duration.ofMinutes(1)), Duration.ofDays(30));

    assertThatThrownBy(() -> directory.learn("alice", device, CertificateRole.USER_SIGNING))
        .isInstanceOf(CertificateRejectedException.class);
    assertThat(directory.knows("alice")).isFalse();
  }

  @Test
  void signingCertificate_offeredAsDevice_isRefused() {
    assertThatThrownBy(
            () ->
                directory.learn(
                    "alice", PKI.user("alice").signing().certificate(), CertificateRole.DEVICE))
        .isInstanceOf(CertificateRejectedException.class);
    assertThat(directory.currentDeviceCertificates("alice")).isEmpty();
  }

  @Test
  void currentDeviceCertificates_leaveOutRevokedAndExpired_newestFirst() throws Exception {
    X509Certificate old = device(now.minus(Duration.ofDays(3)), Duration.ofDays(30));
    X509Certificate newer = device(now.minus(Duration.ofDays(1)), Duration.ofDays(30));
    X509Certificate gone = device(now.minus(Duration.ofDays(2)), Duration.ofDays(30));
    X509Certificate shortLived = device(now.minus(Duration.ofDays(1)), Duration.ofDays(2));
    for (X509Certificate c : new X509Certificate[] {old, newer, gone, shortLived}) {
      directory.learn("alice", c, CertificateRole.DEVICE);
    }
    revoked.add(gone);

    assertThat(directory.currentDeviceCertificates("alice"))
        .containsExactly(newer, shortLived, old); // same notBefore: the later notAfter first
    clock.advance(Duration.ofDays(2));
    assertThat(directory.currentDeviceCertificates("alice")).containsExactly(newer, old);
    assertThat(directory.currentDeviceCertificates("bob")).isEmpty();
  }
}
