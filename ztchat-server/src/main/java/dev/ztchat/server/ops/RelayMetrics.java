package dev.ztchat.server.ops;

import static java.util.Objects.requireNonNull;

import dev.ztchat.server.RelayServer;
import dev.ztchat.server.SecurityEvent;
import dev.ztchat.server.SecurityLog;
import dev.ztchat.server.store.QueueStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The relay's Prometheus metrics beyond the counters its handlers keep: open connections, the
 * store's totals, whether the store answers and how often it stopped, security events by type,
 * handshakes refused or failed, rate-limit actions, the CRL's age and time to its next update, the
 * certificates' time to expiry, and the JVM's own. Names follow Prometheus conventions (base units,
 * {@code _total} counters); docs/OPERATIONS.md lists them. No metric carries an identity, an
 * address or message content.
 */
public final class RelayMetrics implements AutoCloseable {
  private static final Pattern ACTION = Pattern.compile(" action=([a-z_]+)");

  private final RelayServer server;
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private volatile QueueStats.Totals queue = new QueueStats.Totals(0, 0, 0, 0);

  private RelayMetrics(RelayServer server) {
    this.server = requireNonNull(server, "server");
  }

  /** Registers every metric on {@code server}'s registry. */
  public static RelayMetrics bind(RelayServer server) {
    RelayMetrics m = new RelayMetrics(server);
    m.register(server.meters());
    return m;
  }

  private void register(MeterRegistry r) {
    Gauge.builder("ztchat.connections", server, RelayServer::connectionCount)
        .description("Authenticated connections open now")
        .register(r);
    Gauge.builder("ztchat.queue.messages", this, m -> m.queue.messages())
        .description("Envelopes waiting in the store for offline recipients")
        .register(r);
    Gauge.builder("ztchat.queue.bytes", this, m -> m.queue.bytes())
        .description("Bytes of envelopes waiting in the store")
        .baseUnit("bytes")
        .register(r);
    Gauge.builder("ztchat.queue.recipients", this, m -> m.queue.recipients())
        .description("Recipients with at least one envelope waiting")
        .register(r);
    TimeGauge.builder(
            "ztchat.queue.oldest.age", this, TimeUnit.MILLISECONDS, RelayMetrics::oldestAgeMillis)
        .description("Age of the oldest envelope waiting in the store (0 when empty)")
        .register(r);
    Gauge.builder("ztchat.store.reachable", server, s -> s.storeUnreachable().isEmpty() ? 1 : 0)
        .description(
            "1 while the store answers; 0 while this node cannot reach its database and refuses"
                + " clients")
        .register(r);
    FunctionCounter.builder("ztchat.store.outages", server, RelayServer::storeOutages)
        .description("Times this node lost its database since it started")
        .register(r);
    SecurityLog security = server.securityLog();
    for (SecurityEvent e : SecurityEvent.values()) {
      FunctionCounter.builder("ztchat.security.events", security, s -> s.count(e))
          .description("Security events by type (each also logged as one SECURITY line)")
          .tag("event", e.name())
          .register(r);
    }
    FunctionCounter.builder(
            "ztchat.handshakes", security, s -> s.count(SecurityEvent.HANDSHAKE_FAILED))
        .description("TLS handshakes by outcome: ok, failed, refused (too many from one address)")
        .tag("outcome", "failed")
        .register(r);
    FunctionCounter.builder(
            "ztchat.handshakes", security, s -> s.count(SecurityEvent.TOO_MANY_HANDSHAKES))
        .tag("outcome", "refused")
        .register(r);
    for (String action : new String[] {"throttled", "closed"}) {
      rateLimitActions(r, action);
    }
    security.addListener(
        entry -> {
          if (entry.event() == SecurityEvent.RATE_LIMITED) {
            Matcher a = ACTION.matcher(entry.line());
            rateLimitActions(r, a.find() ? a.group(1) : "other").increment();
          }
        });
    TimeGauge.builder("ztchat.crl.age", this, TimeUnit.MILLISECONDS, m -> m.crlMillis(true))
        .description("Time since the CA issued the revocation list in use (NaN: none loaded)")
        .register(r);
    TimeGauge.builder(
            "ztchat.crl.next.update.remaining",
            this,
            TimeUnit.MILLISECONDS,
            m -> m.crlMillis(false))
        .description("Time until the revocation list's next update; negative once it is stale")
        .register(r);
    certificate(r, "server", server::serverCertificate);
    certificate(r, "ca", server::caCertificate);
    new JvmMemoryMetrics().bindTo(r);
    gc.bindTo(r);
    new JvmThreadMetrics().bindTo(r);
    new ClassLoaderMetrics().bindTo(r);
    // promtool's lint refuses two of its names: process.cpu.time counts in "ns", and
    // system.cpu.count is a gauge ending in _count; the CPU usage gauges stay.
    r.config()
        .meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"))
        .meterFilter(
            new MeterFilter() {
              @Override
              public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
              }
            });
    new ProcessorMetrics().bindTo(r);
    new UptimeMetrics().bindTo(r);
    new FileDescriptorMetrics().bindTo(r);
  }

  private static Counter rateLimitActions(MeterRegistry r, String action) {
    return Counter.builder("ztchat.rate.limit.actions")
        .description("What the per-user rate limit did: throttled (frames dropped) or closed")
        .tag("action", action)
        .register(r);
  }

  private void certificate(MeterRegistry r, String which, Supplier<X509Certificate> cert) {
    TimeGauge.builder(
            "ztchat.certificate.expiry.remaining",
            cert,
            TimeUnit.MILLISECONDS,
            c -> c.get().getNotAfter().toInstant().toEpochMilli() - server.clock().millis())
        .description("Time until the certificate expires; negative once it has")
        .tag("certificate", which)
        .register(r);
  }

  private double oldestAgeMillis() {
    long oldest = queue.oldestEnqueuedAtMillis();
    return oldest == 0 ? 0 : Math.max(0, server.clock().millis() - oldest);
  }

  private double crlMillis(boolean age) {
    X509CRL crl = server.currentRevocationList();
    if (crl == null) {
      return Double.NaN;
    }
    long now = server.clock().millis();
    return age
        ? now - crl.getThisUpdate().toInstant().toEpochMilli()
        : crl.getNextUpdate().toInstant().toEpochMilli() - now;
  }

  /**
   * The metrics in Prometheus text format, once the store's totals have been read (or {@code wait}
   * has passed: then with the totals of the previous scrape).
   */
  public CompletableFuture<String> scrape(Duration wait) {
    return server
        .queueTotals()
        .completeOnTimeout(queue, wait.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(e -> queue)
        .thenApply(
            t -> {
              queue = t;
              return server.meters().scrape();
            });
  }

  @Override
  public void close() {
    gc.close();
  }
}
