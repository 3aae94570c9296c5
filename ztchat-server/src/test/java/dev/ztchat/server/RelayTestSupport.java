package dev.ztchat.server;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.envelope.SealedEnvelope;
import dev.ztchat.core.envelope.WrappedKey;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Helpers for relay tests: structurally valid envelopes (the relay never decrypts) and polling. */
final class RelayTestSupport {
  private static final SecureRandom RANDOM = new SecureRandom();

  private RelayTestSupport() {}

  /** A well-formed envelope from {@code sender} to {@code recipients} with random "crypto" bytes. */
  static byte[] envelope(String sender, String... recipients) {
    return envelope(sender, 64, recipients);
  }

  static byte[] envelope(String sender, int ciphertextBytes, String... recipients) {
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    List<WrappedKey> keys = new ArrayList<>();
    for (String r : recipients) {
      keys.add(new WrappedKey(r, random(32), random(256)));
    }
    return EnvelopeCodec.encode(
        new SealedEnvelope(
            new EnvelopeHeader(1, sender, List.of(recipients), System.currentTimeMillis(), id),
            keys,
            random(12),
            random(ciphertextBytes),
            random(256)));
  }

  static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  /** Waits up to {@code timeout} for {@code condition}; returns whether it became true. */
  static boolean eventually(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(20);
    }
    return condition.getAsBoolean();
  }

  /** A raw TLS connection to {@code server} as {@code user} of {@code pki}, past the server's welcome. */
  static RawTlsClient connectWelcomed(RelayServer server, TestPki pki, String user)
      throws Exception {
    RawTlsClient c = RawTlsClient.connect(server.port(), pki.user(user).signing(), pki.ca().certificate());
    c.expect(Frame.Welcome.class);
    return c;
  }

  /** The message id (hex) in {@code envelope}'s header. */
  static String idOf(byte[] envelope) {
    try {
      return EnvelopeCodec.decodeHeader(envelope).messageIdHex();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** True when no {@code deliver} arrives on {@code c} before it stays silent for {@code quiet}. */
  static boolean nothingDelivered(RawTlsClient c, Duration quiet) throws Exception {
    try {
      while (true) {
        if (c.read(quiet) instanceof Frame.Deliver) {
          return false;
        }
      }
    } catch (SocketTimeoutException e) {
      return true;
    }
  }
}
