package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.remedy.Remedy;
import dev.ztchat.core.remedy.RemedyIOException;
import dev.ztchat.core.transport.TlsSettings;
import dev.ztchat.server.store.OfflineQueue;
import dev.ztchat.server.store.PrekeyStore;
import dev.ztchat.server.store.PublishedCertificates;
import dev.ztchat.server.store.QueueStats;
import dev.ztchat.server.store.SharedPresence;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.NoSuchFileException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ztchat relay: accepts mutual-TLS connections from users of the organisation's CA, binds each
 * connection to its certificate's identity, and relays sealed envelopes it cannot read. Needs only
 * {@code ca.crt}, {@code server.crt} and {@code server.key}, never the CA's private key.
 */
public final class RelayServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);

  private final RelayServerConfig config;
  private final SecurityLog security;
  private final RelayContext relay;
  private final DeliveryService deliveries;
  private final PrekeyService prekeys;
  private final RevocationWatcher revocations;
  private final CertsWatcher certificates;
  private final CrossNodeDirectory sharedDirectory;
  private final StoreOutage storeOutage;
  private final ServerTlsMaterial tls;
  private final CrlFreshnessPolicy crlFreshness = new CrlFreshnessPolicy();
  private final String tlsDescription;
  private final PrometheusMeterRegistry meters =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Clock clock;
  private final CountDownLatch closed = new CountDownLatch(1);
  private EventLoopGroup bossGroup;
  private EventLoopGroup workerGroup;
  private Channel serverChannel;

  private RelayServer(
      RelayServerConfig config, SslProvider provider, Clock clock, LongSupplier storeNanos)
      throws IOException {
    this.config = requireNonNull(config, "config");
    this.clock = requireNonNull(clock, "clock");
    this.security = new SecurityLog(meters);
    X509Certificate ca =
        readRequired(
            "CA certificate",
            config.certs().caCertificate().toString(),
            () -> PemFiles.readCertificate(config.certs().caCertificate()));
    Credential server =
        new Credential(
            readRequired(
                "server certificate",
                config.certs().serverCertificate().toString(),
                () -> PemFiles.readCertificate(config.certs().serverCertificate())),
            readRequired(
                "server private key",
                config.certs().serverKey().toString(),
                () -> PemFiles.readPrivateKey(config.certs().serverKey())));
    CertificateVerifier verifier = new CertificateVerifier(ca);
    // the watchers read their files and start their threads in watch(), once the server is built
    this.revocations =
        new RevocationWatcher(config.certs().crl(), ca, clock, crl -> closeRevoked());
    Directory directory = new Directory(verifier, clock, revocations::revokedAt);
    ConnectionRegistry connections = new ConnectionRegistry(SharedPresence.open(config.queue()));
    this.deliveries =
        new DeliveryService(
            OfflineQueue.open(config.queue(), clock), storeNanos, meters, connections::online);
    this.storeOutage = new StoreOutage(connections, clock);
    deliveries.watchStore(storeOutage);
    this.certificates = new CertsWatcher(config.certs(), directory);
    this.sharedDirectory =
        new CrossNodeDirectory(directory, PublishedCertificates.open(config.queue()));
    directory.tellPresented(sharedDirectory::presented);
    this.prekeys =
        new PrekeyService(
            PrekeyStore.open(config.queue(), PrekeyStore.DEFAULT_MAX_ONE_TIME, clock),
            verifier,
            revocations::revokedAt,
            directory::knows,
            PrekeyDrainLimiter.withDefaults(clock),
            security,
            clock);
    this.relay =
        new RelayContext(
            config, directory, connections, deliveries, revocations, security, prekeys);
    this.tls =
        new ServerTlsMaterial(
            config.certs(),
            provider,
            clock,
            revocations::revokedAt,
            crlFreshness,
            revocations::current,
            ca,
            server);
    warnIfExpiringSoon(server.certificate(), clock);
    this.tlsDescription =
        provider == SslProvider.OPENSSL
            ? TlsSettings.describeProvider() + ", groups " + String.join(",", TlsSettings.GROUPS)
            : "JDK TLS, no hybrid group";
  }

  /** Starts a relay with the best available TLS implementation; returns once it listens. */
  public static RelayServer start(RelayServerConfig config)
      throws IOException, InterruptedException {
    return start(config, TlsSettings.provider(), Clock.systemUTC());
  }

  /** Starts a relay with the given TLS implementation and clock (tests). */
  public static RelayServer start(RelayServerConfig config, SslProvider provider, Clock clock)
      throws IOException, InterruptedException {
    return start(config, provider, clock, System::nanoTime);
  }

  /**
   * As {@link #start(RelayServerConfig, SslProvider, Clock)}, with the monotonic time the store
   * schedules by (the live grace period; tests pass a virtual one).
   */
  public static RelayServer start(
      RelayServerConfig config, SslProvider provider, Clock clock, LongSupplier storeNanos)
      throws IOException, InterruptedException {
    RelayServer server = new RelayServer(config, provider, clock, storeNanos);
    server.watch();
    server.bind();
    return server;
  }

  /**
   * Loads the revocation list, then the users' certificates (ranked by that list), and starts
   * watching both for changes: before the relay accepts its first connection.
   */
  private void watch() {
    revocations.start();
    certificates.start();
    sharedDirectory.start();
    tls.start();
  }

  private void bind() throws InterruptedException, IOException {
    bossGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    workerGroup = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    try {
      serverChannel =
          new ServerBootstrap()
              .group(bossGroup, workerGroup)
              .channel(NioServerSocketChannel.class)
              .option(ChannelOption.SO_BACKLOG, 1024)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(new RelayServerInitializer(tls::context, relay))
              .bind(new InetSocketAddress(config.bindAddress(), config.port()))
              .sync()
              .channel();
    } catch (Exception e) { // sync() rethrows a BindException undeclared
      close();
      if (e instanceof BindException || e.getCause() instanceof BindException) {
        throw new RemedyIOException(
            "cannot listen on "
                + config.bindAddress()
                + ":"
                + config.port()
                + " ("
                + e.getMessage()
                + "): is another server running there?",
            Remedy.of(Remedy.Kind.OTHER_PORT),
            e);
      }
      throw e;
    }
    LOG.info(
        "ztchat relay listening on {}:{} (TLS: {}, max frame {} bytes, idle timeout {} s, store"
            + " {})",
        config.bindAddress(),
        port(),
        tlsDescription,
        config.maxFrame(),
        config.idleTimeout().toSeconds(),
        config.queue().storeDescription());
  }

  /** Closes every live connection whose certificate the current revocation list names. */
  private void closeRevoked() {
    for (Channel ch : relay.connections().all()) {
      ConnectionCertificate cert = ConnectionIdentity.certificateOf(ch);
      if (cert != null && revocations.revokedAt(cert.serial()).isPresent()) {
        String identity = ConnectionIdentity.of(ch);
        security.record(
            SecurityEvent.REVOKED,
            identity,
            ch.remoteAddress(),
            "serial",
            cert.serial().toString(16),
            "action",
            "closed");
        ch.writeAndFlush(
                new Frame.Error(
                    null, ErrorCode.BAD_CERTIFICATE, "your certificate was revoked by the CA"))
            .addListener(ChannelFutureListener.CLOSE);
      }
    }
  }

  /** The CA's revocation list the relay enforces and serves, or null while it has none. */
  public X509CRL currentRevocationList() {
    return revocations.current();
  }

  /**
   * Reloads what SIGHUP reloads: the server certificate and key and the CA certificate (swapped
   * atomically for new connections if sound, else refused and logged), the revocation list and the
   * users' certificates. Returns whether the TLS material was swapped.
   */
  public boolean reload() {
    revocations.reload();
    certificates.reload();
    return tls.reload();
  }

  /** What happens when the revocation list goes stale (fail-closed unless set otherwise). */
  public CrlFreshnessPolicy crlFreshness() {
    return crlFreshness;
  }

  /** Re-reads the revocation list now. */
  public void reloadRevocations() {
    revocations.reload();
  }

  /**
   * Re-reads the users' certificates in the certs folder now (it is otherwise checked every few
   * seconds).
   */
  public void reloadCertificates() {
    certificates.reload();
  }

  private static void warnIfExpiringSoon(X509Certificate cert, Clock clock) {
    Duration left = Duration.between(clock.instant(), cert.getNotAfter().toInstant());
    if (left.toDays() < Certificates.EXPIRY_WARNING_DAYS) {
      LOG.warn(
          "the server certificate expires on {} (in {} days): issue a new server certificate before"
              + " then",
          cert.getNotAfter().toInstant(),
          Math.max(0, left.toDays()));
    }
  }

  /** The relay's meters, in the Prometheus registry the admin listener's /metrics scrapes. */
  public PrometheusMeterRegistry meters() {
    return meters;
  }

  /** The clock the relay decides time by (expiry, CRL freshness). */
  public Clock clock() {
    return clock;
  }

  /** What the relay was started with. */
  public RelayServerConfig config() {
    return config;
  }

  /** The root CA certificate clients are checked against. */
  public X509Certificate caCertificate() {
    return tls.current().ca();
  }

  /** The certificate the relay presents to clients. */
  public X509Certificate serverCertificate() {
    return tls.current().server();
  }

  /** Authenticated connections open now. */
  public int connectionCount() {
    return relay.connections().all().size();
  }

  /**
   * Since when and why this node cannot reach its store, while it refuses clients for that; empty
   * while the store answers (always, with SQLite).
   */
  public Optional<StoreUnreachable> storeUnreachable() {
    return storeOutage.unreachable();
  }

  /** How many times this node lost its store since it started. */
  public long storeOutages() {
    return storeOutage.outages();
  }

  /** The store's totals (no content), read on the store's thread. */
  public CompletableFuture<QueueStats.Totals> queueTotals() {
    return deliveries.totals();
  }

  /** The port the relay listens on (the real one when configured with port 0). */
  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** The devices of {@code owner} this relay knows as registered (hex device ids; tests). */
  Set<String> registeredDevicesOf(String owner) {
    return deliveries.registeredDevicesOf(owner);
  }

  /** The relay's security events and counters. */
  public SecurityLog securityLog() {
    return security;
  }

  /** Which TLS implementation serves connections. */
  public String tlsDescription() {
    return tlsDescription;
  }

  /** Waits until the relay was closed: {@link #close} (or a graceful shutdown) has finished. */
  public void awaitClose() throws InterruptedException {
    serverChannel.closeFuture().sync();
    closed.await();
  }

  /**
   * Stops without losing work (what SIGTERM does): stops accepting, stops reading from open
   * connections, lets the store finish what it was given, tells each client the relay is going away
   * (an {@code internal} error frame without a ref; clients reconnect), then {@link #close}s. Each
   * step waits at most what is left of {@code bound}; past it the relay closes anyway.
   */
  public void shutdownGracefully(Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly(millisLeft(deadline));
    }
    var open = relay.connections().all();
    open.forEach(ch -> ch.config().setAutoRead(false));
    try { // the store thread runs its tasks in order: this one ends after the work before it
      deliveries.totals().get(millisLeft(deadline), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("shutdown: the store did not finish within {}: {}", bound, e.toString());
    }
    open.writeAndFlush(
            new Frame.Error(
                null, ErrorCode.INTERNAL, "the relay is shutting down; reconnect in a moment"))
        .awaitUninterruptibly(millisLeft(deadline));
    LOG.info("shutdown: {} connections told, store flushed; closing", open.size());
    close();
  }

  private static long millisLeft(long deadline) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }

  /** Stops accepting, closes every connection, releases threads. */
  @Override
  public void close() {
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    relay.connections().all().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    if (bossGroup != null) {
      bossGroup
          .shutdownGracefully(0, 2, TimeUnit.SECONDS)
          .awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    if (workerGroup != null) {
      workerGroup
          .shutdownGracefully(0, 2, TimeUnit.SECONDS)
          .awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    deliveries.close();
    relay.connections().close();
    prekeys.close();
    revocations.close();
    certificates.close();
    sharedDirectory.close();
    if (tls != null) {
      tls.close();
    }
    closed.countDown();
  }

  @FunctionalInterface
  private interface IoSupplier<T> {
    T get() throws IOException;
  }

  private static <T> T readRequired(String what, String path, IoSupplier<T> read)
      throws IOException {
    try {
      return read.get();
    } catch (NoSuchFileException e) {
      throw new RemedyIOException(
          "the " + what + " " + path + " does not exist",
          Remedy.of(Remedy.Kind.FIND_CERTS_FOLDER),
          e);
    } catch (IOException | UncheckedIOException e) {
      throw new IOException("cannot read the " + what + " " + path + ": " + e.getMessage(), e);
    }
  }
}
