package dev.ztchat.bench;

import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.transport.TlsSettings;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The training run of the relay's ahead-of-time cache (JDK 25, JEP 483/514/515): a relay in a JVM
 * of its own ({@link RelayProcess}, started with {@code -XX:AOTCacheOutput}) takes new mutual-TLS
 * handshakes for a while, with the hybrid group and with X25519, and then ends, writing the classes
 * it loaded and linked and the profiles of the methods it ran. A relay started from the cache skips
 * that loading and has its hot methods compiled sooner, which is what its first seconds lack.
 *
 * <p>The handshake bench runs it to measure what such a cache does for a relay's first seconds
 * ({@link FirstSeconds}); {@link #main} makes one on its own, in a throw-away PKI that is removed.
 */
public final class RelayAotTraining {
  /** How long a training run takes handshakes (the bench's full run, and {@link #main}). */
  static final Duration LOAD = Duration.ofSeconds(15);

  private static final int CONCURRENCY = 4;

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
    String problem;
    try (BenchPki pki = BenchPki.create(3072)) {
      Result r = train(pki, Path.of(args[0]), load);
      problem = r.problem();
      if (problem.isEmpty()) {
        System.out.println("relay AOT cache trained on " + r.handshakes() + " handshakes");
      }
    }
    if (!problem.isEmpty()) {
      System.err.println(problem);
    }
    System.exit(problem.isEmpty() ? 0 : 1);
  }

  /**
   * What a training run did.
   *
   * @param handshakes handshakes the relay completed
   * @param problem why no cache was written, or "" when one was
   */
  record Result(int handshakes, String problem) {}

  /** Trains a relay on {@code pki}'s certificates for {@code load}, writing {@code cache}. */
  static Result train(BenchPki pki, Path cache, Duration load) throws Exception {
    List<SslContext> clients = clients(pki.user("alice0").signing(), pki);
    int handshakes = 0;
    boolean exited;
    String output;
    RelayProcess relay = RelayProcess.start(pki, List.of("-XX:AOTCacheOutput=" + cache));
    try {
      for (SslContext tls : clients) {
        handshakes +=
            HandshakeLoad.run(relay.port(), tls, CONCURRENCY, load.dividedBy(clients.size()))
                .completed();
      }
    } finally {
      exited = relay.stop();
      output = relay.tail();
    }
    if (!exited || !Files.isRegularFile(cache) || Files.size(cache) == 0) {
      return new Result(
          handshakes,
          "no relay AOT cache: the training JVM "
              + (exited ? "wrote none" : "failed")
              + " ("
              + output
              + ")");
    }
    return new Result(handshakes, "");
  }

  /** Clients as the product's (the hybrid group first) and X25519 alone, as older clients. */
  private static List<SslContext> clients(Credential me, BenchPki pki) throws SSLException {
    List<SslContext> out = new ArrayList<>();
    if (TlsSettings.provider() == SslProvider.OPENSSL) {
      out.add(Dialer.clientContext(me, pki.caCertificate(), TlsSettings.GROUPS));
      out.add(Dialer.clientContext(me, pki.caCertificate(), List.of("X25519")));
    } else {
      out.add(Dialer.clientContext(me, pki.caCertificate()));
    }
    return out;
  }
}
