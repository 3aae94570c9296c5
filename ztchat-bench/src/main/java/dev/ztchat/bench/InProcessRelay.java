package dev.ztchat.bench;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.server.ConnectionLimits;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import dev.ztchat.server.store.QueueLimits;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The relay as the benches run it: the product's defaults (durable store, BoringSSL when it loads)
 * except the per-user rate limit, raised to its maximum because one user sends the whole load, the
 * per-recipient quota, raised to hold a whole run, and the idle timeout, raised so idle capacity
 * connections are not closed during the run, and the connection caps, raised to their maximum
 * because the load generators open many connections as one user from one address.
 */
final class InProcessRelay {
  private InProcessRelay() {}

  static RelayServerConfig config(BenchPki pki) throws IOException {
    return config(pki.layout(), pki.newFolder("relay-data-"));
  }

  static RelayServerConfig config(CertsLayout certs, Path data) {
    return RelayServerConfig.defaults(certs, data)
        .withPort(0)
        .withRateLimit(ProtocolLimits.MAX_FRAMES_PER_SECOND, ProtocolLimits.MAX_FRAME_BURST)
        .withQueue(QueueLimits.defaults(data).withQuota(1_000_000, 1L << 32))
        .withTimeouts(
            Duration.ofMinutes(30), ProtocolLimits.DEFAULT_FRAME_TIMEOUT, Duration.ofSeconds(60))
        .withConnectionLimits(ConnectionLimits.highest());
  }

  static RelayServer start(BenchPki pki) throws IOException, InterruptedException {
    return RelayServer.start(config(pki));
  }
}
