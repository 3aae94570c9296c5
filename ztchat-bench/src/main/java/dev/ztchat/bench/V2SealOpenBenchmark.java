package dev.ztchat.bench;

import dev.ztchat.core.conversation.InMemorySessionStore;
import dev.ztchat.core.conversation.RecipientDevice;
import dev.ztchat.core.conversation.V2Device;
import dev.ztchat.core.conversation.V2MessageOpener;
import dev.ztchat.core.conversation.V2MessageSealer;
import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.PeerVersions;
import dev.ztchat.core.envelope.ReplayGuard;
import dev.ztchat.core.envelope.SenderRevocations;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.session.PrekeyBundle;
import dev.ztchat.core.session.PrekeyStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH micro-benchmark of the version-2 per-message cost: sealing one 256-byte text on an
 * established session and opening it with every receiver check on, one thread, through the
 * product's {@link V2MessageSealer} and {@link V2MessageOpener} with in-memory session stores. Two
 * devices (ECDSA P-256 certificates from the bench's RSA-3072 root CA, as {@code pki init} makes)
 * first exchange one message each way, so the measured messages neither set up a session nor turn
 * the Diffie-Hellman ratchet: what is left is the signature, the symmetric ratchet and the AEAD.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class V2SealOpenBenchmark {
  private final SecureRandom random = new SecureRandom();
  private final Clock clock = Clock.systemUTC();
  private BenchPki pki;
  private Party alice;
  private Party bob;
  private MessageContent message;

  /** The pieces of one device: its key, prekeys, store, sealer and opener. */
  private final class Party {
    final DeviceKey key;
    final PrekeyStore prekeys;
    final V2Device device;
    final V2MessageSealer sealer;
    final V2MessageOpener opener;
    final RecipientDevice address;

    Party(String name, CertificateVerifier verifier) throws Exception {
      Credential c = pki.device(name);
      key = new DeviceKey(c.privateKey(), c.certificate());
      prekeys = PrekeyStore.generate(key, 1, clock.instant(), random);
      InMemorySessionStore store = new InMemorySessionStore();
      store.savePrekeys(prekeys.toBytes());
      device = new V2Device(name, key, prekeys, store);
      sealer = new V2MessageSealer(device, clock, random, ProtocolLimits.DEFAULT_MAX_FRAME);
      opener =
          new V2MessageOpener(
              device,
              verifier,
              ReplayGuard.inMemory(AcceptancePolicy.DEFAULT, clock),
              clock,
              AcceptancePolicy.DEFAULT,
              SenderRevocations.NONE,
              new Versions(),
              random);
      address = new RecipientDevice(name, key.certificateHash());
    }

    PrekeyBundle bundle() {
      return PrekeyBundle.of(
          key.certificate(), prekeys.signedPrekey(), prekeys.oneTimePrekeys().get(0));
    }
  }

  /** Which version each peer has proved, in memory. */
  private static final class Versions implements PeerVersions {
    private final ConcurrentHashMap<String, Integer> lowest = new ConcurrentHashMap<>();

    @Override
    public int lowestVersion(String peer) {
      return lowest.getOrDefault(peer, 1);
    }

    @Override
    public void proved(String peer, int version) {
      lowest.merge(peer, version, Math::max);
    }
  }

  /** Two devices with a session set up and one message opened each way. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    pki = BenchPki.create(3072);
    CertificateVerifier verifier = new CertificateVerifier(pki.caCertificate());
    alice = new Party("alice", verifier);
    bob = new Party("bob", verifier);
    message = MessageContent.text("x".repeat(Envelopes.MESSAGE_BYTES));
    bob.opener.open(
        alice.sealer.seal(message, List.of(bob.address), List.of(bob.bundle())).encode());
    alice.opener.open(bob.sealer.seal(message, List.of(alice.address), List.of()).encode());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pki.close();
  }

  /** Seal on the established session, encode, then open with every check: one message. */
  @Benchmark
  public OpenedMessage v2SealOpen() throws Exception {
    return bob.opener.open(alice.sealer.seal(message, List.of(bob.address), List.of()).encode());
  }
}
