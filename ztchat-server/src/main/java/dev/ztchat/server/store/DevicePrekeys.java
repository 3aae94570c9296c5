package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import java.util.OptionalLong;

/**
 * What the relay holds for one device after a publication: how many one-time prekeys are left (and
 * the most it keeps), the ids of its signed and last-resort prekeys (empty when it has none), and
 * the smallest id it accepts for a new one-time prekey.
 */
public record DevicePrekeys(
    int oneTime,
    int oneTimeLimit,
    OptionalLong signedPrekeyId,
    OptionalLong lastResortId,
    long nextOneTimeId) {
  public DevicePrekeys {
    requireNonNull(signedPrekeyId, "signedPrekeyId");
    requireNonNull(lastResortId, "lastResortId");
  }
}
