package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ChatListener;
import dev.ztchat.client.HistoryEntry;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
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

  /**
   * bob has two devices, the phone's certificate revoked: {@code web --device laptop} can only
   * connect with the laptop's credential, receives alice's message, answers it with a receipt, and
   * keeps the conversation in the state folder it was given.
   */
  @Test
  void webWithDevice_usesThatDevicesCredentialAndStateFolder_andExchangesAMessage()
      throws Exception {
    server.close();
    Path devCerts = dir.resolve("device-certs");
    assertThat(PkiCommandTest.init(devCerts, "--users", "alice").exit()).isZero();
    for (String device : List.of("phone", "laptop")) {
      assertThat(
              PkiCommandTest.run(
                      "pki",
                      "issue",
                      "bob",
                      "--device",
                      device,
                      "--key-size",
                      "2048",
                      "--dir",
                      devCerts.toString())
                  .exit())
          .isZero();
    }
    assertThat(
            PkiCommandTest.run(
                    "pki", "revoke", "bob", "--device", "phone", "--dir", devCerts.toString())
                .exit())
        .isZero();
    server =
        RelayServer.start(
            RelayServerConfig.defaults(new CertsLayout(devCerts), dir.resolve("relay2"))
                .withPort(0));
    Path laptopState = dir.resolve("bob-laptop");

    WebCommand web = new WebCommand();
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(web);
    cl.setOut(new PrintWriter(out, true));
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () ->
                cl.execute(
                    "--identity",
                    "bob",
                    "--device",
                    "laptop",
                    "--server",
                    "localhost:" + server.port(),
                    "--certs",
                    devCerts.toString(),
                    "--data",
                    laptopState.toString(),
                    "--no-open"));
    Receipts alice = new Receipts();
    try (ChatClient aliceClient =
        ChatClient.connect(
            clientOptions(devCerts, null, dir.resolve("alice"), server.port()).config("alice"),
            alice)) {
      assertThat(Polling.eventually(Duration.ofSeconds(30), () -> out.toString().contains("\n")))
          .as("the web command started: %s", out)
          .isTrue();
      // stored at the relay if bob's window has not connected yet, and delivered when it has
      String sent = aliceClient.send("bob", "hello, laptop").messageId();
      assertThat(Polling.eventually(Duration.ofSeconds(30), () -> alice.delivered.contains(sent)))
          .as("bob's laptop confirmed the message with a signed receipt")
          .isTrue();
    } finally {
      web.stop.countDown();
    }
    assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
    assertThat(out.toString()).doesNotContain("refused");

    try (ChatClient laptop =
        ChatClient.start(
            clientOptions(devCerts, "laptop", laptopState, server.port()).config("bob"),
            new Receipts())) {
      assertThat(laptop.history("alice", 10))
          .extracting(HistoryEntry::text)
          .containsExactly("hello, laptop");
    }
    assertThat(Files.getPosixFilePermissions(laptopState.resolve("web-read")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  private static ClientOptions clientOptions(Path certs, String device, Path data, int port) {
    ClientOptions o = new ClientOptions();
    o.server = "localhost:" + port;
    o.certs = certs;
    o.device = device;
    o.data = data;
    o.window = Duration.ofDays(7);
    o.maxSkew = Duration.ofSeconds(30);
    return o;
  }

  /** A client's screen that keeps the ids of the messages confirmed by a receipt. */
  static final class Receipts implements ChatListener {
    final Set<String> delivered = ConcurrentHashMap.newKeySet();

    @Override
    public void onMessage(OpenedMessage message) {}

    @Override
    public void onRejected(String claimedSender, RejectionReason reason, String explanation) {}

    @Override
    public void onDelivered(String peer, String messageIdHex) {
      delivered.add(messageIdHex);
    }
  }

  /** Runs {@code web} as alice against the relay, printing to {@code out}, with {@code extra}. */
  private CompletableFuture<Integer> startWeb(WebCommand web, StringWriter out, String... extra) {
    CommandLine cl = new CommandLine(web);
    cl.setOut(new PrintWriter(out, true));
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "--identity",
                "alice",
                "--server",
                "localhost:" + server.port(),
                "--certs",
                certs.toString(),
                "--data",
                dir.resolve("alice").toString()));
    args.addAll(List.of(extra));
    return CompletableFuture.supplyAsync(() -> cl.execute(args.toArray(String[]::new)));
  }

  private static String firstLine(StringWriter out) throws InterruptedException {
    assertThat(Polling.eventually(Duration.ofSeconds(30), () -> out.toString().contains("\n")))
        .as("the web command started: %s", out)
        .isTrue();
    return out.toString().lines().findFirst().orElseThrow();
  }

  @Test
  void webPort_servesThePageOnThatPort() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort(); // free a moment ago
    }
    WebCommand web = new WebCommand();
    StringWriter out = new StringWriter();
    CompletableFuture<Integer> exit =
        startWeb(web, out, "--web-port", String.valueOf(port), "--no-open");
    try {
      String first = firstLine(out);
      assertThat(first).startsWith("http://127.0.0.1:" + port + "/login?k=");
      assertThat(open(first).getResponseCode()).as("the page answers there").isEqualTo(303);
    } finally {
      web.stop.countDown();
    }
    assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void aWebPortInUse_isRefusedWithAClearError_sayingWhatToDo() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      PkiCommandTest.Run r =
          PkiCommandTest.run(
              "web",
              "--identity",
              "alice",
              "--server",
              "localhost:" + server.port(),
              "--certs",
              certs.toString(),
              "--data",
              dir.resolve("alice").toString(),
              "--web-port",
              String.valueOf(port),
              "--no-open");
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err())
          .contains("cannot listen on 127.0.0.1:" + port)
          .contains("choose another --web-port, or leave it out for a free one")
          .doesNotContain("Exception");
      assertThat(r.out()).as("no address printed").doesNotContain("http://");
    }
  }

  @Test
  void web_opensTheBrowserThroughAFileOnlyTheUserCanRead_thatForwardsToThePrintedAddress()
      throws Exception {
    BlockingQueue<String> opened = new LinkedBlockingQueue<>();
    WebCommand web = new WebCommand();
    web.launcher =
        file -> {
          opened.add(
              PosixFilePermissions.toString(Files.getPosixFilePermissions(file))
                  + " "
                  + Files.readString(file));
          // the real opener would start xdg-open here: nothing is started
        };
    StringWriter out = new StringWriter();
    CompletableFuture<Integer> exit = startWeb(web, out);
    try {
      String first = firstLine(out);
      String file = opened.poll(30, TimeUnit.SECONDS);
      assertThat(file).as("the browser was asked to open a file").isNotNull();
      assertThat(file)
          .startsWith("rw------- ")
          .contains("<meta http-equiv=\"refresh\" content=\"0;url=" + first + "\">");
      assertThat(opened).as("opened once").isEmpty();
    } finally {
      web.stop.countDown();
    }
    assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void webWithNoOpen_opensNothing() throws Exception {
    BlockingQueue<Path> opened = new LinkedBlockingQueue<>();
    WebCommand web = new WebCommand();
    web.launcher = opened::add;
    StringWriter out = new StringWriter();
    CompletableFuture<Integer> exit = startWeb(web, out, "--no-open");
    try {
      firstLine(out);
    } finally {
      web.stop.countDown();
    }
    assertThat(exit.get(20, TimeUnit.SECONDS)).isZero(); // the opener would have run before
    assertThat(opened).isEmpty();
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
