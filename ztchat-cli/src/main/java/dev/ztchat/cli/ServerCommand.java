package dev.ztchat.cli;

import ch.qos.logback.classic.LoggerContext;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.server.ConnectionLimits;
import dev.ztchat.server.CrlFreshnessPolicy;
import dev.ztchat.server.CrlHttpEndpoint;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import dev.ztchat.server.ops.AdminHttpServer;
import dev.ztchat.server.ops.ReloadSignal;
import dev.ztchat.server.ops.TerminateSignal;
import dev.ztchat.server.store.QueueLimits;
import dev.ztchat.terminal.RemedyText;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ztchat server}: run the mTLS relay until SIGTERM or Ctrl-C. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    subcommands = {ServerStatsCommand.class, ServerStoreMoveCommand.class},
    description = {
      "Run the mutual-TLS relay server.",
      "Needs ca.crt, server.crt and server.key in the certs folder (never the CA's private key)."
    })
final class ServerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Read settings from this YAML file: each key is an option without its dashes"
              + " (deploy/relay.yaml lists them all); options given here override the file.")
  Path configFile;

  @Option(
      names = "--check-config",
      paramLabel = "FILE",
      arity = "0..1",
      fallbackValue = "",
      description =
          "Check FILE (or the --config file) and the files it names, then exit without starting:"
              + " 0 when all is well, 2 listing every problem.")
  String checkConfig;

  @Option(
      names = "--port",
      defaultValue = "8443",
      description = "TCP port to listen on (default: ${DEFAULT-VALUE}; 0 = any free port).")
  int port;

  @Option(
      names = "--bind",
      defaultValue = "127.0.0.1",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(
      names = "--certs",
      defaultValue = "certs",
      description = "Certs folder (default: ${DEFAULT-VALUE}).")
  Path certs;

  @Option(
      names = "--max-frame",
      defaultValue = "" + ProtocolLimits.DEFAULT_MAX_FRAME,
      description =
          "Largest frame accepted from a client, in bytes, announced in welcome (default:"
              + " ${DEFAULT-VALUE}; "
              + ProtocolLimits.MIN_MAX_FRAME
              + " to "
              + ProtocolLimits.MAX_MAX_FRAME
              + ").")
  int maxFrame;

  @Option(
      names = "--idle-timeout",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description = "Close connections silent for this long (default: ${DEFAULT-VALUE}).")
  Duration idleTimeout;

  @Option(
      names = "--frame-timeout",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description =
          "Close connections whose frame body stalls this long (default: ${DEFAULT-VALUE}).")
  Duration frameTimeout;

  @Option(
      names = "--handshake-timeout",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description =
          "Close connections that do not finish the TLS handshake in time (default:"
              + " ${DEFAULT-VALUE}).")
  Duration handshakeTimeout;

  @Option(
      names = "--crl-port",
      defaultValue = "8444",
      description =
          "Port where the CA's CRL is published over HTTP, as http://BIND:PORT/ca.crl (the URL"
              + " certificates name); 0: do not publish (default: ${DEFAULT-VALUE}).")
  int crlPort;

  @Option(
      names = "--admin-port",
      defaultValue = "0",
      description =
          "Port of the admin listener (plain HTTP: /metrics for Prometheus, /livez, /readyz);"
              + " 0: off (default: ${DEFAULT-VALUE}).")
  int adminPort;

  @Option(
      names = "--admin-bind",
      defaultValue = "127.0.0.1",
      description =
          "Address of the admin listener; keep it on loopback or a private network"
              + " (default: ${DEFAULT-VALUE}).")
  String adminBind;

  @Option(
      names = "--crl-when-stale",
      defaultValue = "fail-closed",
      description =
          "When the revocation list passes its next update: fail-closed refuses new connections"
              + " until a fresh list is reloaded, warn keeps accepting and logs an error every hour"
              + " (default: ${DEFAULT-VALUE}).")
  String crlWhenStale;

  @Option(
      names = "--crl-warn-before",
      defaultValue = "3d",
      converter = DurationConverter.class,
      description =
          "Warn this long before the revocation list goes stale (default: ${DEFAULT-VALUE}).")
  Duration crlWarnBefore;

  @Option(
      names = "--log-format",
      defaultValue = "text",
      description =
          "text: human lines; json: one JSON object per line, each SECURITY event with its fields"
              + " (default: ${DEFAULT-VALUE}).")
  String logFormat;

  @Option(
      names = "--log-level",
      defaultValue = "info",
      description =
          "error, warn, info, debug or trace; SECURITY events are logged at warn whatever the"
              + " level (default: ${DEFAULT-VALUE}).")
  String logLevel;

  @Option(
      names = "--security-log",
      paramLabel = "FILE",
      description = "Also append the SECURITY events to FILE (default: stderr only).")
  Path securityLog;

  @Option(
      names = "--data",
      defaultValue = "data",
      description =
          "Folder for the store of messages awaiting offline users (default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(
      names = "--store",
      paramLabel = "URL[,URL...]",
      description =
          "Keep the store in this PostgreSQL database instead of SQLite in --data: a"
              + " postgresql:// URL (its form, TLS, pool size and other settings:"
              + " docs/DEPLOYMENT.md; in the --config file the password may be"
              + " $${env:NAME} or $${file:PATH}). Several URLs, comma-separated: each"
              + " recipient's queue on one of them, the first holding everything else."
              + " Default: SQLite in --data.")
  String store;

  @Option(
      names = "--ttl",
      defaultValue = "7d",
      converter = DurationConverter.class,
      description =
          "How long a stored message waits for its recipient, at most 7d: receivers refuse older"
              + " messages, and a message sealed earlier expires earlier (default:"
              + " ${DEFAULT-VALUE}).")
  Duration ttl;

  @Option(
      names = "--queue-max-messages",
      defaultValue = "10000",
      description = "Most messages stored for one recipient (default: ${DEFAULT-VALUE}).")
  int queueMaxMessages;

  @Option(
      names = "--queue-max-bytes",
      defaultValue = "52428800",
      description = "Most bytes stored for one recipient (default: ${DEFAULT-VALUE}).")
  long queueMaxBytes;

  @Option(
      names = "--queue-sender-share",
      defaultValue = "25",
      description =
          "Percent of a recipient's --queue-max-messages and --queue-max-bytes one sender may fill,"
              + " 1 to 50, so that others still find room (default: ${DEFAULT-VALUE}).")
  int queueSenderShare;

  @Option(
      names = "--rate",
      defaultValue = "20",
      description =
          "Frames per second each user may send, over all its connections (default:"
              + " ${DEFAULT-VALUE}).")
  int rate;

  @Option(
      names = "--burst",
      defaultValue = "40",
      description =
          "Frames a user may send at once before --rate applies (default: ${DEFAULT-VALUE}).")
  int burst;

  @Option(
      names = "--max-connections-per-user",
      defaultValue = "" + ConnectionLimits.DEFAULT_PER_IDENTITY,
      description =
          "Connections one user may hold at once; more are refused (default: ${DEFAULT-VALUE}).")
  int maxConnectionsPerUser;

  @Option(
      names = "--max-connections",
      defaultValue = "" + ConnectionLimits.DEFAULT_GLOBAL,
      description =
          "Authenticated connections in all; the last tenth is kept for users below their fair"
              + " share. Keep it under the open-file limit, ulimit -n (default: ${DEFAULT-VALUE}).")
  int maxConnections;

  @Option(
      names = "--max-handshakes-per-address",
      defaultValue = "" + ConnectionLimits.DEFAULT_PRE_AUTH_PER_ADDRESS,
      description =
          "Connections from one address that have not finished the TLS handshake (default:"
              + " ${DEFAULT-VALUE}).")
  int maxHandshakesPerAddress;

  /**
   * Fails at once when {@code port} on --bind cannot be bound. Only a quick check: the relay binds
   * again later, and a port taken in between is reported the same way.
   */
  private void checkFree(int port, String option) {
    if (port <= 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(bind, port));
    } catch (BindException e) {
      throw portTaken(port, option);
    } catch (IOException e) {
      // not a taken port (an unknown --bind, say): the relay's own start reports it
    }
  }

  private static boolean isBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
    }
    return false;
  }

  private UserError portTaken(int port, String option) {
    return new UserError(
        bind
            + ":"
            + port
            + " is already in use: is another relay (or another program) running"
            + " there? Stop it, or choose another port with "
            + option
            + " PORT");
  }

  /** The relay's settings from the options; a bad value throws, naming the option. */
  RelayServerConfig relayConfig() {
    whenStale();
    if (adminPort < 0 || adminPort > 65535) {
      throw new IllegalArgumentException(
          "--admin-port " + adminPort + " is out of range: use 0 (off) to 65535");
    }
    RelayLogging.Format.parse(logFormat);
    RelayLogging.level(logLevel);
    return new RelayServerConfig(
        new CertsLayout(certs),
        bind,
        port,
        maxFrame,
        idleTimeout,
        frameTimeout,
        handshakeTimeout,
        new QueueLimits(
            data,
            ttl,
            queueMaxMessages,
            queueMaxBytes,
            queueSenderShare,
            store == null ? "" : store),
        rate,
        burst,
        new ConnectionLimits(maxConnectionsPerUser, maxConnections, maxHandshakesPerAddress));
  }

  CrlFreshnessPolicy.WhenStale whenStale() {
    return switch (crlWhenStale) {
      case "fail-closed" -> CrlFreshnessPolicy.WhenStale.FAIL_CLOSED;
      case "warn" -> CrlFreshnessPolicy.WhenStale.WARN;
      default ->
          throw new IllegalArgumentException(
              "--crl-when-stale " + crlWhenStale + " is not a policy: use fail-closed or warn");
    };
  }

  /** Replaces logback.xml's setup only when an option asks for something else. */
  private void configureLogging() {
    RelayLogging.Format format = RelayLogging.Format.parse(logFormat);
    if (format == RelayLogging.Format.TEXT && logLevel.equals("info") && securityLog == null) {
      return;
    }
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      throw new UserError(
          "logging is not logback here: --log-format, --log-level and" + " --security-log need it",
          2);
    }
    RelayLogging.configure(context, System.err, format, RelayLogging.level(logLevel), securityLog);
  }

  @Override
  public Integer call() throws Exception {
    if (checkConfig != null) {
      return ServerConfigCheck.run(this, checkConfig.isEmpty() ? configFile : Path.of(checkConfig));
    }
    if (configFile != null) {
      List<String> problems;
      try {
        problems =
            new ServerConfigApplier(ServerCommand::new, System.getenv())
                .apply(RelayConfigFile.read(configFile), spec);
      } catch (IOException e) {
        throw new UserError(e.getMessage(), 2);
      }
      if (!problems.isEmpty()) {
        throw new UserError(
            String.join(System.lineSeparator(), problems)
                + System.lineSeparator()
                + "Fix the file, then check it with ./ztchat server --check-config "
                + configFile,
            2);
      }
    }
    RelayServerConfig config;
    try {
      config = relayConfig();
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage(), 2);
    }
    configureLogging();
    // Loading certificates and opening the store take seconds: find a taken port before that.
    checkFree(port, "--port");
    checkFree(crlPort, "--crl-port");
    checkFree(adminPort, "--admin-port");
    RelayServer server;
    try {
      server = RelayServer.start(config);
    } catch (IOException e) {
      throw isBindFailure(e) ? portTaken(port, "--port") : new UserError(RemedyText.explain(e));
    }
    server.crlFreshness().set(whenStale(), crlWarnBefore);
    ReloadSignal.install(server);
    CrlHttpEndpoint crlHttp = null;
    if (crlPort > 0) {
      try {
        crlHttp = CrlHttpEndpoint.start(bind, crlPort, server::currentRevocationList);
      } catch (IOException e) {
        server.close();
        throw isBindFailure(e)
            ? portTaken(crlPort, "--crl-port")
            : new UserError(RemedyText.explain(e));
      }
    }
    AdminHttpServer admin = null;
    if (adminPort > 0) {
      try {
        admin = AdminHttpServer.start(server, adminBind, adminPort);
      } catch (IOException e) {
        if (crlHttp != null) {
          crlHttp.close();
        }
        server.close();
        throw isBindFailure(e)
            ? portTaken(adminPort, "--admin-port")
            : new UserError(RemedyText.explain(e));
      }
    }
    AdminHttpServer adminListener = admin;
    CrlHttpEndpoint publishedCrl = crlHttp;
    // SIGTERM and Ctrl-C: stop accepting, let the store finish, tell clients, exit 0.
    boolean graceful = TerminateSignal.install(server, TerminateSignal.DEFAULT_BOUND);
    CountDownLatch stopped = new CountDownLatch(1);
    if (!graceful) {
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    System.err.println("ztchat server: shutting down...");
                    server.close();
                    stopped.countDown();
                  },
                  "ztchat-shutdown"));
    } else {
      stopped.countDown();
    }
    System.err.println(
        "ztchat server: listening on "
            + bind
            + ":"
            + server.port()
            + " with "
            + server.tlsDescription()
            + ". Press Ctrl-C to stop.");
    server.awaitClose();
    stopped.await();
    if (adminListener != null) {
      adminListener.close();
    }
    if (publishedCrl != null) {
      publishedCrl.close();
    }
    System.err.println("ztchat server: stopped");
    return 0;
  }
}
