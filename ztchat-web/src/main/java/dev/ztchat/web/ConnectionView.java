package dev.ztchat.web;

import static java.util.Objects.requireNonNull;

import dev.ztchat.client.ConnectionState;
import dev.ztchat.client.ConnectionStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The connection to the relay as the page shows it: online, connecting, reconnecting at a given
 * time (the page counts the seconds down), or refused with the reason; each naming the relay
 * ({@code host:port}) connected to, tried next, or refusing, when it is known. Not thread-safe:
 * used by the {@link PageWorker}'s thread.
 */
final class ConnectionView {
  private final Clock clock;
  private ConnectionStatus status =
      new ConnectionStatus(ConnectionState.CONNECTING, Duration.ZERO, null);
  private Instant since;

  ConnectionView(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
    this.since = clock.instant();
  }

  void changed(ConnectionStatus now) {
    status = requireNonNull(now, "now");
    since = clock.instant();
  }

  boolean online() {
    return status.state() == ConnectionState.CONNECTED;
  }

  String event() {
    ConnectionStatus s = status;
    String state =
        switch (s.state()) {
          case CONNECTED -> "online";
          case CONNECTING -> "connecting";
          case DISCONNECTED -> "reconnecting";
          case REFUSED -> "refused";
        };
    long retryAt = since.plus(s.retryIn()).toEpochMilli();
    return PageEvents.event(
        "connection",
        g -> {
          g.writeStringField("state", state);
          g.writeNumberField("retryAt", retryAt);
          g.writeNumberField("now", clock.millis());
          g.writeStringField("reason", s.reason() == null ? "" : s.reason());
          g.writeStringField("relay", s.relay().map(Object::toString).orElse(""));
        });
  }
}
