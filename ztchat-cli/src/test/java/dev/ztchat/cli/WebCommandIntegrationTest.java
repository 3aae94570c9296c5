package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ztchat web} in-process against a real relay: the first line printed is the loopback
 * address with the one-time key, which logs a browser in once; bad options are refused up front.
 */
class WebCommandIntegrationTest {
  @TempDir Path dir;
  Path certs;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    TestPki pki = TestPki.create("alice");
    certs = dir.resolve("certs");
    server =
        RelayServer.start(
            RelayServerConfig.defaults(pki.writeTo(certs), dir.resolve("relay")).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void web_printsTheLoopbackAddressWithTheOneTimeKeyFirst_andItOpensTheWindowOnce()
      throws Exception {
    WebCommand web = new WebCommand();
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(web);
    cl.setOut(new PrintWriter(out, true));
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () ->
                cl.execute(
                    "--identity",
                    "alice",
                    "--server",
                    "localhost:" + server.port(),
                    "--certs",
                    certs.toString(),
                    "--data",
                    dir.resolve("alice").toString(),
                    "--no-open"));
    try {
      Polling.eventually(Duration.ofSeconds(20), () -> out.toString().contains("\n"));
      String first = out.toString().lines().findFirst().orElseThrow();
      assertThat(first).matches("http://127\\.0\\.0\\.1:\\d+/login\\?k=[A-Za-z0-9_-]{43}");
      HttpURLConnection login = open(first);
      assertThat(login.getResponseCode()).isEqualTo(303);
      assertThat(login.getHeaderField("Set-Cookie")).contains("HTTPOnly");
      assertThat(open(first).getResponseCode()).as("the second use").isEqualTo(403);
    } finally {
      web.stop.countDown();
    }
    assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void aWebPortOutOfRange_isRefusedWithTheFlagNamed() {
    PkiCommandTest.Run r =
        PkiCommandTest.run("web", "--identity", "alice", "--web-port", "70000", "--no-open");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--web-port 70000").contains("1 to 65535");
  }

  private static HttpURLConnection open(String address) throws java.io.IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(address).toURL().openConnection();
    c.setInstanceFollowRedirects(false);
    return c;
  }
}
