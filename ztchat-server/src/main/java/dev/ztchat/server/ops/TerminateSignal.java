package dev.ztchat.server.ops;

import dev.ztchat.server.RelayServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes SIGTERM and SIGINT (systemd's stop, Ctrl-C) shut the relay down gracefully ({@link
 * RelayServer#shutdownGracefully}) instead of the JVM's abrupt exit with status 143: the relay's
 * {@code awaitClose} then returns and the process exits 0. A second signal while shutting down is
 * ignored; the bound keeps the whole within systemd's stop timeout.
 */
public final class TerminateSignal {
  private static final Logger LOG = LoggerFactory.getLogger(TerminateSignal.class);

  /** How long a shutdown may take by default (systemd waits 90 s before SIGKILL). */
  public static final Duration DEFAULT_BOUND = Duration.ofSeconds(20);

  private TerminateSignal() {}

  /** Installs the handler; returns false (and logs why) where signals are unavailable. */
  public static boolean install(RelayServer server, Duration bound) {
    AtomicBoolean once = new AtomicBoolean();
    Runnable stop =
        () -> {
          if (once.compareAndSet(false, true)) {
            LOG.info("stop signal: shutting down gracefully (at most {})", bound);
            Thread.ofPlatform()
                .name("ztchat-shutdown")
                .start(() -> server.shutdownGracefully(bound));
          }
        };
    try {
      // SIGINT is ignored in a relay a script started in the background: then only SIGTERM stops it
      Signals.handle("INT", stop);
      if (Signals.handle("TERM", stop)) {
        return true;
      }
      LOG.warn("graceful shutdown on SIGTERM unavailable: this process ignores SIGTERM");
      return false;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn(
          "graceful shutdown on SIGTERM unavailable ({}); the JVM's exit applies", e.toString());
      return false;
    }
  }
}
