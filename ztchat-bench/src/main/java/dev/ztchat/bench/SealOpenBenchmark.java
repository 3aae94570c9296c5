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
 * (RSA-3072 signing and encryption keys, AES-256-GCM), one thread, through the product's sealer and
 * opener with every receiver check on. {@link RsaProviderBenchmark} measures the RSA operations
 * alone, per provider, to show where the time goes.
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

  /** Makes a PKI (RSA-3072 keys), a sealer for alice and an opener for bob. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    pki = BenchPki.create(3072);
    UserIdentity alice = pki.user("alice");
    UserIdentity bob = pki.user("bob");
    Clock clock = Clock.systemUTC();
    sealer = new RsaOaepAesGcmSealer(alice, clock);
    opener =
        new RsaOaepAesGcmOpener(
            bob,
            new CertificateVerifier(pki.caCertificate()),
            name -> name.equals("alice") ? alice.signing().certificate() : null,
            ReplayGuard.inMemory(AcceptancePolicy.DEFAULT, clock),
            clock,
            AcceptancePolicy.DEFAULT);
    to = List.of(RecipientKey.of(bob.encryption().certificate()));
    message = MessageContent.text("x".repeat(Envelopes.MESSAGE_BYTES));
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
}
