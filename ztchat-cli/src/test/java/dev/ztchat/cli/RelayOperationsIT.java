package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.CrlIssuer;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.Promtool;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.core.testkit.RawFrameClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged relay as an operator runs it, all of issue 18's proof in one run: started from a
 * config file with the admin listener and JSON logs; /metrics passes promtool; SIGHUP swaps in a
 * new server certificate while a client stays connected and a new client sees it; /readyz turns
 * unready when the revocation list passes its next update; SIGTERM says goodbye to the connected
 * client and stops it with exit 0; the JSON log parses, with a SECURITY event's fields.
 */
class RelayOperationsIT {
  @TempDir Path dir;
  final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopAll() {
    started.forEach(Process::destroyForcibly);
  }

  record Result(int exit, String out, String err) {}

  /** {@code ztchat args...} from {@code dir}, stdout to {@code log}, stderr beside it. */
  Process start(Path log, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(LauncherEndToEndIT.LAUNCHER.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().put("ZTCHAT_SKIP_BUILD", "1");
    pb.environment().put("HOME", dir.toString());
    pb.environment().put("ZTCHAT_JAVA_OPTS", "-Duser.home=" + dir);
    pb.redirectOutput(log.toFile());
    pb.redirectError(dir.resolve(log.getFileName() + ".err").toFile());
    Process p = pb.start();
    started.add(p);
    return p;
  }

  Result run(Duration timeout, String... args) throws Exception {
    Path log = Files.createTempFile(dir, "out", ".txt");
    Process p = start(log, args);
    assertThat(p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)).isTrue();
    return new Result(
        p.exitValue(),
        Files.readString(log),
        Files.readString(dir.resolve(log.getFileName() + ".err")));
  }

  static int freePort() throws Exception {
    return LauncherEndToEndIT.freePort();
  }

  static void awaitWritten(Path file, String text) throws InterruptedException {
    LauncherEndToEndIT.awaitWritten(file, text);
  }

  @Test
  void relayFromAConfigFile_passesPromtool_reloadsOnSighupUnderAClient_turnsUnreadyOnAStaleCrl()
      throws Exception {
    TestPki pki = TestPki.create("alice", "bob");
    CertsLayout certs = pki.writeTo(dir.resolve("certs"));
    int port = freePort();
    int admin = freePort();
    Path config = dir.resolve("relay.yaml");
    Files.writeString(
        config,
        "port: "
            + port
            + "\ncrl-port: 0\nadmin-port: "
            + admin
            + "\nlog-format: json\ncerts: "
            + certs.root()
            + "\ndata: "
            + dir.resolve("data")
            + "\n");
    Result check = run(Duration.ofMinutes(1), "server", "--check-config", config.toString());
    assertThat(check.exit()).as(check.err()).isZero();

    Path log = dir.resolve("server.txt");
    Process relay = start(log, "server", "--config", config.toString());
    Path err = dir.resolve("server.txt.err");
    awaitWritten(err, "Press Ctrl-C to stop");

    String ready = get(admin, "/readyz");
    assertThat(ready).startsWith("HTTP/1.1 200").contains("ready");
    String metrics = get(admin, "/metrics");
    assertThat(metrics).startsWith("HTTP/1.1 200").contains("ztchat_connections 0.0");
    Promtool.assertAccepts(body(metrics));

    try (RawFrameClient alice = connect(port, pki, "alice")) {
      assertThat(alice.serverCertificate()).isEqualTo(pki.server().certificate());
      Credential renewed =
          CertificateIssuer.issueServer(
              pki.ca(),
              "ztchat-server",
              List.of("localhost", "127.0.0.1"),
              TestPki.TEST_KEY_BITS,
              Instant.now().minus(Duration.ofMinutes(5)),
              Duration.ofDays(60));
      PemFiles.writePrivateKey(certs.serverKey(), renewed.privateKey(), true);
      PemFiles.writeCertificate(certs.serverCertificate(), renewed.certificate(), true);
      hangUp(relay);
      awaitWritten(err, "SIGHUP: reloading");
      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(30),
                  () -> renewed.certificate().equals(presented(port, pki, "bob"))))
          .as("a new client sees the new certificate: %s", Files.readString(err))
          .isTrue();
      assertThat(alice.pingRoundTrip("stays-through-the-reload")).isPositive();

      // a list the CA issued a minute ago, fresh for 5 s more: loaded fresh, then stale
      X509CRL shortLived =
          CrlIssuer.issue(
              pki.ca(),
              pki.crl(),
              List.of(),
              Instant.now().minusSeconds(60),
              Duration.ofSeconds(65));
      CrlFiles.write(certs.crl(), shortLived);
      hangUp(relay);
      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(30), () -> answers(admin, "/readyz", "HTTP/1.1 503")))
          .as("unready once the list passes its next update: %s", Files.readString(err))
          .isTrue();
      assertThat(get(admin, "/readyz")).contains("crl: stale since");
      assertThat(presented(port, pki, "bob")).as("fail-closed: no new connection").isNull();
      assertThat(alice.pingRoundTrip("stays-while-stale")).isPositive();

      relay.destroy(); // SIGTERM
      Frame.Error goodbye = alice.expect(Frame.Error.class);
      assertThat(goodbye.code()).isEqualTo(ErrorCode.INTERNAL);
      assertThat(goodbye.message()).contains("shutting down");
    }
    assertThat(relay.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(relay.exitValue()).as(Files.readString(err)).isZero();

    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(err)) {
      if (line.startsWith("{")) {
        lines.add(json.readTree(line));
      }
    }
    assertThat(lines)
        .extracting(l -> l.get("formattedMessage").asText())
        .anyMatch(m -> m.startsWith("ztchat relay listening on"))
        .anyMatch(m -> m.startsWith("SIGHUP: reloading"))
        .anyMatch(m -> m.startsWith("TLS material reloaded"))
        .anyMatch(m -> m.startsWith("SECURITY event=HANDSHAKE_FAILED"));
    assertThat(lines)
        .as("a SECURITY event carries its fields")
        .filteredOn(l -> l.has("kvpList"))
        .extracting(RelayLoggingTest::fields)
        .anySatisfy(
            f ->
                assertThat(f)
                    .containsEntry("event", "HANDSHAKE_FAILED")
                    .containsKeys("identity", "remote"));
  }

  static void hangUp(Process relay) throws Exception {
    Process kill = new ProcessBuilder("kill", "-HUP", "" + relay.pid()).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }

  static RawFrameClient connect(int port, TestPki pki, String user) throws Exception {
    return RawFrameClient.connectWelcomed(
        "127.0.0.1", port, pki.user(user).signing(), pki.ca().certificate());
  }

  /** The certificate the relay shows a new client, or null when it refuses the connection. */
  static X509Certificate presented(int port, TestPki pki, String user) {
    try (RawFrameClient c = connect(port, pki, user)) {
      return c.serverCertificate();
    } catch (Exception e) {
      return null;
    }
  }

  /** True when {@code path} answers with {@code start}; false too when it does not answer. */
  static boolean answers(int port, String path, String start) {
    try {
      return get(port, path).startsWith(start);
    } catch (Exception e) {
      return false;
    }
  }

  /** The body of an HTTP response. */
  static String body(String response) {
    return response.substring(response.indexOf("\r\n\r\n") + 4);
  }

  /** One plain HTTP/1.1 GET (the admin listener closes after it); the whole response. */
  static String get(int port, String path) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
