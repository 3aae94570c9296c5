package dev.ztchat.attacks;

import dev.ztchat.core.testkit.HostileRelay;
import java.time.Duration;

/**
 * The shared {@link HostileRelay} set up for an {@link AttackTarget}, failures worded for a report.
 */
final class HostileRelays {
  private HostileRelays() {}

  /** Starts a hostile relay with the target's server credential and certs folder. */
  static HostileRelay start(AttackTarget target) throws Exception {
    return HostileRelay.start(target.serverCredential(), target.caCertificate(), target.certs());
  }

  /** The next envelope a client sent through {@code relay}, waiting up to {@code timeout}. */
  static HostileRelay.Captured nextCaptured(HostileRelay relay, Duration timeout)
      throws InterruptedException, CouldNotRunException {
    HostileRelay.Captured c = relay.nextCaptured(timeout);
    if (c == null) {
      throw new CouldNotRunException(
          "no envelope reached the hostile relay within " + timeout.toSeconds() + " s");
    }
    return c;
  }
}
