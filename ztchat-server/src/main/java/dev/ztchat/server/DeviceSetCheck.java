package dev.ztchat.server;

import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.server.store.OfflineQueue;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Compares the devices a {@code send} says its envelope is sealed to with each person's current
 * devices (docs/v2/devices.md section 6.2), so that no message is stored for a stale device set:
 * the missing devices (current, not named) and the extra ones (named, not current) are reported to
 * the sender, which refreshes its list and seals again. Persons whose copies go to any device (no
 * named device) are not checked. Stateless.
 */
final class DeviceSetCheck {
  private DeviceSetCheck() {}

  /** The devices missing from and extra in a {@code send}'s list, as {@code NAME:DEVICE-ID}. */
  record Stale(List<String> missing, List<String> extra) {
    Stale {
      missing = List.copyOf(missing);
      extra = List.copyOf(extra);
    }

    /** The error message of {@code stale_devices} (docs/PROTOCOL.md, error codes). */
    String message() {
      return "the devices this message is sealed to are out of date: missing="
          + String.join(",", missing)
          + " extra="
          + String.join(",", extra)
          + " ; fetch the missing devices' keys, drop the extra ones and send again";
    }
  }

  /**
   * Checks {@code named} (the {@code send}'s devices) for the envelope's recipients and its sender;
   * {@code expected} gives a person's current devices as the store would target them ({@link
   * OfflineQueue#ANY_DEVICE} alone: not checked).
   */
  static Optional<Stale> check(
      RoutingPrefix header, List<String> named, Function<String, List<String>> expected) {
    Set<String> persons = new LinkedHashSet<>(header.recipients());
    persons.add(header.sender());
    Set<String> remaining = new LinkedHashSet<>(named);
    List<String> missing = new ArrayList<>();
    for (String person : persons) {
      List<String> current = expected.apply(person);
      if (current.contains(OfflineQueue.ANY_DEVICE)) {
        remaining.removeIf(d -> d.startsWith(person + ":"));
        continue;
      }
      for (String d : current) {
        String entry = person + ":" + d;
        if (!remaining.remove(entry)) {
          missing.add(entry);
        }
      }
    }
    List<String> extra = new ArrayList<>(remaining);
    return missing.isEmpty() && extra.isEmpty()
        ? Optional.empty()
        : Optional.of(new Stale(missing, extra));
  }
}
