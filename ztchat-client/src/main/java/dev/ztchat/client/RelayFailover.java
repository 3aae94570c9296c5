package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.client.RelayEndpoints.Endpoint;
import dev.ztchat.core.remedy.HasRemedy;
import dev.ztchat.core.remedy.RemedyIOException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which of the client's relays it uses, and moving on to the next one when that relay fails: a
 * refused or dropped connection, a TLS or setup failure, the relay refusing the connection or
 * closing it. The relays are tried in their order, wrapping around after the last; a client stays
 * on a relay that works. A refusal of this device's own certificate ({@link
 * CertificateRefusedException}) never moves on: every relay of one deployment trusts the same CA
 * and revocation list, so the user is told instead.
 *
 * <p>Thread-safe: the reconnect loop asks for the relay to try, and a connection's close hook (any
 * thread) reports it failed.
 */
final class RelayFailover {
  /** One attempt to connect to one relay. */
  @FunctionalInterface
  interface Attempt<C> {
    C connect(Endpoint relay) throws IOException;
  }

  private final RelayEndpoints relays;
  private int index; // guarded by this

  RelayFailover(RelayEndpoints relays) {
    this.relays = requireNonNull(relays, "relays");
  }

  /** The relay in use, or the one the next attempt goes to. */
  synchronized Endpoint current() {
    return relays.all().get(index);
  }

  /**
   * Reports that {@code relay} failed: the next attempt goes to the relay after it. A report about
   * a relay no longer current (an old connection's late close) changes nothing, so one failure
   * never skips a relay.
   */
  synchronized void failed(Endpoint relay) {
    if (relays.all().get(index).equals(relay)) {
      index = (index + 1) % relays.size();
    }
  }

  /**
   * One attempt on the current relay; if it fails other than by a certificate refusal, the next
   * attempt goes to the next relay. For the reconnect loop, which waits its back-off in between.
   */
  <C> C connectCurrent(Attempt<C> attempt) throws IOException {
    Endpoint relay = current();
    try {
      return attempt.connect(relay);
    } catch (CertificateRefusedException refused) {
      throw refused;
    } catch (IOException | RuntimeException e) {
      failed(relay);
      throw e;
    }
  }

  /**
   * Tries every relay once, from the current one, until one connects; for the one-shot commands
   * ({@code send}, {@code recv}), which fail rather than wait. A certificate refusal ends the tries
   * at once.
   *
   * @throws IOException saying why each relay failed, when none connected
   */
  <C> C connectAny(Attempt<C> attempt) throws IOException {
    List<IOException> failures = new ArrayList<>();
    for (int i = 0; i < relays.size(); i++) {
      try {
        return connectCurrent(attempt);
      } catch (CertificateRefusedException refused) {
        throw refused;
      } catch (IOException e) {
        failures.add(e);
      }
    }
    if (failures.size() == 1) {
      throw failures.getFirst();
    }
    String message =
        "no relay could be reached: "
            + String.join("; ", failures.stream().map(Throwable::getMessage).toList());
    // "Is the server running?" still helps when it is what every relay's failure suggests.
    var remedies = failures.stream().map(HasRemedy::of).distinct().toList();
    IOException all =
        remedies.size() == 1 && remedies.getFirst().isPresent()
            ? new RemedyIOException(message, remedies.getFirst().get(), failures.getLast())
            : new IOException(message, failures.getLast());
    failures.forEach(all::addSuppressed);
    throw all;
  }
}
