package dev.ztchat.bench;

import dev.ztchat.core.crypto.BoringSslProvider;
import dev.ztchat.core.crypto.CipherParameters;
import dev.ztchat.core.crypto.MlKem768;
import dev.ztchat.core.crypto.X25519;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.KeyType;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.session.InitiatorStart;
import dev.ztchat.core.session.PrekeyBundle;
import dev.ztchat.core.session.PrekeyStore;
import dev.ztchat.core.session.SessionInitiator;
import dev.ztchat.core.session.SessionResponder;
import dev.ztchat.core.session.SessionSetupException;
import dev.ztchat.core.session.SignedPrekey;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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

/**
 * JMH micro-benchmarks of the version-2 primitives and of the v2 session setup, one thread: the
 * JDK's ML-KEM-768 (through {@link MlKem768}; OpenSSL 3.0 has none, so these are the ML-KEM floor),
 * the JDK's ECDSA P-256, X25519 and AES-256-GCM (set beside {@code openssl speed}), and a whole
 * setup: {@link SessionInitiator#start} on a fresh bundle, {@link SessionResponder#accept} and its
 * commit, between two P-256 device keys issued by a throw-away CA, as {@code TestPki.device} does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class V2CryptoBenchmark {
  private final SecureRandom random = new SecureRandom();
  private final byte[] data = new byte[32];
  private final byte[] message = new byte[Envelopes.MESSAGE_BYTES];
  private final byte[] nonce = new byte[CipherParameters.GCM_NONCE_BYTES];

  private Credential aliceCredential;

  private byte[] encapsulationKey;
  private PrivateKey decapsulationKey;
  private byte[] kemCiphertext;

  private byte[] ecdsaSignature;
  private PrivateKey boringSslPrivateKey;
  private PublicKey boringSslPublicKey;
  private X25519.KeyPair x25519;
  private byte[] x25519Peer;
  private SecretKeySpec aesKey;

  /** One of each primitive's keys. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    aliceCredential = devices(2).get(0);
    KeyPair kem = MlKem768.generate(random);
    encapsulationKey = MlKem768.rawPublicKey(kem.getPublic());
    decapsulationKey = kem.getPrivate();
    kemCiphertext = MlKem768.encapsulate(encapsulationKey, random).ciphertext();

    ecdsaSignature = ecdsaP256Sign();
    if (!ecdsaP256Verify()) {
      throw new IllegalStateException("ECDSA P-256 does not round-trip");
    }
    BoringSslProvider.get()
        .ifPresent(
            p -> {
              try {
                KeyFactory f = KeyFactory.getInstance("EC", p);
                boringSslPrivateKey = (PrivateKey) f.translateKey(aliceCredential.privateKey());
                boringSslPublicKey =
                    (PublicKey) f.translateKey(aliceCredential.certificate().getPublicKey());
              } catch (GeneralSecurityException e) {
                throw new IllegalStateException("BoringSSL cannot take a P-256 key", e);
              }
            });
    x25519 = X25519.generate(random);
    x25519Peer = X25519.generate(random).publicKey();
    aesKey = new SecretKeySpec(new byte[CipherParameters.AES_KEY_BYTES], "AES");
    random.nextBytes(message);
  }

  /** {@code n} device certificates (ECDSA P-256) issued by a fresh throw-away CA. */
  static List<Credential> devices(int n) {
    Instant notBefore = Instant.now().minus(Duration.ofMinutes(5));
    Credential ca =
        CertificateIssuer.createRootCa(
            "ztchat bench v2 CA", KeyType.EC, 256, notBefore, Duration.ofDays(1));
    List<Credential> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(CertificateIssuer.issueDevice(ca, "device" + i, notBefore, Duration.ofDays(1), null));
    }
    return out;
  }

  /**
   * The session setup's own state: two devices and the responder's prekeys. Before each setup (not
   * timed) the responder's bundle with its next one-time prekey, as the relay hands it out, and new
   * one-time prekeys when the run has used them all: every measured setup uses and deletes one, as
   * a real first message does.
   */
  @State(Scope.Benchmark)
  public static class Devices {
    private static final int BATCH = 100;
    private final SecureRandom random = new SecureRandom();
    private DeviceKey alice;
    private DeviceKey bob;
    private PrekeyStore bobStore;
    private PrekeyBundle bundle;

    /** Two devices, the responder's prekeys. */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
      List<Credential> d = devices(2);
      alice = new DeviceKey(d.get(0).privateKey(), d.get(0).certificate());
      bob = new DeviceKey(d.get(1).privateKey(), d.get(1).certificate());
      bobStore = PrekeyStore.generate(bob, BATCH, Instant.now(), random);
    }

    /** The next bundle. */
    @Setup(Level.Invocation)
    public void nextBundle() {
      List<SignedPrekey> left = bobStore.oneTimePrekeys();
      if (left.isEmpty()) {
        left = bobStore.addOneTimePrekeys(bob, BATCH, random);
      }
      bundle = PrekeyBundle.of(bob.certificate(), bobStore.signedPrekey(), left.get(0));
    }
  }

  /** ML-KEM-768 encapsulation to a raw 1184-byte key (parsing the key included, as in setup). */
  @Benchmark
  public MlKem768.Encapsulated mlKemEncapsulate() throws Exception {
    return MlKem768.encapsulate(encapsulationKey, random);
  }

  /** ML-KEM-768 decapsulation of a 1088-byte ciphertext. */
  @Benchmark
  public byte[] mlKemDecapsulate() throws Exception {
    return MlKem768.decapsulate(decapsulationKey, kemCiphertext);
  }

  /** One SHA256withECDSA signature over 32 bytes, P-256, the JDK. */
  @Benchmark
  public byte[] ecdsaP256Sign() throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(aliceCredential.privateKey(), random);
    s.update(data);
    return s.sign();
  }

  /** One SHA256withECDSA verification over 32 bytes, P-256, the JDK. */
  @Benchmark
  public boolean ecdsaP256Verify() throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initVerify(aliceCredential.certificate().getPublicKey());
    s.update(data);
    return s.verify(ecdsaSignature);
  }

  /**
   * As {@link #ecdsaP256Sign}, on BoringSSL (Conscrypt), which the product uses for device keys
   * when it loads, with the key converted to BoringSSL's form once, as the product does.
   */
  @Benchmark
  public byte[] ecdsaP256SignBoringSsl() throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSA", boringSsl());
    s.initSign(boringSslPrivateKey, random);
    s.update(data);
    return s.sign();
  }

  /** As {@link #ecdsaP256Verify}, on BoringSSL (Conscrypt), the key converted once. */
  @Benchmark
  public boolean ecdsaP256VerifyBoringSsl() throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSA", boringSsl());
    s.initVerify(boringSslPublicKey);
    s.update(data);
    return s.verify(ecdsaSignature);
  }

  private static Provider boringSsl() {
    return BoringSslProvider.get()
        .orElseThrow(() -> new IllegalStateException("BoringSSL (Conscrypt) is not available"));
  }

  /** One X25519 agreement with a raw 32-byte public key, the JDK. */
  @Benchmark
  public byte[] x25519Agree() throws Exception {
    return X25519.agree(x25519.privateKey(), x25519Peer);
  }

  /** AES-256-GCM encryption of one message-sized input, the JDK (a fresh nonce each time). */
  @Benchmark
  public byte[] aesGcm() throws Exception {
    nonce[0]++;
    if (nonce[0] == 0) {
      nonce[1]++;
    }
    Cipher c = Cipher.getInstance(CipherParameters.AES_GCM);
    c.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(CipherParameters.GCM_TAG_BITS, nonce));
    return c.doFinal(message);
  }

  /**
   * A whole v2 session setup between two devices: alice starts from bob's bundle (checking its two
   * prekey signatures, X25519 with a fresh ephemeral key, ML-KEM-768 encapsulation, her signature),
   * bob accepts (her signature, X25519, decapsulation) and commits, which deletes the one-time
   * prekey.
   */
  @Benchmark
  public byte[] v2SessionSetup(Devices d) throws SessionSetupException {
    InitiatorStart started = SessionInitiator.start(d.alice, d.bundle, random);
    SessionResponder.Accepted accepted =
        SessionResponder.accept(d.bobStore, d.bob, d.alice.certificate(), started.header());
    accepted.commit();
    byte[] ad = accepted.start().ad();
    started.destroy();
    accepted.start().destroy();
    return ad;
  }
}
