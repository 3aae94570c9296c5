package dev.ztchat.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.conscrypt.Conscrypt;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Figure 1 and the version-2 figures, each beside its floor measured in the same run. Version 1:
 * seal + open of one 256-byte message (JMH, one thread) against two RSA-3072 private operations,
 * two public ones and AES-256-GCM over 256 bytes twice in OpenSSL. Version 2: seal + open of the
 * same message on an established session ({@link V2SealOpenBenchmark}) against one ECDSA P-256 sign
 * and verify and AES-256-GCM twice in OpenSSL, and against version 1; a whole session setup ({@link
 * V2CryptoBenchmark#v2SessionSetup}) against the sum of its primitives' floors ({@code openssl
 * speed} for ECDSA P-256 and X25519, the JDK's ML-KEM-768 by JMH, since OpenSSL 3.0 has none), and
 * the JDK's primitives against {@code openssl speed}. The full run also measures each RSA provider
 * alone ({@link RsaProviderBenchmark}).
 */
final class CryptoBench implements Benchmark {
  private static final Map<String, String> PROVIDERS =
      Map.of("jdk", "JDK", "bouncycastle", "Bouncy Castle", "boringssl", "BoringSSL (Conscrypt)");

  @Override
  public String name() {
    return "crypto";
  }

  @Override
  public String description() {
    return "v1 seal+open (RSA-3072, AES-256-GCM), v2 session setup and primitives (ECDSA P-256,"
        + " X25519, ML-KEM-768), JMH, vs the openssl speed floor";
  }

  @Override
  public List<Figure> run(BenchOptions o, BenchPki pki) throws Exception {
    o.say(
        "crypto: JMH %s",
        o.quick() ? "(quick: in-process, 1 s)" : "(1 fork, 3×2 s warm-up, 5×2 s)");
    ChainedOptionsBuilder b =
        new OptionsBuilder()
            .include(SealOpenBenchmark.class.getName() + ".sealOpen")
            .include(V2CryptoBenchmark.class.getName() + ".*")
            .include(V2SealOpenBenchmark.class.getName() + ".v2SealOpen")
            .threads(1)
            .verbosity(o.quick() ? VerboseMode.SILENT : VerboseMode.NORMAL)
            .timeUnit(TimeUnit.SECONDS);
    if (o.quick()) {
      b.forks(0)
          .warmupIterations(1)
          .warmupTime(TimeValue.milliseconds(300))
          .measurementIterations(1)
          .measurementTime(TimeValue.seconds(1));
    } else {
      b.include(RsaProviderBenchmark.class.getName() + ".*");
      b.forks(1)
          .jvmArgsAppend("--enable-native-access=ALL-UNNAMED")
          .warmupIterations(3)
          .warmupTime(TimeValue.seconds(2))
          .measurementIterations(5)
          .measurementTime(TimeValue.seconds(2));
    }
    Map<String, Double> score = scores(new Runner(b.build()).run());
    Optional<OpenSslSpeed> speed =
        o.peers() ? OpenSslSpeed.measure(o, o.pick(10, 1)) : Optional.empty();
    String missing = o.peers() ? "openssl not runnable, peer skipped" : "peers disabled";
    List<Figure> out = new ArrayList<>();
    out.add(v1SealOpen(o, score, speed, missing));
    out.addAll(v2PerMessage(o, score, speed, missing));
    out.addAll(v2(score, speed, missing));
    for (String provider : List.of("jdk", "bouncycastle", "boringssl")) {
      if (score.containsKey("pssSign/" + provider)) {
        out.addAll(rsa(provider, score, speed));
      }
    }
    return out;
  }

  /** JMH scores by method name, with "/provider" for the parameterised RSA benchmark. */
  private static Map<String, Double> scores(Collection<RunResult> results) {
    Map<String, Double> score = new HashMap<>();
    for (RunResult r : results) {
      String label = r.getParams().getBenchmark();
      String provider = r.getParams().getParam("provider");
      score.put(
          label.substring(label.lastIndexOf('.') + 1) + (provider == null ? "" : "/" + provider),
          r.getPrimaryResult().getScore());
    }
    return score;
  }

  private static Figure v1SealOpen(
      BenchOptions o, Map<String, Double> score, Optional<OpenSslSpeed> speed, String missing) {
    double perSecond = score.get("sealOpen");
    double oursMicros = 1e6 / perSecond;
    o.say("  ztchat v1: %.0f seal+open/s (%.0f µs per message)", perSecond, oursMicros);
    String rsa =
        Conscrypt.isAvailable() ? "BoringSSL (Conscrypt)" : "the JDK (Conscrypt unavailable)";
    return new Figure(
        "crypto",
        "seal+open per message, µs",
        oursMicros,
        "OpenSSL floor",
        speed.map(CryptoBench::v1FloorMicros).orElse(Double.NaN),
        false,
        1.25,
        speed
                .map(
                    s ->
                        String.format(
                            Locale.ROOT,
                            "floor: 2 RSA-3072 signs + 2 verifies + 2 × AES-256-GCM over %d B;"
                                + " OpenSSL: RSA-3072 %.0f sign/s, %.0f verify/s, AES-256-GCM"
                                + " %.0f MB/s",
                            Envelopes.MESSAGE_BYTES,
                            s.rsaSigns(),
                            s.rsaVerifies(),
                            s.aesBytes() / 1e6))
                .orElse(missing)
            + "; ztchat's RSA runs on "
            + rsa);
  }

  /** Microseconds per v1 message: 2 private + 2 public RSA operations + 2 × AES-GCM. */
  static double v1FloorMicros(OpenSslSpeed s) {
    return 1e6 * (2 / s.rsaSigns() + 2 / s.rsaVerifies())
        + 2 * s.aesMicros(Envelopes.MESSAGE_BYTES);
  }

  /**
   * Microseconds per v2 message at the floor: one ECDSA P-256 sign (the sender's signature) and one
   * verify (the receiver's check), and AES-256-GCM over the message twice (encrypt, decrypt).
   */
  static double v2MessageFloorMicros(OpenSslSpeed s) {
    return 1e6 * (1 / s.ecdsaSigns() + 1 / s.ecdsaVerifies())
        + 2 * s.aesMicros(Envelopes.MESSAGE_BYTES);
  }

  /** Version 2 per message, beside its floor and beside version 1 of the same run. */
  private static List<Figure> v2PerMessage(
      BenchOptions o, Map<String, Double> score, Optional<OpenSslSpeed> speed, String missing) {
    if (!score.containsKey("v2SealOpen")) {
      return List.of();
    }
    double micros = 1e6 / score.get("v2SealOpen");
    double v1Micros = 1e6 / score.get("sealOpen");
    o.say("  ztchat v2: %.0f seal+open/s (%.0f µs per message)", 1e6 / micros, micros);
    String what =
        "seal + open of a "
            + Envelopes.MESSAGE_BYTES
            + "-byte text on an established session (one message each way first), in-memory"
            + " session stores, every receiver check";
    return List.of(
        new Figure(
            "crypto",
            "v2 seal+open per message, µs",
            micros,
            "OpenSSL floor",
            speed.map(CryptoBench::v2MessageFloorMicros).orElse(Double.NaN),
            false,
            1.25,
            what
                + "; floor: 1 ECDSA P-256 sign + 1 verify + 2 × AES-256-GCM over "
                + Envelopes.MESSAGE_BYTES
                + " B (openssl speed)"
                + speed.map(s -> "").orElse("; " + missing)),
        new Figure(
            "crypto",
            "v2 seal+open per message vs v1, µs",
            micros,
            "v1 seal+open, same run",
            v1Micros,
            false,
            1.0 / 20,
            String.format(
                Locale.ROOT,
                "target: at least 20× faster than v1 (ratio ≤ 0.05×); v2 is %.1f× faster",
                v1Micros / micros)));
  }

  /**
   * Microseconds of a v2 session setup's primitives at their floors: 1 ECDSA P-256 sign (the
   * initiator's) + 3 verifies (the bundle's two prekeys, then the initiator's signature at the
   * responder) + 3 X25519 operations (the ephemeral key's generation, counted as one agreement, and
   * the two agreements) + one ML-KEM-768 encapsulation and one decapsulation (the JDK, by JMH).
   */
  static double v2SetupFloorMicros(OpenSslSpeed s, double encapsPerSecond, double decapsPerSecond) {
    return 1e6
        * (1 / s.ecdsaSigns()
            + 3 / s.ecdsaVerifies()
            + 3 / s.x25519()
            + 1 / encapsPerSecond
            + 1 / decapsPerSecond);
  }

  private static List<Figure> v2(
      Map<String, Double> score, Optional<OpenSslSpeed> speed, String missing) {
    double encaps = score.get("mlKemEncapsulate");
    double decaps = score.get("mlKemDecapsulate");
    double setupMicros = 1e6 / score.get("v2SessionSetup");
    List<Figure> out = new ArrayList<>();
    out.add(
        new Figure(
            "crypto",
            "v2 session setup, µs",
            setupMicros,
            "floor: OpenSSL + JDK ML-KEM",
            speed.map(s -> v2SetupFloorMicros(s, encaps, decaps)).orElse(Double.NaN),
            false,
            Double.NaN,
            "SessionInitiator.start + SessionResponder.accept + commit, both ends on one thread;"
                + " floor: 1 ECDSA P-256 sign + 3 verifies + 3 X25519 (openssl speed) +"
                + " ML-KEM-768 encaps + decaps (the JDK, JMH, rows below)"
                + speed.map(s -> "").orElse("; " + missing)));
    String noMlKem = "OpenSSL 3.0 has no ML-KEM: the JDK's figure is itself the floor";
    out.add(Figure.info("crypto", "ML-KEM-768 encapsulations/s, JDK", encaps, noMlKem));
    out.add(Figure.info("crypto", "ML-KEM-768 decapsulations/s, JDK", decaps, noMlKem));
    out.add(
        primitive(
            "ECDSA P-256 sign/s, JDK",
            score.get("ecdsaP256Sign"),
            "openssl speed ecdsap256 sign",
            speed.map(OpenSslSpeed::ecdsaSigns)));
    out.add(
        primitive(
            "ECDSA P-256 verify/s, JDK",
            score.get("ecdsaP256Verify"),
            "openssl speed ecdsap256 verify",
            speed.map(OpenSslSpeed::ecdsaVerifies)));
    if (score.containsKey("ecdsaP256SignBoringSsl")) {
      out.add(
          primitive(
              "ECDSA P-256 sign/s, BoringSSL (Conscrypt)",
              score.get("ecdsaP256SignBoringSsl"),
              "openssl speed ecdsap256 sign",
              speed.map(OpenSslSpeed::ecdsaSigns)));
      out.add(
          primitive(
              "ECDSA P-256 verify/s, BoringSSL (Conscrypt)",
              score.get("ecdsaP256VerifyBoringSsl"),
              "openssl speed ecdsap256 verify",
              speed.map(OpenSslSpeed::ecdsaVerifies)));
    }
    out.add(
        primitive(
            "X25519 agreements/s, JDK",
            score.get("x25519Agree"),
            "openssl speed ecdhx25519",
            speed.map(OpenSslSpeed::x25519)));
    out.add(
        primitive(
            "AES-256-GCM MB/s at " + Envelopes.MESSAGE_BYTES + " B, JDK",
            score.get("aesGcm") * Envelopes.MESSAGE_BYTES / 1e6,
            "openssl speed -evp aes-256-gcm",
            speed.map(s -> s.aesBytes() / 1e6)));
    return out;
  }

  private static Figure primitive(
      String metric, double ours, String peerName, Optional<Double> peer) {
    return new Figure(
        "crypto", metric, ours, peerName, peer.orElse(Double.NaN), true, Double.NaN, "");
  }

  private static List<Figure> rsa(
      String provider, Map<String, Double> score, Optional<OpenSslSpeed> speed) {
    String label = PROVIDERS.get(provider);
    double signs = speed.map(OpenSslSpeed::rsaSigns).orElse(Double.NaN);
    double verifies = speed.map(OpenSslSpeed::rsaVerifies).orElse(Double.NaN);
    return List.of(
        new Figure(
            "crypto",
            "RSA-3072 PSS sign/s, " + label,
            score.get("pssSign/" + provider),
            "openssl speed sign",
            signs,
            true,
            Double.NaN,
            ""),
        new Figure(
            "crypto",
            "RSA-3072 OAEP unwrap/s, " + label,
            score.get("oaepUnwrap/" + provider),
            "openssl speed sign",
            signs,
            true,
            Double.NaN,
            "one private-key operation, as a sign"),
        new Figure(
            "crypto",
            "RSA-3072 PSS verify/s, " + label,
            score.get("pssVerify/" + provider),
            "openssl speed verify",
            verifies,
            true,
            Double.NaN,
            ""));
  }

  static String exec(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " exited " + p.exitValue());
    }
    return new String(out, StandardCharsets.UTF_8);
  }
}
