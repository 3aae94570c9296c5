package dev.ztchat.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.conscrypt.Conscrypt;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Figure 1: seal + open of one 256-byte message per second on one thread (JMH), against the floor
 * of the same primitives in OpenSSL: two RSA-3072 private operations (the PSS signature and the
 * OAEP unwrap), two public ones (verify and wrap), and AES-256-GCM over 256 bytes twice. The full
 * run also measures each RSA provider alone ({@link RsaProviderBenchmark}).
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
    return "seal+open of a 256-byte message (RSA-3072, AES-256-GCM), JMH, vs the OpenSSL floor";
  }

  @Override
  public List<Figure> run(BenchOptions o, BenchPki pki) throws Exception {
    o.say(
        "crypto: JMH %s",
        o.quick() ? "(quick: in-process, 1 s)" : "(1 fork, 3×2 s warm-up, 5×2 s)");
    ChainedOptionsBuilder b =
        new OptionsBuilder()
            .include(SealOpenBenchmark.class.getName() + ".sealOpen")
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
    Collection<RunResult> results = new Runner(b.build()).run();
    Map<String, Double> score = new HashMap<>();
    for (RunResult r : results) {
      String label = r.getParams().getBenchmark();
      String provider = r.getParams().getParam("provider");
      score.put(
          label.substring(label.lastIndexOf('.') + 1) + (provider == null ? "" : "/" + provider),
          r.getPrimaryResult().getScore());
    }
    double perSecond = score.get("sealOpen");
    double oursMicros = 1e6 / perSecond;
    o.say("  ztchat: %.0f seal+open/s (%.0f µs per message)", perSecond, oursMicros);
    List<Figure> out = new ArrayList<>();
    Floor floor = o.peers() ? openSslFloor(o) : null;
    String note =
        floor == null
            ? (o.peers() ? "openssl not runnable, peer skipped" : "peers disabled")
            : String.format(
                Locale.ROOT,
                "OpenSSL: RSA-3072 %.0f sign/s, %.0f verify/s; AES-256-GCM %.0f MB/s at 256 B",
                floor.signs,
                floor.verifies,
                floor.aesBytes / 1e6);
    String rsa =
        Conscrypt.isAvailable() ? "BoringSSL (Conscrypt)" : "the JDK (Conscrypt unavailable)";
    out.add(
        new Figure(
            "crypto",
            "seal+open per message, µs",
            oursMicros,
            "OpenSSL floor",
            floor == null ? Double.NaN : floor.micros(),
            false,
            1.25,
            note + "; ztchat's RSA runs on " + rsa));
    for (String provider : List.of("jdk", "bouncycastle", "boringssl")) {
      if (!score.containsKey("pssSign/" + provider)) {
        continue;
      }
      String label = PROVIDERS.get(provider);
      out.add(
          new Figure(
              "crypto",
              "RSA-3072 PSS sign/s, " + label,
              score.get("pssSign/" + provider),
              "openssl speed sign",
              floor == null ? Double.NaN : floor.signs,
              true,
              Double.NaN,
              ""));
      out.add(
          new Figure(
              "crypto",
              "RSA-3072 OAEP unwrap/s, " + label,
              score.get("oaepUnwrap/" + provider),
              "openssl speed sign",
              floor == null ? Double.NaN : floor.signs,
              true,
              Double.NaN,
              "one private-key operation, as a sign"));
      out.add(
          new Figure(
              "crypto",
              "RSA-3072 PSS verify/s, " + label,
              score.get("pssVerify/" + provider),
              "openssl speed verify",
              floor == null ? Double.NaN : floor.verifies,
              true,
              Double.NaN,
              ""));
    }
    return out;
  }

  /** The OpenSSL floor: operations per second of each primitive. */
  record Floor(double signs, double verifies, double aesBytes) {
    /**
     * Microseconds per message: 2 private + 2 public RSA operations + 2 × AES-GCM over 256 bytes.
     */
    double micros() {
      return 1e6 * (2 / signs + 2 / verifies + 2.0 * Envelopes.MESSAGE_BYTES / aesBytes);
    }
  }

  static Floor openSslFloor(BenchOptions o) throws InterruptedException {
    String secs = o.quick() ? "1" : "10";
    try {
      String rsa = exec("openssl", "speed", "-seconds", secs, "rsa3072");
      String aes =
          exec("openssl", "speed", "-seconds", secs, "-bytes", "256", "-evp", "aes-256-gcm");
      double sign = Double.NaN;
      double verify = Double.NaN;
      for (String line : rsa.split("\n")) {
        String[] f = line.trim().split("\\s+");
        if (f.length >= 6 && f[0].equals("rsa") && f[1].equals("3072")) {
          sign = Double.parseDouble(f[f.length - 2]);
          verify = Double.parseDouble(f[f.length - 1]);
        }
      }
      double aesRate = Double.NaN;
      for (String line : aes.split("\n")) {
        String[] f = line.trim().split("\\s+");
        if (f.length >= 2
            && f[0].equalsIgnoreCase("AES-256-GCM")
            && f[f.length - 1].endsWith("k")) {
          aesRate = Double.parseDouble(f[f.length - 1].replace("k", "")) * 1000;
        }
      }
      if (Double.isNaN(sign) || Double.isNaN(aesRate)) {
        o.say("  could not read openssl speed's output");
        return null;
      }
      o.say(
          "  OpenSSL: %.0f sign/s, %.0f verify/s, AES-256-GCM %.0f MB/s",
          sign, verify, aesRate / 1e6);
      return new Floor(sign, verify, aesRate);
    } catch (IOException | NumberFormatException e) {
      o.say("  openssl speed failed: %s", e.getMessage());
      return null;
    }
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
