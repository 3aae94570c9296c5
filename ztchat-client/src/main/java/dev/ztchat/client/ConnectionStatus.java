package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.remedy.Remedy;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * One change of the connection to the relay, as reported to the user interface: the new state, when
 * the next attempt is due (for {@link ConnectionState#DISCONNECTED}, otherwise zero), why the
 * connection was lost or could not be made ({@code null} if there is nothing to say), what the user
 * can do about it, for the front end to word, and which relay it is about: the one connected to or
 * being tried, or the one the next attempt goes to (empty when not known).
 */
public record ConnectionStatus(
    ConnectionState state,
    Duration retryIn,
    String reason,
    Optional<Remedy> remedy,
    Optional<RelayEndpoints.Endpoint> relay) {
  public ConnectionStatus {
    requireNonNull(state, "state");
    requireNonNull(retryIn, "retryIn");
    requireNonNull(remedy, "remedy");
    requireNonNull(relay, "relay");
  }

  /** A status that names no relay. */
  public ConnectionStatus(
      ConnectionState state, Duration retryIn, String reason, Optional<Remedy> remedy) {
    this(state, retryIn, reason, remedy, Optional.empty());
  }

  /** A status with nothing for the user to do. */
  public ConnectionStatus(ConnectionState state, Duration retryIn, String reason) {
    this(state, retryIn, reason, Optional.empty());
  }

  /** This status, about {@code relay}. */
  public ConnectionStatus withRelay(RelayEndpoints.Endpoint relay) {
    return new ConnectionStatus(state, retryIn, reason, remedy, Optional.of(relay));
  }

  /**
   * A line for the user, e.g. {@code connected to relay2.example.org:8443} or {@code offline
   * (connection refused); retrying in 2.4 s with relay2.example.org:8443}.
   */
  public String describe() {
    StringBuilder b = new StringBuilder(state.label());
    if (relay.isPresent() && state != ConnectionState.DISCONNECTED) {
      b.append(state == ConnectionState.REFUSED ? " by " : " to ").append(relay.get());
    }
    if (reason != null && !reason.isBlank()) {
      b.append(" (").append(reason).append(')');
    }
    if (state == ConnectionState.REFUSED) {
      b.append("; not retrying");
    }
    if (state == ConnectionState.DISCONNECTED) {
      b.append("; retrying in ")
          .append(String.format(Locale.ROOT, "%.1f s", retryIn.toMillis() / 1000.0));
      relay.ifPresent(r -> b.append(" with ").append(r));
    }
    return b.toString();
  }
}
