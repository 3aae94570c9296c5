package dev.ztchat.client;

/**
 * The outbox key of a text re-sent to one device of a person, accepted after it was held (docs/
 * v2/devices.md section 6.3): {@code NAME/DEVICE-ID}. A user name never holds '/', and a group's
 * key starts with '#' or '!', so the three kinds of key cannot be confused.
 */
final class HeldResends {
  private static final char SEPARATOR = '/';

  private HeldResends() {}

  /** The outbox key of a re-send to {@code person}'s device {@code deviceHex}. */
  static String key(String person, String deviceHex) {
    return person + SEPARATOR + deviceHex;
  }

  /** Whether an outbox key is that of a re-send to one device. */
  static boolean isKey(String key) {
    return key.indexOf(SEPARATOR) > 0;
  }

  /** The person a re-send key names. */
  static String person(String key) {
    return key.substring(0, key.indexOf(SEPARATOR));
  }

  /** The device (hex) a re-send key names. */
  static String device(String key) {
    return key.substring(key.indexOf(SEPARATOR) + 1);
  }
}
