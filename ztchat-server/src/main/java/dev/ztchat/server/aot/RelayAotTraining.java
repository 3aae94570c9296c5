package dev.ztchat.server.aot;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.pki.PkiAdmin;
import dev.ztchat.core.transport.TlsContexts;
import dev.ztchat.core.transport.TlsSettings;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;

/**
 * The training run of the relay's ahead-of-time cache (JDK 25, JEP 483/514/515): a relay in a JVM
 * of its own ({@link TrainingRelay}, started with {@code -XX:AOTCacheOutput}) takes new mutual-TLS
 * handshakes for a while, with the hybrid group and with X25519, and then ends, writing the classes
 * it loaded and linked and the profiles of the methods it ran. A relay started from the cache skips
 * that loading and has its hot methods compiled sooner, which is what its first seconds lack.
 *
 * <p>The {@code ztchat} launcher runs {@link #main} to make the cache of {@code ztchat server} (in
 * a throw-away PKI, RSA-3072 as {@code pki init}, that is removed); the handshake bench runs {@link
 * #train} on its own certificates to measure what such a cache does for a relay's first seconds.
 */
public final class RelayAotTraining {
  /** How long a training run takes handshakes ({@link #main}, and the bench's full run). */
  public static final Duration LOAD = Duration.ofSeconds(15);

  private static final int CONCURRENCY = 4;
  private static final String TRAINEE = "alice";

  private RelayAotTraining() {}

  /**
   * Writes the relay's cache to {@code args[0]}, training for {@code args[1]} seconds ({@link
   * #LOAD} when not given); exits 1 (saying why) when it could not.
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: RelayAotTraining CACHE-FILE [SECONDS]");
      System.exit(2);
    }
    Duration load = args.length == 2 ? Duration.ofSeconds(Long.parseLong(args[1])) : LOAD;
    Path dir = Files.createTempDirectory("ztchat-relay-aot-");
    Result r;
    try {
      CertsLayout certs = new CertsLayout(dir.resolve("certs"));
      new PkiAdmin(certs, Clock.systemUTC(), line -> {})
          .init(
              PkiAdmin.InitOptions.defaults()
                  .withUsers(List.of(TRAINEE))
                  .withDevices(false)
                  .withKeyBits(CertificateIssuer.DEFAULT_KEY_BITS));
      r = train(certs, certs.readUser(TRAINEE).signing(), Path.of(args[0]), load);
    } finally {
      deleteTree(dir);
    }
    if (r.problem().isEmpty()) {
      System.out.println("relay AOT cache trained on " + r.handshakes() + " handshakes");
    } else {
      System.err.println(r.problem());
    }
    System.exit(r.problem().isEmpty() ? 0 : 1);
  }

  /**
   * What a training run did.
   *
   * @param handshakes handshakes the relay completed
   * @param problem why no cache was written, or "" when one was
   */
  public record Result(int handshakes, String problem) {}

  /**
   * Trains a relay on the certificates in {@code certs} for {@code load}, the load presenting
   * {@code client} (a user's signing credential there), writing {@code cache}. The relay's data
   * folder and output go to a folder under the certs folder's parent, removed at the end.
   */
  public static Result train(CertsLayout certs, Credential client, Path cache, Duration load)
      throws IOException, InterruptedException {
    X509Certificate ca = PemFiles.readCertificate(certs.caCertificate());
    List<SslContext> clients = clients(client, ca);
    Path work = Files.createTempDirectory(certs.root().toAbsolutePath().getParent(), "aot-relay-");
    Path log = work.resolve("relay.log");
    int handshakes = 0;
    boolean exited = false;
    try {
      Process relay = start(certs, work, log, cache);
      try {
        int port = port(relay, log);
        for (SslContext tls : clients) {
          handshakes +=
              HandshakeLoad.run(port, tls, CONCURRENCY, load.dividedBy(clients.size())).completed();
        }
      } finally {
        exited = ChildJvm.stop(relay);
      }
      if (!exited || !Files.isRegularFile(cache) || Files.size(cache) == 0) {
        return new Result(
            handshakes,
            "no relay AOT cache: the training JVM "
                + (exited ? "wrote none" : "failed")
                + " ("
                + ChildJvm.tail(log)
                + ")");
      }
      return new Result(handshakes, "");
    } finally {
      deleteTree(work);
    }
  }

  /** Clients as the product's (the hybrid group first) and X25519 alone, as older clients. */
  private static List<SslContext> clients(Credential me, X509Certificate ca) throws SSLException {
    SslProvider provider = TlsSettings.provider();
    List<SslContext> out = new ArrayList<>();
    out.add(TlsContexts.client(me, ca, provider));
    if (provider == SslProvider.OPENSSL) {
      out.add(TlsContexts.client(me, ca, provider, List.of("X25519")));
    }
    return out;
  }

  private static Process start(CertsLayout certs, Path work, Path log, Path cache)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:AOTCacheOutput=" + cache);
    command.addAll(RelayJvmOptions.options());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(TrainingRelay.class.getName());
    command.add(certs.root().toString());
    command.add(work.resolve("data").toString());
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /** The port the relay prints once it listens; fails when it ends first or takes a minute. */
  private static int port(Process relay, Path log) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        if (line.startsWith(TrainingRelay.PORT)) {
          return Integer.parseInt(line.substring(TrainingRelay.PORT.length()).strip());
        }
      }
      if (!relay.isAlive()) {
        throw new IOException("the training relay exited at start: " + ChildJvm.tail(log));
      }
      Thread.sleep(5);
    }
    throw new IOException("the training relay did not listen within 60 s: " + ChildJvm.tail(log));
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
