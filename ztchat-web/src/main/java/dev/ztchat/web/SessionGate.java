package dev.ztchat.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Who may use the page: the one-time secret printed in the address is exchanged, once, for a
 * session token that the browser keeps as an HttpOnly cookie. A second use of the secret is
 * refused, so the address in a browser's history or a shell's scrollback opens nothing later.
 *
 * <p>Secrets are compared in constant time ({@link MessageDigest#isEqual}). Neither the secret nor
 * a token is ever logged or put into an exception message. Thread-safe.
 */
final class SessionGate {
  private static final int SECRET_BYTES = 32;

  private final byte[] secret;
  private final AtomicBoolean redeemed = new AtomicBoolean();
  private final List<byte[]> sessions = new CopyOnWriteArrayList<>();
  private final SecureRandom random;

  SessionGate(SecureRandom random) {
    this.random = random;
    this.secret = token().getBytes(StandardCharsets.US_ASCII);
  }

  /** The one-time secret, for the printed address only. */
  String secret() {
    return new String(secret, StandardCharsets.US_ASCII);
  }

  /**
   * A new session token if {@code presented} is the secret and it was not used before; empty
   * otherwise (wrong, or already used).
   */
  Optional<String> redeem(String presented) {
    if (presented == null
        || !MessageDigest.isEqual(secret, presented.getBytes(StandardCharsets.US_ASCII))
        || !redeemed.compareAndSet(false, true)) {
      return Optional.empty();
    }
    String session = token();
    sessions.add(session.getBytes(StandardCharsets.US_ASCII));
    return Optional.of(session);
  }

  /** Whether {@code presented} is a session token this gate gave out. */
  boolean isSession(String presented) {
    if (presented == null || presented.isEmpty()) {
      return false;
    }
    byte[] p = presented.getBytes(StandardCharsets.US_ASCII);
    boolean found = false;
    for (byte[] s : sessions) {
      found |= MessageDigest.isEqual(s, p);
    }
    return found;
  }

  private String token() {
    byte[] b = new byte[SECRET_BYTES];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
