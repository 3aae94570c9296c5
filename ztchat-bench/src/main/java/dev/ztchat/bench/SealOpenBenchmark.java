package dev.ztchat.bench;

import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RecipientKey;
import dev.ztchat.core.envelope.ReplayGuard;
import dev.ztchat.core.envelope.RsaOaepAesGcmOpener;
import dev.ztchat.core.envelope.RsaOaepAesGcmSealer;
import dev.ztchat.core.envelope.SealedEnvelope;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.UserIdentity;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Clock;
import java.util.List;
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
 * JMH micro-benchmark of figure 1: sealing and opening one 256-byte message with the default keys
 * (RSA-3072 signing and encryption keys, AES-256-GCM), one thread, through the product's sealer
 * and opener with every receiver check on. The RSA-PSS sign and verify alone are measured too, to
 * show where the time goes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SealOpenBenchmark {
  private BenchPki pki;
  private RsaOaepAesGcmSealer sealer;
  private RsaOaepAesGcmOpener opener;
  private List<RecipientKey> to;
  private MessageContent message;
  private PrivateKey signingKey;
  private PublicKey verifyKey;
  private byte[] data;
  private byte[] signature;
  private PSSParameterSpec pss;

  /** Makes a PKI (RSA-3072 keys), a sealer for alice and an opener for bob. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    pki = BenchPki.create(3072);
    UserIdentity alice = pki.user("alice");
    UserIdentity bob = pki.user("bob");
    Clock clock = Clock.systemUTC();
    sealer = new RsaOaepAesGcmSealer(alice, clock);
    opener = new RsaOaepAesGcmOpener(bob, new CertificateVerifier(pki.caCertificate()),
        name -> name.equals("alice") ? alice.signing().certificate() : null,
        ReplayGuard.inMemory(AcceptancePolicy.DEFAULT, clock), clock, AcceptancePolicy.DEFAULT);
    to = List.of(RecipientKey.of(bob.encryption().certificate()));
    message = MessageContent.text("x".repeat(Envelopes.MESSAGE_BYTES));
    signingKey = alice.signing().privateKey();
    verifyKey = alice.signing().certificate().getPublicKey();
    pss = new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);
    data = new byte[1024];
    signature = sign();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pki.close();
  }

  /** Seal for one recipient, then open with every check: one message, both ends. */
  @Benchmark
  public OpenedMessage sealOpen() throws Exception {
    SealedEnvelope e = sealer.seal(message, to);
    return opener.open(e);
  }

  /** RSASSA-PSS (SHA-256) sign with the JDK: the private-key operation alone. */
  @Benchmark
  public byte[] pssSign() throws Exception {
    return sign();
  }

  /** RSASSA-PSS (SHA-256) verify with the JDK: the public-key operation alone. */
  @Benchmark
  public boolean pssVerify() throws Exception {
    Signature s = Signature.getInstance("RSASSA-PSS");
    s.setParameter(pss);
    s.initVerify(verifyKey);
    s.update(data);
    return s.verify(signature);
  }

  private byte[] sign() throws Exception {
    Signature s = Signature.getInstance("RSASSA-PSS");
    s.setParameter(pss);
    s.initSign(signingKey);
    s.update(data);
    return s.sign();
  }
}
