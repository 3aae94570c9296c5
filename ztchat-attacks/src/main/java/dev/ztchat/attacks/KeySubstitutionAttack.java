package dev.ztchat.attacks;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.KeyChangedException;
import dev.ztchat.client.UntrustedContactException;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testkit.HostileRelay;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code key-substitution}: after alice pinned bob's real keys, a hostile relay answers her
 * directory requests for bob with substitute certificates. Held when alice's client refuses each
 * one (or reports a key change) and no envelope reaches the relay after the refusal.
 */
final class KeySubstitutionAttack implements Attack {
  private static final int BITS = 2048;

  @Override
  public String name() {
    return "key-substitution";
  }

  @Override
  public String whatIsTried() {
    return "a hostile relay gives alice substitute certificates for bob: self-signed, rogue CA,"
        + " another user's, expired, roles swapped, a new CA-issued key";
  }

  @Override
  public String expectedDefence() {
    return "alice's client refuses them (CA, name, validity, role checks) or reports a key change,"
        + " and sends nothing";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    Map<String, X509Certificate[]> substitutes = substitutes(target);
    try (HostileRelay relay = HostileRelays.start(target);
        ChatClient alice =
            Victims.connect(
                target,
                "alice",
                "localhost",
                relay.port(),
                target.newStateDir("alice"),
                Clock.systemUTC(),
                new VictimScreen())) {
      alice.send("bob", "first message: pins bob's real keys");
      HostileRelays.nextCaptured(relay, Duration.ofSeconds(5));
      List<String> results = new ArrayList<>();
      List<String> leaked = new ArrayList<>();
      for (Map.Entry<String, X509Certificate[]> s : substitutes.entrySet()) {
        relay.substituteDirectory(
            "bob", PemFiles.toPem(s.getValue()[0]), PemFiles.toPem(s.getValue()[1]));
        int before = relay.sendCount();
        String outcome;
        try {
          alice.send("bob", "secret meant for bob");
          outcome = "SENT";
        } catch (UntrustedContactException e) {
          outcome = "refused";
        } catch (KeyChangedException e) {
          outcome =
              "key change reported (" + e.pinnedFingerprint() + " -> " + e.newFingerprint() + ")";
        }
        if (relay.sendCount() != before || outcome.equals("SENT")) {
          leaked.add(s.getKey());
        }
        results.add(s.getKey() + " -> " + outcome);
      }
      String observed =
          String.join("; ", results) + "; envelopes sent to substitutes: " + leaked.size();
      return leaked.isEmpty()
          ? Verdict.held(observed)
          : Verdict.broken("sent to " + leaked + "; " + observed);
    }
  }

  /** Label → {signing, encryption} certificates served as bob's. */
  private static Map<String, X509Certificate[]> substitutes(AttackTarget target)
      throws CouldNotRunException {
    Instant now = Instant.now();
    Map<String, X509Certificate[]> m = new LinkedHashMap<>();
    m.put(
        "self-signed",
        new X509Certificate[] {
          selfSigned(CertificateRole.USER_SIGNING, now),
          selfSigned(CertificateRole.USER_ENCRYPTION, now)
        });
    Credential rogue =
        CertificateIssuer.createRootCa(
            "ztchat root CA", BITS, now.minusSeconds(300), Duration.ofDays(1));
    UserIdentity rogueBob =
        CertificateIssuer.issueUser(rogue, "bob", BITS, now.minusSeconds(300), Duration.ofDays(1));
    m.put("rogue CA", pair(rogueBob));
    m.put("carol's certificates", pair(target.user("carol")));
    Credential ca = target.caCredential();
    m.put(
        "expired",
        new X509Certificate[] {
          mint(
              ca,
              CertificateRole.USER_SIGNING,
              now.minus(Duration.ofDays(30)),
              now.minus(Duration.ofDays(1))),
          mint(
              ca,
              CertificateRole.USER_ENCRYPTION,
              now.minus(Duration.ofDays(30)),
              now.minus(Duration.ofDays(1)))
        });
    UserIdentity bob = target.user("bob");
    m.put(
        "roles swapped",
        new X509Certificate[] {bob.encryption().certificate(), bob.signing().certificate()});
    m.put(
        "new CA-issued key",
        pair(
            CertificateIssuer.issueUser(
                ca, "bob", BITS, now.minusSeconds(300), Duration.ofDays(1))));
    return m;
  }

  private static X509Certificate[] pair(UserIdentity id) {
    return new X509Certificate[] {id.signing().certificate(), id.encryption().certificate()};
  }

  private static X509Certificate selfSigned(CertificateRole role, Instant now) {
    KeyPair keys = CertificateIssuer.generateRsaKeyPair(BITS);
    return CertificateIssuer.build(
        new CertificateIssuer.Spec(
            "bob",
            keys.getPublic(),
            null,
            keys,
            now.minusSeconds(300),
            now.plus(Duration.ofDays(1)),
            role,
            List.of()));
  }

  private static X509Certificate mint(
      Credential ca, CertificateRole role, Instant notBefore, Instant notAfter) {
    KeyPair keys = CertificateIssuer.generateRsaKeyPair(BITS);
    return CertificateIssuer.build(
        new CertificateIssuer.Spec(
            "bob", keys.getPublic(), ca, null, notBefore, notAfter, role, List.of()));
  }
}
