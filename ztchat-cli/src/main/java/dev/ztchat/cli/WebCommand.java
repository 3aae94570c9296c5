package dev.ztchat.cli;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ChatClientConfig;
import dev.ztchat.web.WebChat;
import dev.ztchat.web.WebServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ztchat web}: the chat window in the browser, served by this process on 127.0.0.1. */
@Command(
    name = "web",
    mixinStandardHelpOptions = true,
    description = {
      "End-to-end encrypted chat in your browser: runs your client here (keys, history and"
          + " outbox stay in this process) and serves its window on 127.0.0.1 only.",
      "The first line printed is the address to open; it holds a one-time key, so it opens one"
          + " browser session and nothing else can use the page. Stop with Ctrl-C."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped (Ctrl-C)",
      "1:error",
      "2:bad usage",
      "7:this identity is already in use by another ztchat process (client, send or recv)",
    })
final class WebCommand implements Callable<Integer> {
  /** How long the file that opens the browser stays on disk. */
  private static final long OPENER_LIFETIME_SECONDS = 60;

  @Mixin ClientOptions options;

  @Option(
      names = "--web-port",
      defaultValue = "0",
      description = "Port for the page on 127.0.0.1 (default: a free port).")
  int webPort;

  @Option(
      names = "--no-open",
      description = "Do not open a browser: open the printed address yourself.")
  boolean noOpen;

  @Spec CommandSpec spec;

  /** Opens a local file in the user's browser; a test replaces it so no browser opens. */
  interface Launcher {
    void open(Path file) throws IOException;
  }

  /** The desktop's opener (xdg-open); tests put one here that records the file. */
  Launcher launcher =
      file ->
          new ProcessBuilder("xdg-open", file.toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();

  /** Counted down to stop (Ctrl-C, or a test). */
  final CountDownLatch stop = new CountDownLatch(1);

  /** Counted down once the client and the server are closed. */
  private final CountDownLatch closed = new CountDownLatch(1);

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (webPort < 0 || webPort > 65535) {
      throw new UserError(
          "--web-port " + webPort + ": must be 1 to 65535, or 0 (the default) for a free port", 2);
    }
    String me = options.resolveIdentity(null);
    ChatClientConfig config = options.config(me);
    PrintWriter out = spec.commandLine().getOut();
    Thread hook =
        new Thread(
            () -> {
              stop.countDown();
              try {
                closed.await(5, TimeUnit.SECONDS); // let the client close its files first
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "ztchat-web-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try (WebChat chat = new WebChat(Clock.systemUTC(), config.dataDir());
        ClientLogging logging = ClientLogging.routeTo(chat::onNotice);
        ChatClient client = ChatClient.start(config, chat);
        WebServer server = WebServer.start(chat, webPort)) {
      chat.attach(client);
      out.println(server.address()); // the first line: scripts and the user take it from here
      out.println(
          "Open the address above in your browser (it works once). "
              + me
              + " connects to "
              + config.relays()
              + "; messages typed while offline are kept and sent once connected. Ctrl-C stops.");
      out.flush();
      if (!noOpen) {
        openBrowser(server.address(), out, launcher);
      }
      stop.await();
      out.println("Bye.");
      out.flush();
      return 0;
    } finally {
      closed.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down (Ctrl-C): the hook has run
      }
    }
  }

  /**
   * Opens the page in the user's browser through a file only this user can read that forwards to
   * the address: the secret never appears in another process's command line, where other users of
   * the machine could read it.
   */
  private static void openBrowser(URI address, PrintWriter out, Launcher launcher) {
    try {
      Path opener =
          Files.createTempFile(
              "ztchat-web-",
              ".html",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(
          opener,
          "<!doctype html><meta http-equiv=\"refresh\" content=\"0;url="
              + address
              + "\"><title>ztchat</title>",
          StandardCharsets.UTF_8);
      launcher.open(opener);
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  TimeUnit.SECONDS.sleep(OPENER_LIFETIME_SECONDS);
                  Files.deleteIfExists(opener);
                } catch (IOException | InterruptedException e) {
                  // left in the temporary folder, readable by this user only
                }
              });
    } catch (IOException | UnsupportedOperationException e) {
      out.println("Could not open a browser (" + e.getMessage() + "): open the address yourself.");
      out.flush();
    }
  }
}
