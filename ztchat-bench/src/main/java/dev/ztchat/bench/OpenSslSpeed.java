package dev.ztchat.bench;

import java.io.IOException;
import java.util.Locale;
import java.util.Optional;

/**
 * The floors of the crypto bench: what {@code openssl speed} does per second on this machine, in
 * the same run as the figures it is set beside. One run of {@code openssl speed} for the public-key
 * operations (RSA-3072, ECDSA P-256, X25519) and one for AES-256-GCM over the message size. OpenSSL
 * 3.0 has no ML-KEM; that floor comes from the JDK (JMH), see {@link CryptoBench}.
 *
 * @param rsaSigns RSA-3072 signatures per second (private-key operations)
 * @param rsaVerifies RSA-3072 verifications per second (public-key operations)
 * @param ecdsaSigns ECDSA P-256 signatures per second
 * @param ecdsaVerifies ECDSA P-256 verifications per second
 * @param x25519 X25519 agreements per second
 * @param aesBytes AES-256-GCM bytes per second, over {@link Envelopes#MESSAGE_BYTES}-byte inputs
 */
record OpenSslSpeed(
    double rsaSigns,
    double rsaVerifies,
    double ecdsaSigns,
    double ecdsaVerifies,
    double x25519,
    double aesBytes) {

  /** Microseconds of one AES-256-GCM pass over {@code bytes} bytes (at the measured rate). */
  double aesMicros(int bytes) {
    return 1e6 * bytes / aesBytes;
  }

  /** A note naming every figure, for the report. */
  String describe() {
    return String.format(
        Locale.ROOT,
        "openssl speed: RSA-3072 %.0f sign/s, %.0f verify/s; ECDSA P-256 %.0f sign/s, %.0f"
            + " verify/s; X25519 %.0f op/s; AES-256-GCM %.0f MB/s at %d B",
        rsaSigns,
        rsaVerifies,
        ecdsaSigns,
        ecdsaVerifies,
        x25519,
        aesBytes / 1e6,
        Envelopes.MESSAGE_BYTES);
  }

  /** Runs {@code openssl speed} for {@code seconds} per figure; empty (said why) if it cannot. */
  static Optional<OpenSslSpeed> measure(BenchOptions o, int seconds) throws InterruptedException {
    String secs = Integer.toString(seconds);
    try {
      String pk =
          CryptoBench.exec(
              "openssl", "speed", "-seconds", secs, "rsa3072", "ecdsap256", "ecdhx25519");
      String aes =
          CryptoBench.exec(
              "openssl",
              "speed",
              "-seconds",
              secs,
              "-bytes",
              Integer.toString(Envelopes.MESSAGE_BYTES),
              "-evp",
              "aes-256-gcm");
      Optional<OpenSslSpeed> s = parse(pk, aes);
      if (s.isEmpty()) {
        o.say("  could not read openssl speed's output");
      } else {
        o.say("  %s", s.get().describe());
      }
      return s;
    } catch (IOException e) {
      o.say("  openssl speed failed: %s", e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Reads the rates out of {@code openssl speed}'s summary tables: {@code publicKey} from the run
   * of rsa3072, ecdsap256 and ecdhx25519, {@code aes} from the {@code -evp aes-256-gcm} run. Empty
   * when any figure is missing.
   */
  static Optional<OpenSslSpeed> parse(String publicKey, String aes) {
    double rsaSign = Double.NaN;
    double rsaVerify = Double.NaN;
    double ecSign = Double.NaN;
    double ecVerify = Double.NaN;
    double x = Double.NaN;
    try {
      for (String line : publicKey.split("\n")) {
        String[] f = line.trim().split("\\s+");
        // "rsa 3072 bits 0.002500s 0.000048s 400.0 20676.0"
        if (f.length >= 7 && f[0].equals("rsa") && f[1].equals("3072")) {
          rsaSign = Double.parseDouble(f[f.length - 2]);
          rsaVerify = Double.parseDouble(f[f.length - 1]);
        }
        // "256 bits ecdsa (nistp256) 0.0000s 0.0001s 50863.5 19502.9"
        if (f.length >= 8 && f[2].equals("ecdsa") && f[3].equals("(nistp256)")) {
          ecSign = Double.parseDouble(f[f.length - 2]);
          ecVerify = Double.parseDouble(f[f.length - 1]);
        }
        // "253 bits ecdh (X25519) 0.0000s 33978.6"
        if (f.length >= 6 && f[2].equals("ecdh") && f[3].equals("(X25519)")) {
          x = Double.parseDouble(f[f.length - 1]);
        }
      }
      double aesRate = Double.NaN;
      for (String line : aes.split("\n")) {
        // "AES-256-GCM 365432.12k": thousands of bytes per second at the one size asked for
        String[] f = line.trim().split("\\s+");
        if (f.length >= 2
            && f[0].equalsIgnoreCase("AES-256-GCM")
            && f[f.length - 1].endsWith("k")) {
          aesRate = Double.parseDouble(f[f.length - 1].replace("k", "")) * 1000;
        }
      }
      OpenSslSpeed s = new OpenSslSpeed(rsaSign, rsaVerify, ecSign, ecVerify, x, aesRate);
      return s.complete() ? Optional.of(s) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private boolean complete() {
    for (double v : new double[] {rsaSigns, rsaVerifies, ecdsaSigns, ecdsaVerifies, x25519}) {
      if (!(v > 0)) {
        return false;
      }
    }
    return aesBytes > 0;
  }
}
