package dev.ztchat.core.session;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.KeyType;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A P-256 test CA that issues P-256 device certificates, for the session tests. */
final class DevicePki {
  static final Instant NOT_BEFORE = Instant.parse("2025-12-01T00:00:00Z");
  private final Credential ca;

  DevicePki() {
    ca =
        CertificateIssuer.createRootCa(
            "ztchat session test CA", KeyType.EC, 256, NOT_BEFORE, Duration.ofDays(3650));
  }

  X509Certificate caCertificate() {
    return ca.certificate();
  }

  DeviceKey device(String name) throws SessionSetupException {
    KeyPair keys = KeyType.EC.generate(256);
    X509Certificate cert =
        CertificateIssuer.build(
            new CertificateIssuer.Spec(
                name,
                keys.getPublic(),
                ca,
                null,
                NOT_BEFORE,
                NOT_BEFORE.plus(Duration.ofDays(365)),
                CertificateRole.USER_SIGNING,
                List.of()));
    return new DeviceKey(keys.getPrivate(), cert);
  }

  /** A certificate for an RSA key: not a v2 device certificate. */
  X509Certificate rsaCertificate(String name) {
    KeyPair keys = CertificateIssuer.generateRsaKeyPair(2048);
    return CertificateIssuer.build(
        new CertificateIssuer.Spec(
            name,
            keys.getPublic(),
            ca,
            null,
            NOT_BEFORE,
            NOT_BEFORE.plus(Duration.ofDays(365)),
            CertificateRole.USER_SIGNING,
            List.of()));
  }
}
