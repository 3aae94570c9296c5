package dev.ztchat.bench;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.testkit.Polling;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * New full mTLS handshakes per second measured by an independent client, {@code openssl s_time
 * -new} presenting a client certificate, several processes in parallel. Two pitfalls of s_time are
 * avoided: it counts a handshake the server rejects after completion (a TLS 1.3 server checks the
 * client certificate after the client has finished) as a success, so {@link #checkAuthentication}
 * first proves with {@code openssl s_client} that the server accepts the certificate and refuses a
 * connection without one; and it divides by its own CPU time, so the rate here is the count it
 * prints divided by the wall time of the whole parallel run.
 */
final class STimeLoad {
  /** What a run measured: handshakes counted by all processes, over the wall time of the run. */
  record Result(int connections, double wallSeconds, double perSecond) {}

  private static final Pattern COUNT = Pattern.compile("(\\d+) connections in [0-9.]+s;");

  private STimeLoad() {}

  /** The openssl program, if installed. */
  static Optional<Path> openssl() {
    return PeerProcess.find("openssl");
  }

  /**
   * Proves that s_time's count will mean accepted handshakes at 127.0.0.1:{@code port}: with {@code
   * user}'s signing certificate the server sends application data after the handshake (it accepted
   * the certificate) and, when {@code staysOpen}, keeps the connection open for a second; without a
   * client certificate it sends no application data. Returns empty when both hold, else what went
   * wrong.
   */
  static Optional<String> checkAuthentication(
      Path openssl, int port, CertsLayout certs, String user, boolean staysOpen)
      throws IOException, InterruptedException {
    List<String> base =
        new ArrayList<>(
            List.of(
                openssl.toString(),
                "s_client",
                "-connect",
                "127.0.0.1:" + port,
                "-servername",
                "localhost",
                "-CAfile",
                certs.caCertificate().toString(),
                "-verify_return_error",
                "-quiet"));
    List<String> withCert = new ArrayList<>(base);
    withCert.addAll(
        List.of(
            "-cert",
            certs.signingCertificate(user).toString(),
            "-key",
            certs.signingKey(user).toString()));
    Duration hold = staysOpen ? Duration.ofSeconds(1) : Duration.ZERO;
    Probe authenticated = Probe.run(withCert, hold);
    if (authenticated.applicationBytes() == 0) {
      // once more before giving up: on a loaded host the first data can be late
      authenticated = Probe.run(withCert, hold);
    }
    if (authenticated.applicationBytes() == 0) {
      return Optional.of(
          "s_client with "
              + user
              + "'s certificate got no application data: "
              + authenticated.lastErrorLine());
    }
    if (staysOpen && !authenticated.openAfterwards()) {
      return Optional.of(
          "s_client with "
              + user
              + "'s certificate was disconnected: "
              + authenticated.lastErrorLine());
    }
    Probe anonymous = Probe.run(base, Duration.ZERO);
    if (anonymous.applicationBytes() > 0) {
      return Optional.of(
          "s_client without a client certificate got application data: the server does not"
              + " require client certificates");
    }
    return Optional.empty();
  }

  /**
   * Runs {@code processes} {@code openssl s_time -new} in parallel against 127.0.0.1:{@code port}
   * for {@code duration}, presenting {@code user}'s signing certificate.
   *
   * @throws IOException when a process fails or prints no count
   */
  static Result run(
      Path openssl, int port, CertsLayout certs, String user, int processes, Duration duration)
      throws IOException, InterruptedException {
    List<String> command =
        List.of(
            openssl.toString(),
            "s_time",
            "-connect",
            "127.0.0.1:" + port,
            "-new",
            "-cert",
            certs.signingCertificate(user).toString(),
            "-key",
            certs.signingKey(user).toString(),
            "-CAfile",
            certs.caCertificate().toString(),
            "-time",
            Long.toString(Math.max(1, duration.toSeconds())));
    long start = System.nanoTime();
    List<Process> running = new ArrayList<>();
    for (int i = 0; i < processes; i++) {
      running.add(new ProcessBuilder(command).redirectErrorStream(true).start());
    }
    int total = 0;
    try {
      List<String> outputs = new ArrayList<>();
      for (Process p : running) {
        outputs.add(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
      for (int i = 0; i < processes; i++) {
        Process p = running.get(i);
        if (!p.waitFor(duration.toSeconds() + 30, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IOException("openssl s_time failed: " + lastLine(outputs.get(i)));
        }
        Matcher m = COUNT.matcher(outputs.get(i));
        if (!m.find()) {
          throw new IOException("openssl s_time printed no count: " + lastLine(outputs.get(i)));
        }
        total += Integer.parseInt(m.group(1));
      }
    } finally {
      running.forEach(Process::destroyForcibly);
    }
    double secs = (System.nanoTime() - start) / 1e9;
    return new Result(total, secs, total / secs);
  }

  private static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines.length == 0 ? "" : lines[lines.length - 1].strip();
  }

  /** One s_client connection: how much application data arrived, and whether it was still open. */
  private record Probe(int applicationBytes, boolean openAfterwards, String lastErrorLine) {
    private static final Duration FIRST_DATA = Duration.ofSeconds(5);

    static Probe run(List<String> command, Duration holdOpen)
        throws IOException, InterruptedException {
      Process p = new ProcessBuilder(command).start();
      // stdin stays open (never written): s_client keeps the connection until the server ends it
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Thread outReader = Thread.ofPlatform().daemon().start(() -> copy(p.getInputStream(), out));
      Thread errReader = Thread.ofPlatform().daemon().start(() -> copy(p.getErrorStream(), err));
      try {
        Polling.eventually(FIRST_DATA, () -> size(out) > 0 || !p.isAlive());
        if (size(out) > 0 && !holdOpen.isZero()) {
          p.waitFor(holdOpen.toMillis(), TimeUnit.MILLISECONDS);
        }
        boolean open = p.isAlive();
        p.destroy();
        p.waitFor(5, TimeUnit.SECONDS);
        // the process has ended, so both pipes reach end of file: wait for what it wrote
        outReader.join(10_000);
        errReader.join(10_000);
        return new Probe(size(out), open, lastLine(err.toString(StandardCharsets.UTF_8)));
      } finally {
        p.destroyForcibly();
      }
    }

    private static int size(ByteArrayOutputStream out) {
      synchronized (out) {
        return out.size();
      }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
      byte[] buf = new byte[4096];
      try {
        for (int n; (n = in.read(buf)) > 0; ) {
          synchronized (out) {
            out.write(buf, 0, n);
          }
        }
      } catch (IOException e) {
        // the process ended
      }
    }
  }
}
