package dev.ztchat.server;

import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.session.PrekeyKind;
import dev.ztchat.core.testkit.RawFrameClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * Prekeys for relay tests: structurally valid encodings with random keys and "signatures" (the
 * relay checks structure and sizes only; the receiving device verifies signatures).
 */
final class PrekeyTestSupport {
  private static final SecureRandom RANDOM = new SecureRandom();

  private PrekeyTestSupport() {}

  /** A prekey of {@code kind} and {@code id} with a 71-byte signature. */
  static byte[] prekey(PrekeyKind kind, long id) {
    return prekey(kind.code(), id, kind.keyLength(), 71);
  }

  /** Any layout, also a wrong one: {@code u8 kind | u32 id | bin16 key | bin16 signature}. */
  static byte[] prekey(int kind, long id, int keyLength, int signatureLength) {
    ByteBuffer b = ByteBuffer.allocate(1 + 4 + 2 + keyLength + 2 + signatureLength);
    b.put((byte) kind).putInt((int) id).putShort((short) keyLength);
    b.put(random(keyLength));
    b.putShort((short) signatureLength).put(random(signatureLength));
    return b.array();
  }

  static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  static byte[] der(X509Certificate cert) {
    try {
      return cert.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The device id of a certificate: hex SHA-256 of its DER. */
  static String deviceId(X509Certificate cert) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der(cert)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Publishes the certificate, a signed prekey (id 1) and a last-resort prekey (id 1). */
  static Frame.PrekeyStock publishDevice(
      RawFrameClient c, X509Certificate cert, byte[] signed, byte[] lastResort) throws IOException {
    return (Frame.PrekeyStock)
        answer(
            c,
            new Frame.PublishPrekeys(
                "dev", deviceId(cert), der(cert), signed, lastResort, List.of()));
  }

  /** Sends {@code request} and returns the frame that answers its ref (or an error without one). */
  static Frame answer(RawFrameClient c, Frame request) throws IOException {
    c.send(request);
    for (int i = 0; i < 200; i++) {
      Frame f;
      try {
        f = c.read(Duration.ofSeconds(10));
      } catch (dev.ztchat.core.protocol.MalformedFrameException e) {
        throw new IOException(e);
      }
      if (request.ref().equals(f.ref()) || (f instanceof Frame.Error e && e.ref() == null)) {
        return f;
      }
    }
    throw new IOException("no answer to " + request.ref());
  }
}
