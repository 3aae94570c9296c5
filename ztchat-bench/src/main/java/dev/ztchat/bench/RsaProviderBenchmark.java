package dev.ztchat.bench;

import static dev.ztchat.core.crypto.CipherParameters.OAEP_PARAMS;
import static dev.ztchat.core.crypto.CipherParameters.RSA_OAEP;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.conscrypt.Conscrypt;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The alternatives for the envelope's RSA-3072 operations, side by side (issue: "if the JDK's RSA
 * is the gap, measure the alternatives"): the JDK's provider, Bouncy Castle's, and BoringSSL
 * through Conscrypt (the one the product uses when it loads). Same parameters as the envelope: PSS
 * with SHA-256, MGF1-SHA-256, 32-byte salt; OAEP with {@code CipherParameters.OAEP_PARAMS}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RsaProviderBenchmark {
  /** Which provider runs the operations. */
  @Param({"jdk", "bouncycastle", "boringssl"})
  public String provider;

  private static final PSSParameterSpec PSS =
      new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);

  private Provider jca;
  private String pssName;
  private KeyPair keys;
  private PrivateKey privateKey;
  private final byte[] data = new byte[1024];
  private byte[] signature;
  private byte[] wrapped;

  /** One RSA-3072 key pair, in the provider's own key form. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(3072);
    keys = g.generateKeyPair();
    switch (provider) {
      case "jdk" -> {
        jca = null;
        pssName = "RSASSA-PSS";
      }
      case "bouncycastle" -> {
        jca = new BouncyCastleProvider();
        pssName = "SHA256withRSAandMGF1";
      }
      case "boringssl" -> {
        if (!Conscrypt.isAvailable()) {
          throw new IllegalStateException("Conscrypt's native library is not available here");
        }
        jca = Conscrypt.newProvider();
        pssName = "SHA256withRSA/PSS";
      }
      default -> throw new IllegalArgumentException(provider);
    }
    privateKey =
        jca == null
            ? keys.getPrivate()
            : (PrivateKey) KeyFactory.getInstance("RSA", jca).translateKey(keys.getPrivate());
    signature = pssSign();
    Cipher c = cipher();
    c.init(Cipher.ENCRYPT_MODE, keys.getPublic(), OAEP_PARAMS);
    wrapped = c.doFinal(new byte[32]);
    if (!pssVerify() || oaepUnwrap().length != 32) {
      throw new IllegalStateException(provider + " does not round-trip");
    }
  }

  /** RSASSA-PSS sign: one private-key operation. */
  @Benchmark
  public byte[] pssSign() throws Exception {
    Signature s = signature();
    s.setParameter(PSS);
    s.initSign(privateKey);
    s.update(data);
    return s.sign();
  }

  /** RSASSA-PSS verify: one public-key operation. */
  @Benchmark
  public boolean pssVerify() throws Exception {
    Signature s = signature();
    s.setParameter(PSS);
    s.initVerify(keys.getPublic());
    s.update(data);
    return s.verify(signature);
  }

  /** RSA-OAEP unwrap of a 32-byte key: one private-key operation. */
  @Benchmark
  public byte[] oaepUnwrap() throws Exception {
    Cipher c = cipher();
    c.init(Cipher.DECRYPT_MODE, privateKey, OAEP_PARAMS);
    return c.doFinal(wrapped);
  }

  private Signature signature() throws Exception {
    return jca == null ? Signature.getInstance(pssName) : Signature.getInstance(pssName, jca);
  }

  private Cipher cipher() throws Exception {
    return jca == null ? Cipher.getInstance(RSA_OAEP) : Cipher.getInstance(RSA_OAEP, jca);
  }
}
