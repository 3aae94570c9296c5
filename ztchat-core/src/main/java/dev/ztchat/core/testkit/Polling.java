package dev.ztchat.core.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Bounded polling, for the places where a real process or socket decides when something happens (a
 * relay closing a connection, a child process printing its port). Time that the code under test
 * reads from a clock is never waited for: it is moved with a {@link MutableClock}.
 */
public final class Polling {
  private static final long PAUSE_MILLIS = 20;

  private Polling() {}

  /**
   * Checks {@code condition} until it holds or {@code timeout} has passed; returns whether it held.
   * Returns as soon as it does, so a generous timeout costs nothing when things go right.
   */
  public static boolean eventually(Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() - deadline < 0) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(PAUSE_MILLIS);
    }
    return condition.getAsBoolean();
  }
}
