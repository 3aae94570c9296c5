package dev.ztchat.core.pki;

import java.util.regex.Pattern;

/**
 * The rule for device names (the {@code DEVICE} of {@code pki issue NAME --device DEVICE}): 1 to 32
 * characters from {@code [a-z0-9._-]}, starting with a letter or digit, the rule of user names
 * ({@link IdentityName}). A device name is the organizational unit (OU) of its device certificate's
 * subject and a folder name under {@code users/NAME/devices/} (docs/PKI.md, docs/v2/devices.md). It
 * names a device to its owner and administrator; peers and the relay tell devices apart by their
 * device id (the SHA-256 of the certificate), never by this name.
 */
public final class DeviceName {
  /** Longest allowed device name. */
  public static final int MAX_LENGTH = 32;

  /**
   * The name of the device whose files are {@code users/NAME/device.{crt,key}}: the one device a
   * user had before devices had names. No {@code devices/} folder may take it.
   */
  public static final String DEFAULT = "default";

  private static final Pattern ALLOWED = Pattern.compile("[a-z0-9][a-z0-9._-]*");

  private DeviceName() {}

  /** Returns true when {@code device} is an acceptable device name. */
  public static boolean isValid(String device) {
    return device != null
        && !device.isEmpty()
        && device.length() <= MAX_LENGTH
        && ALLOWED.matcher(device).matches();
  }

  /**
   * Throws {@link IllegalArgumentException} with a message that says what is allowed, unless {@code
   * device} is valid; returns it.
   */
  public static String validate(String device) {
    if (!isValid(device)) {
      throw new IllegalArgumentException(
          "device name '"
              + (device == null ? "" : device.replaceAll("[^\\x20-\\x7e]", "?"))
              + "' is not allowed: use 1 to "
              + MAX_LENGTH
              + " lowercase letters, digits, '.', '_' and '-', starting with a letter or digit"
              + " (for example laptop or phone)");
    }
    return device;
  }
}
