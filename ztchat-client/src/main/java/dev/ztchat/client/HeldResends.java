package dev.ztchat.client;

import java.util.Optional;

/**
 * The outbox key of a text re-sent to one device of a person, accepted after it was held (docs/
 * v2/devices.md section 6.3): {@code NAME/DEVICE-ID} for a direct text, {@code #GROUP-ID/NAME/
 * DEVICE-ID} for a text of a group the person is in. A user name never holds '/' or starts with
 * '#', and a group's own key holds no '/', so the kinds of key cannot be confused.
 */
final class HeldResends {
  private static final char SEPARATOR = '/';

  private HeldResends() {}

  /** The outbox key of a direct re-send to {@code person}'s device {@code deviceHex}. */
  static String key(String person, String deviceHex) {
    return person + SEPARATOR + deviceHex;
  }

  /**
   * The outbox key of a re-send of a text of the group {@code groupKey} ({@link Groups#key}) to
   * {@code person}'s device {@code deviceHex}.
   */
  static String groupKey(String groupKey, String person, String deviceHex) {
    return groupKey + SEPARATOR + key(person, deviceHex);
  }

  /** Whether an outbox key is that of a re-send to one device. */
  static boolean isKey(String key) {
    return key.indexOf(SEPARATOR) > 0;
  }

  /** The group ({@link Groups#key}) a re-send key names, empty for a direct re-send. */
  static Optional<String> group(String key) {
    return Groups.isGroupKey(key)
        ? Optional.of(key.substring(0, key.indexOf(SEPARATOR)))
        : Optional.empty();
  }

  /** The person a re-send key names. */
  static String person(String key) {
    String personAndDevice = group(key).map(g -> key.substring(g.length() + 1)).orElse(key);
    return personAndDevice.substring(0, personAndDevice.indexOf(SEPARATOR));
  }

  /** The device (hex) a re-send key names. */
  static String device(String key) {
    return key.substring(key.lastIndexOf(SEPARATOR) + 1);
  }
}
