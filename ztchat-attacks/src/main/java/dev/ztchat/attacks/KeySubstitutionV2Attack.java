package dev.ztchat.attacks;

import dev.ztchat.client.KeyChangedException;
import dev.ztchat.client.UntrustedContactException;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.KeyType;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.session.PrekeyStore;
import dev.ztchat.core.testkit.MutableClock;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The version-2 variant of {@code key-substitution}: alice has no session with bob yet, and a
 * hostile relay answers her request for bob's prekey bundle with a bundle of its making: a
 * self-signed device certificate, carol's real device, a device certificate from a rogue CA, and
 * bob's real device certificate with prekeys the certificate's key did not sign.
 */
final class KeySubstitutionV2Attack implements Attack {
  private final SecureRandom random = new SecureRandom();

  @Override
  public String name() {
    return "key-substitution";
  }

  @Override
  public String whatIsTried() {
    return "a hostile relay answers alice's request for bob's version-2 prekey bundle with a"
        + " self-signed device certificate, carol's device, a rogue CA's device certificate, or"
        + " bob's real certificate with prekeys it did not sign";
  }

  @Override
  public String expectedDefence() {
    return "alice's client refuses each bundle (CA, name, role, prekey signatures) and sends"
        + " nothing";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    Instant now = Instant.now();
    try (V2Pair pair = V2Pair.start(target, Clock.systemUTC(), MutableClock.followingSystem())) {
      Map<String, Function<String, Frame>> substitutes = substitutes(target, pair.bobDevice, now);
      List<String> results = new ArrayList<>();
      List<String> leaked = new ArrayList<>();
      for (Map.Entry<String, Function<String, Frame>> s : substitutes.entrySet()) {
        pair.relay.answerBundleRequests("bob", s.getValue());
        int before = pair.relay.allSent().size();
        String outcome;
        try {
          pair.alice.send("bob", "secret meant for bob");
          outcome = "SENT";
        } catch (UntrustedContactException e) {
          outcome = "refused";
        } catch (KeyChangedException e) {
          outcome = "key change reported";
        }
        long sentToBob =
            pair.relay.allSent().subList(before, pair.relay.allSent().size()).stream()
                .filter(x -> x.from().equals("alice") && x.prefix().recipients().contains("bob"))
                .count();
        if (sentToBob > 0 || outcome.equals("SENT")) {
          leaked.add(s.getKey());
        }
        results.add(s.getKey() + " -> " + outcome + (sentToBob > 0 ? " (envelope sent)" : ""));
      }
      String observed =
          String.join("; ", results)
              + "; envelopes sent under substitute bundles: "
              + leaked.size();
      return leaked.isEmpty()
          ? Verdict.held(observed)
          : Verdict.broken("sent under " + leaked + "; " + observed);
    }
  }

  /** Label -> the bundle answer the hostile relay gives for a request's ref. */
  private Map<String, Function<String, Frame>> substitutes(
      AttackTarget target, Credential bob, Instant now) throws Exception {
    Instant from = now.minus(Duration.ofMinutes(5));
    Map<String, Function<String, Frame>> m = new LinkedHashMap<>();
    KeyPair self = KeyType.EC.generate(0);
    X509Certificate selfSigned =
        CertificateIssuer.build(
            new CertificateIssuer.Spec(
                "bob",
                self.getPublic(),
                null,
                self,
                from,
                now.plus(Duration.ofDays(1)),
                CertificateRole.DEVICE,
                List.of()));
    m.put("self-signed device certificate", bundle(new DeviceKey(self.getPrivate(), selfSigned)));
    Credential carol = Victims.newDevice(target, "carol");
    m.put(
        "carol's device certificate (CA-issued)",
        bundle(new DeviceKey(carol.privateKey(), carol.certificate())));
    Credential rogueCa =
        CertificateIssuer.createRootCa("ztchat root CA", KeyType.EC, 0, from, Duration.ofDays(1));
    Credential rogue =
        CertificateIssuer.issueDevice(rogueCa, "bob", from, Duration.ofDays(1), null);
    m.put(
        "rogue CA's device certificate for bob",
        bundle(new DeviceKey(rogue.privateKey(), rogue.certificate())));
    Credential other =
        CertificateIssuer.issueDevice(rogueCa, "bob", from, Duration.ofDays(1), null);
    PrekeyStore wrong =
        PrekeyStore.generate(
            new DeviceKey(other.privateKey(), other.certificate()), 1, now, random);
    DeviceKey real = new DeviceKey(bob.privateKey(), bob.certificate());
    byte[] der = bob.certificate().getEncoded();
    String id = HexFormat.of().formatHex(real.certificateHash());
    byte[] signed = wrong.signedPrekey().encode();
    byte[] kem = wrong.oneTimePrekeys().getFirst().encode();
    m.put(
        "bob's real device certificate, prekeys signed by another key",
        ref -> new Frame.PrekeyBundle(ref, "bob", id, der, signed, kem, false));
    return m;
  }

  /** A well-formed bundle of {@code device}, with prekeys it signed itself. */
  private Function<String, Frame> bundle(DeviceKey device) throws Exception {
    PrekeyStore store = PrekeyStore.generate(device, 1, Instant.now(), random);
    byte[] der = device.certificate().getEncoded();
    String id = HexFormat.of().formatHex(device.certificateHash());
    byte[] signed = store.signedPrekey().encode();
    byte[] kem = store.oneTimePrekeys().getFirst().encode();
    return ref -> new Frame.PrekeyBundle(ref, "bob", id, der, signed, kem, false);
  }
}
