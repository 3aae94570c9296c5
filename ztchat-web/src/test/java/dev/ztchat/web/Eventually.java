package dev.ztchat.web;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Bounded polling for conditions a browser or a socket meets in its own time (core's test kit is
 * not exported to this module).
 */
final class Eventually {
  private Eventually() {}

  /** Whether {@code condition} held within {@code timeout}, checked every 50 ms. */
  static boolean holds(Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
