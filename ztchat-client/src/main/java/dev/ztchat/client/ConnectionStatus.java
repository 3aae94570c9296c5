package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.remedy.Remedy;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * One change of the connection to the relay, as reported to the user interface: the new state, when
 * the next attempt is due (for {@link ConnectionState#DISCONNECTED}, otherwise zero), why the
 * connection was lost or could not be made ({@code null} if there is nothing to say) and what the
 * user can do about it, for the front end to word.
 */
public record ConnectionStatus(
    ConnectionState state, Duration retryIn, String reason, Optional<Remedy> remedy) {
  public ConnectionStatus {
    requireNonNull(state, "state");
    requireNonNull(retryIn, "retryIn");
    requireNonNull(remedy, "remedy");
  }

  /** A status with nothing for the user to do. */
  public ConnectionStatus(ConnectionState state, Duration retryIn, String reason) {
    this(state, retryIn, reason, Optional.empty());
  }

  /** A line for the user, e.g. {@code offline (connection refused); retrying in 2.4 s}. */
  public String describe() {
    StringBuilder b = new StringBuilder(state.label());
    if (reason != null && !reason.isBlank()) {
      b.append(" (").append(reason).append(')');
    }
    if (state == ConnectionState.REFUSED) {
      b.append("; not retrying");
    }
    if (state == ConnectionState.DISCONNECTED) {
      b.append("; retrying in ")
          .append(String.format(Locale.ROOT, "%.1f s", retryIn.toMillis() / 1000.0));
    }
    return b.toString();
  }
}
