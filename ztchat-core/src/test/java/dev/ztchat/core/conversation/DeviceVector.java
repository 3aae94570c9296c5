package dev.ztchat.core.conversation;

import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.testing.DocumentedVector;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The devices and groups test vector, read from section 8 of docs/v2/devices.md (certificates of
 * named devices, their sessions and a message to several devices) and section 13 of
 * docs/v2/groups.md (a group change and a group text sealed to the members' devices, and a
 * forwarded change), so that what the specification publishes is what is tested. TEST VECTOR keys,
 * public: they must never protect anything.
 */
final class DeviceVector {
  static final Path DEVICES_DOC = Path.of("..", "docs", "v2", "devices.md");
  static final Path GROUPS_DOC = Path.of("..", "docs", "v2", "groups.md");
  static final String DEVICES_HEADING = "## 8. Test vector";
  static final String GROUPS_HEADING = "## 13. Test vector: sealed group messages";

  /**
   * The devices of the vector, each {@code person_device} (carol's is unnamed: {@code default}).
   */
  static final List<String> DEVICES =
      List.of("alice_laptop", "alice_phone", "bob_laptop", "bob_phone", "carol");

  /** The devices alice's laptop has a session with, in the order the sessions are listed. */
  static final List<String> SESSIONS = List.of("bob_laptop", "bob_phone", "alice_phone", "carol");

  /** The device that writes every message of the vector. */
  static final String SENDER = "alice_laptop";

  private final String devicesSection;
  private final Map<String, String> values = new LinkedHashMap<>();

  private DeviceVector(String devicesSection) {
    this.devicesSection = devicesSection;
  }

  /** Both sections, from the specification. */
  static DeviceVector load() throws IOException {
    return of(DEVICES_DOC, GROUPS_DOC);
  }

  /** Section 8 of {@code devicesDoc} and, unless null, section 13 of {@code groupsDoc}. */
  static DeviceVector of(Path devicesDoc, Path groupsDoc) throws IOException {
    DeviceVector v = new DeviceVector(DocumentedVector.section(devicesDoc, DEVICES_HEADING));
    DocumentedVector.parseInto(v.devicesSection, v.values);
    if (groupsDoc != null) {
      DocumentedVector.parseInto(DocumentedVector.section(groupsDoc, GROUPS_HEADING), v.values);
    }
    return v;
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  byte[] hex(String name) {
    String v = values.get(name);
    if (v == null) {
      throw new IllegalStateException("the vector has no value " + name);
    }
    return HexFormat.of().parseHex(v);
  }

  long number(String name) {
    return new BigInteger(1, hex(name)).longValueExact();
  }

  /** The person of {@code device} ({@code bob_phone}: {@code bob}). */
  static String person(String device) {
    int underscore = device.indexOf('_');
    return underscore < 0 ? device : device.substring(0, underscore);
  }

  /** The file name the vector gives {@code device}'s certificate. */
  static String certificateFile(String device) {
    return "test-vector-v2-" + device.replace('_', '-') + ".crt";
  }

  X509Certificate ca() throws IOException {
    return DocumentedVector.certificate(devicesSection, "test-vector-v2-devices-ca.crt");
  }

  X509Certificate certificate(String device) throws IOException {
    return DocumentedVector.certificate(devicesSection, certificateFile(device));
  }

  DeviceKey key(String device) throws Exception {
    return new DeviceKey(MessageVector.p256(hex(device + "_device_private")), certificate(device));
  }
}
