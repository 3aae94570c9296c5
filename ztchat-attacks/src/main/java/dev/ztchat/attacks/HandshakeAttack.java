package dev.ztchat.attacks;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.CrlIssuer;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.server.SecurityEvent;
import java.io.IOException;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The attacks on client authentication: a TLS handshake with no client certificate, one from a
 * rogue CA, an expired one, one without EKU clientAuth, or a revoked one. Held when no {@code
 * welcome} ever arrives, while the same attacker with alice's real certificate is let in (the
 * control).
 */
final class HandshakeAttack implements Attack {
  /** Which bad client certificate to present. */
  enum Kind {
    NO_CERT("no-cert", "connect with no client certificate"),
    ROGUE_CA("rogue-ca", "present a certificate for alice from a rogue CA with the real CA's name"),
    EXPIRED("expired", "present alice's certificate, issued by the real CA, expired yesterday"),
    WRONG_EKU(
        "wrong-eku",
        "present a CA-issued certificate for alice with EKU serverAuth, not clientAuth"),
    REVOKED(
        "revoked",
        "present a CA-issued certificate for alice (a lost laptop) after the CA revoked it");

    final String attackName;
    final String tried;

    Kind(String attackName, String tried) {
      this.attackName = attackName;
      this.tried = tried;
    }
  }

  private final Kind kind;

  HandshakeAttack(Kind kind) {
    this.kind = kind;
  }

  @Override
  public String name() {
    return kind.attackName;
  }

  @Override
  public String whatIsTried() {
    return kind.tried;
  }

  @Override
  public String expectedDefence() {
    return "the server refuses the handshake (no welcome) and logs HANDSHAKE_FAILED";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    Credential bad = credential(target);
    try (RawFrameClient control = AttackConnections.welcomed(target, "alice")) {
      control.pingRoundTrip("control");
    }
    long before = target.count(SecurityEvent.HANDSHAKE_FAILED);
    String observed;
    try (RawFrameClient c = AttackConnections.connect(target, bad)) {
      Frame first = c.read(Duration.ofSeconds(5));
      return Verdict.broken(
          "the server accepted the handshake and answered '" + first.type() + "'");
    } catch (IOException e) {
      observed = "handshake refused (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
    }
    if (before >= 0) {
      if (!Polling.eventually(
          Duration.ofSeconds(2), () -> target.count(SecurityEvent.HANDSHAKE_FAILED) > before)) {
        return Verdict.broken(observed + ", but the server logged no HANDSHAKE_FAILED");
      }
      observed += "; the server logged SECURITY event=HANDSHAKE_FAILED";
    }
    return Verdict.held(observed + "; alice's real certificate is let in");
  }

  private Credential credential(AttackTarget target) throws CouldNotRunException {
    Instant now = Instant.now();
    return switch (kind) {
      case NO_CERT -> null;
      case ROGUE_CA -> {
        Credential rogue =
            CertificateIssuer.createRootCa(
                "ztchat root CA", 2048, now.minusSeconds(300), Duration.ofDays(1));
        yield CertificateIssuer.issueLeaf(
            rogue,
            "alice",
            CertificateRole.USER_SIGNING,
            2048,
            now.minusSeconds(300),
            Duration.ofDays(1));
      }
      case EXPIRED ->
          mint(
              target.caCredential(),
              CertificateRole.USER_SIGNING,
              now.minus(Duration.ofDays(30)),
              now.minus(Duration.ofDays(1)));
      case WRONG_EKU ->
          mint(
              target.caCredential(),
              CertificateRole.SERVER,
              now.minusSeconds(300),
              now.plus(Duration.ofDays(1)));
      case REVOKED -> revoked(target, now);
    };
  }

  /**
   * A valid certificate for alice, then revoked in the CA's CRL in the target's certs folder. The
   * relay must notice the new list by itself (it watches the file); only a relay that reads this
   * certs folder can, so against a remote server this attack cannot run.
   */
  private static Credential revoked(AttackTarget target, Instant now) throws CouldNotRunException {
    if (target.count(SecurityEvent.HANDSHAKE_FAILED) < 0) {
      throw new CouldNotRunException(
          "revoking needs the relay to read this certs folder's ca.crl; run it without --server");
    }
    Credential ca = target.caCredential();
    Credential laptop =
        mint(ca, CertificateRole.USER_SIGNING, now.minusSeconds(300), now.plus(Duration.ofDays(1)));
    try {
      var previous = CrlFiles.read(target.certs().crl());
      CrlFiles.write(
          target.certs().crl(),
          CrlIssuer.issue(
              ca,
              previous,
              List.of(
                  new CrlIssuer.Revocation(laptop.certificate(), RevocationReason.KEY_COMPROMISE)),
              now,
              Duration.ofDays(7)));
      Thread.sleep(2500); // the relay re-reads the file within a second
    } catch (IOException e) {
      throw new CouldNotRunException("cannot write the CRL: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CouldNotRunException("interrupted");
    }
    return laptop;
  }

  private static Credential mint(
      Credential ca, CertificateRole role, Instant notBefore, Instant notAfter) {
    KeyPair keys = CertificateIssuer.generateRsaKeyPair(2048);
    return new Credential(
        CertificateIssuer.build(
            new CertificateIssuer.Spec(
                "alice", keys.getPublic(), ca, null, notBefore, notAfter, role, List.of())),
        keys.getPrivate());
  }
}
