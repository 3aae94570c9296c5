package dev.ztchat.core.conversation;

import dev.ztchat.core.crypto.MlKem768;
import dev.ztchat.core.crypto.X25519;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.session.PrekeyKind;
import dev.ztchat.core.session.PrekeyStore;
import dev.ztchat.core.session.SignedPrekey;
import dev.ztchat.core.testing.DocumentedVector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The version-2 message test vector, read from section 10 of docs/v2/messages.md, with the keys,
 * certificates, SK and AD of the session-setup vector (docs/v2/session-setup.md section 9) that it
 * builds on, so that what the specification publishes is what is tested. TEST VECTOR keys, public:
 * they must never protect anything.
 */
final class MessageVector {
  static final Path MESSAGES = Path.of("..", "docs", "v2", "messages.md");
  static final Path SESSION = Path.of("..", "docs", "v2", "session-setup.md");

  private final String sessionSection;
  private final Map<String, String> values = new LinkedHashMap<>();

  private MessageVector(String sessionSection) {
    this.sessionSection = sessionSection;
  }

  /** The session vector only (for the generator, before section 10 exists). */
  static MessageVector sessionOnly() throws IOException {
    String session = section(SESSION, "## 9. Test vector");
    MessageVector v = new MessageVector(session);
    v.parse(session);
    return v;
  }

  static MessageVector load() throws IOException {
    return withInputs(MESSAGES);
  }

  /** The session vector and section 10 of {@code doc}. */
  static MessageVector withInputs(Path doc) throws IOException {
    MessageVector v = sessionOnly();
    v.parse(section(doc, "## 10. Test vector"));
    return v;
  }

  private static String section(Path doc, String title) throws IOException {
    return DocumentedVector.section(doc, title);
  }

  private void parse(String section) {
    DocumentedVector.parseInto(section, values);
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

  X509Certificate certificate(String fileName) throws IOException {
    return DocumentedVector.certificate(sessionSection, fileName);
  }

  DeviceKey device(String who) throws Exception {
    return new DeviceKey(
        p256(hex(who + "_device_private")), certificate("test-vector-v2-" + who + "-device.crt"));
  }

  /** The P-256 private key of the big-endian {@code scalar}. */
  static PrivateKey p256(byte[] scalar) throws GeneralSecurityException {
    AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
    p.init(new ECGenParameterSpec("secp256r1"));
    ECParameterSpec spec = p.getParameterSpec(ECParameterSpec.class);
    return KeyFactory.getInstance("EC")
        .generatePrivate(new ECPrivateKeySpec(new BigInteger(1, scalar), spec));
  }

  /**
   * Bob's prekey store holding the vector's signed prekey (id 1) and one-time prekey (id 2), and a
   * last-resort prekey (id 3) made here: the vector never uses it.
   */
  PrekeyStore bobPrekeys(DeviceKey bob) throws Exception {
    KeyPair oneTime =
        MlKem768.generate(
            new Scripted()
                .then(hex("bob_one_time_prekey_seed_d"))
                .then(hex("bob_one_time_prekey_seed_z")));
    KeyPair lastResort = MlKem768.generate(new SecureRandom());
    SignedPrekey lastResortPublished =
        SignedPrekey.sign(
            bob,
            PrekeyKind.LAST_RESORT_ML_KEM_768,
            3,
            MlKem768.rawPublicKey(lastResort.getPublic()),
            new SecureRandom());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(1);
    out.writeBytes(bob.certificateHash());
    out.writeBytes(ByteBuffer.allocate(4).putInt(4).array());
    bytes16(out, hex("bob_signed_prekey"));
    out.writeBytes(X25519.rawPrivateKey(spk().privateKey()));
    out.writeBytes(ByteBuffer.allocate(8).putLong(0).array());
    out.write(0);
    bytes16(out, lastResortPublished.encode());
    bytes16(out, MlKem768.encodedPrivateKey(lastResort.getPrivate()));
    out.writeBytes(new byte[] {0, 1});
    bytes16(out, hex("bob_one_time_prekey"));
    bytes16(out, MlKem768.encodedPrivateKey(oneTime.getPrivate()));
    return PrekeyStore.fromBytes(out.toByteArray());
  }

  X25519.KeyPair spk() {
    return X25519.fromPrivateKey(hex("bob_signed_prekey_private"));
  }

  private static void bytes16(ByteArrayOutputStream out, byte[] b) {
    out.write(b.length >>> 8);
    out.write(b.length & 0xff);
    out.writeBytes(b);
  }

  /** {@code name = hex}, the hex wrapped at 64 characters, as the vector sections write values. */
  static String line(String name, byte[] value) {
    String hex = HexFormat.of().formatHex(value);
    StringBuilder out = new StringBuilder(name).append(" = ");
    if (hex.length() <= 64) {
      return out.append(hex).append('\n').toString();
    }
    out.append('\n');
    for (int i = 0; i < hex.length(); i += 64) {
      out.append(hex, i, Math.min(hex.length(), i + 64)).append('\n');
    }
    return out.toString();
  }

  /**
   * A {@link SecureRandom} for the vector, for tests only: hands out the given bytes in order, as a
   * stream, and fails when they run out, so the vector publishes every random input.
   */
  static final class Scripted extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final ByteArrayOutputStream script = new ByteArrayOutputStream();
    private int position;

    Scripted() {
      super(new byte[0]);
    }

    Scripted then(byte[] bytes) {
      script.writeBytes(bytes);
      return this;
    }

    synchronized boolean usedUp() {
      return position == script.size();
    }

    @Override
    public synchronized void nextBytes(byte[] bytes) {
      byte[] all = script.toByteArray();
      if (all.length - position < bytes.length) {
        throw new IllegalStateException("the script has no " + bytes.length + " more bytes");
      }
      System.arraycopy(all, position, bytes, 0, bytes.length);
      position += bytes.length;
    }
  }
}
