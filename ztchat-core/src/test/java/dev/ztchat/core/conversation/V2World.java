package dev.ztchat.core.conversation;

import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.PeerVersions;
import dev.ztchat.core.envelope.ReplayGuard;
import dev.ztchat.core.envelope.SenderRevocations;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.session.PrekeyBundle;
import dev.ztchat.core.session.PrekeyStore;
import dev.ztchat.core.session.SessionSetupException;
import dev.ztchat.core.session.SignedPrekey;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.MutableClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A test world for version-2 messages: a fresh test CA, a clock, and devices (real ECDSA P-256
 * certificates, real prekeys, in-memory session stores) that seal to and open from each other.
 */
final class V2World {
  static final int MAX_FRAME = 16384;

  final TestPki pki = TestPki.create();
  final CertificateVerifier verifier = new CertificateVerifier(pki.ca().certificate());
  final MutableClock clock = MutableClock.atRealNow();
  final SecureRandom random = new SecureRandom();

  /** A new device of {@code name} with a certificate from this world's CA and 5 one-time keys. */
  Party device(String name) {
    return device(
        name,
        CertificateIssuer.issueDevice(
            pki.ca(), name, Instant.now().minus(Duration.ofMinutes(5)), Duration.ofDays(30), null));
  }

  Party device(String name, Credential credential) {
    try {
      DeviceKey key = new DeviceKey(credential.privateKey(), credential.certificate());
      PrekeyStore prekeys = PrekeyStore.generate(key, 5, clock.instant(), random);
      InMemorySessionStore store = new InMemorySessionStore();
      store.savePrekeys(prekeys.toBytes());
      return new Party(name, key, prekeys, store);
    } catch (SessionSetupException e) {
      throw new AssertionError(e);
    }
  }

  /** A peer-versions record in memory. */
  static final class Versions implements PeerVersions {
    final Map<String, Integer> lowest = new HashMap<>();

    @Override
    public synchronized int lowestVersion(String peer) {
      return lowest.getOrDefault(peer, 1);
    }

    @Override
    public synchronized void proved(String peer, int version) {
      lowest.merge(peer, version, Math::max);
    }
  }

  final class Party {
    final String name;
    final DeviceKey key;
    final PrekeyStore prekeys;
    final InMemorySessionStore store;
    final V2Device device;
    final V2MessageSealer sealer;
    final Versions versions = new Versions();
    SenderRevocations revocations = SenderRevocations.NONE;
    ReplayGuard guard = ReplayGuard.inMemory(AcceptancePolicy.DEFAULT, clock);
    V2MessageOpener opener;
    final List<PrekeyBundle> bundlesHandedOut = new ArrayList<>();

    Party(String name, DeviceKey key, PrekeyStore prekeys, InMemorySessionStore store) {
      this.name = name;
      this.key = key;
      this.prekeys = prekeys;
      this.store = store;
      this.device = new V2Device(name, key, prekeys, store);
      this.sealer = new V2MessageSealer(device, clock, random, MAX_FRAME);
      this.opener = newOpener();
    }

    V2MessageOpener newOpener() {
      return new V2MessageOpener(
          device,
          verifier,
          guard,
          clock,
          AcceptancePolicy.DEFAULT,
          (cert, at) -> revocations.refusal(cert, at),
          versions,
          random);
    }

    RecipientDevice address() {
      return new RecipientDevice(name, key.certificateHash());
    }

    /** The bundle the relay would hand out now: a one-time prekey while any is left. */
    PrekeyBundle bundle() {
      List<SignedPrekey> oneTime = prekeys.oneTimePrekeys();
      List<SignedPrekey> handed = bundlesHandedOut.stream().map(PrekeyBundle::kemPrekey).toList();
      SignedPrekey kem =
          oneTime.stream()
              .filter(k -> !handed.contains(k))
              .findFirst()
              .orElse(prekeys.lastResortPrekey());
      PrekeyBundle b = PrekeyBundle.of(key.certificate(), prekeys.signedPrekey(), kem);
      bundlesHandedOut.add(b);
      return b;
    }

    /**
     * Seals {@code content} to the given devices, fetching bundles only for those that need one.
     */
    V2Envelope send(MessageContent content, Party... to) throws Exception {
      List<RecipientDevice> devices = Arrays.stream(to).map(Party::address).toList();
      List<PrekeyBundle> bundles = new ArrayList<>();
      for (RecipientDevice d : sealer.devicesNeedingBundles(devices)) {
        for (Party p : to) {
          if (p.address().equals(d)) {
            bundles.add(p.bundle());
          }
        }
      }
      return sealer.seal(content, devices, bundles);
    }

    V2Envelope send(String text, Party... to) throws Exception {
      return send(MessageContent.text(text), to);
    }

    OpenedMessage open(V2Envelope envelope) throws Exception {
      return opener.open(envelope.encode());
    }
  }
}
