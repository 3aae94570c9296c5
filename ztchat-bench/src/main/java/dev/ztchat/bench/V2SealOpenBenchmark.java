package dev.ztchat.bench;

import dev.ztchat.core.conversation.InMemorySessionStore;
import dev.ztchat.core.conversation.RecipientDevice;
import dev.ztchat.core.conversation.V2Device;
import dev.ztchat.core.conversation.V2MessageOpener;
import dev.ztchat.core.conversation.V2MessageSealer;
import dev.ztchat.core.crypto.BoringSslProvider;
import dev.ztchat.core.crypto.CipherParameters;
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
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
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
 *
 * <p>{@link #v2MessageFloor} measures, in the same run, what such a message cannot do without: one
 * SHA256withECDSA P-256 signature and one verification with alice's device key (on BoringSSL when
 * it loads, as the product signs; the JDK otherwise) and AES-256-GCM over the text twice, with the
 * engines made once. Its time is the JMH floor that the per-message target (at most 1.25x) is read
 * against; the full run's floor is {@code openssl speed}'s (CryptoBench).
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
  private Signature floorSign;
  private Signature floorVerify;
  private PrivateKey floorPrivate;
  private PublicKey floorPublic;
  private Cipher floorCipher;
  private SecretKeySpec floorKey;
  private final byte[] floorText = new byte[Envelopes.MESSAGE_BYTES];
  private final byte[] floorSigned = new byte[32];
  private final byte[] floorNonce = new byte[CipherParameters.GCM_NONCE_BYTES];

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
    setUpFloor();
  }

  /** The floor's engines and keys: alice's device key, on the provider the product signs with. */
  private void setUpFloor() throws Exception {
    Credential c = pki.device("alice");
    floorPrivate = c.privateKey();
    floorPublic = c.certificate().getPublicKey();
    Provider boringSsl = BoringSslProvider.get().orElse(null);
    if (boringSsl != null) {
      KeyFactory f = KeyFactory.getInstance("EC", boringSsl);
      floorPrivate = (PrivateKey) f.translateKey(floorPrivate);
      floorPublic = (PublicKey) f.translateKey(floorPublic);
      floorSign = Signature.getInstance("SHA256withECDSA", boringSsl);
      floorVerify = Signature.getInstance("SHA256withECDSA", boringSsl);
    } else {
      floorSign = Signature.getInstance("SHA256withECDSA");
      floorVerify = Signature.getInstance("SHA256withECDSA");
    }
    floorCipher = Cipher.getInstance(CipherParameters.AES_GCM);
    floorKey = new SecretKeySpec(new byte[CipherParameters.AES_KEY_BYTES], "AES");
    random.nextBytes(floorText);
    random.nextBytes(floorSigned);
    if (!v2MessageFloor()) {
      throw new IllegalStateException("the floor's signature does not verify");
    }
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

  /**
   * The floor of one message: one ECDSA P-256 sign and one verify over 32 bytes, AES-256-GCM
   * encryption and decryption of the text (a fresh nonce each time).
   */
  @Benchmark
  public boolean v2MessageFloor() throws Exception {
    floorSign.initSign(floorPrivate, random);
    floorSign.update(floorSigned);
    byte[] signature = floorSign.sign();
    floorVerify.initVerify(floorPublic);
    floorVerify.update(floorSigned);
    boolean ok = floorVerify.verify(signature);
    floorNonce[0]++;
    if (floorNonce[0] == 0) {
      floorNonce[1]++;
    }
    GCMParameterSpec spec = new GCMParameterSpec(CipherParameters.GCM_TAG_BITS, floorNonce);
    floorCipher.init(Cipher.ENCRYPT_MODE, floorKey, spec);
    byte[] sealed = floorCipher.doFinal(floorText);
    floorCipher.init(Cipher.DECRYPT_MODE, floorKey, spec);
    return ok && floorCipher.doFinal(sealed).length == floorText.length;
  }
}
