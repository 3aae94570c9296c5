package dev.ztchat.core.ratchet;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.ztchat.core.crypto.X25519;
import dev.ztchat.core.testkit.MutableClock;
import java.security.SecureRandom;
import java.time.Instant;

/**
 * One side of a test conversation: holds the current state and commits each result, as a client
 * that persists the next state would.
 */
final class Party {
  /** What the envelope layer passes as extra associated data in these tests. */
  static final byte[] EXTRA = "routing-prefix".getBytes(UTF_8);

  static final Instant START = Instant.parse("2026-12-01T12:00:00Z");

  RatchetState state;
  final MutableClock clock;
  final SecureRandom random;

  Party(RatchetState state, MutableClock clock, SecureRandom random) {
    this.state = state;
    this.clock = clock;
    this.random = random;
  }

  /** Alice (initiator) and Bob (responder) sharing one clock, as after a session setup. */
  static Party[] pair(long seed) {
    TestRandom random = new TestRandom(seed);
    byte[] sk = random.bytes(32);
    byte[] ad = random.bytes(32);
    X25519.KeyPair prekey = X25519.generate(random);
    MutableClock clock = MutableClock.at(START);
    Party alice =
        new Party(
            RatchetState.initiator(sk, prekey.publicKey(), ad), clock, new TestRandom(seed + 1));
    Party bob = new Party(RatchetState.responder(sk, prekey, ad), clock, new TestRandom(seed + 2));
    return new Party[] {alice, bob};
  }

  byte[] send(String text) {
    RatchetState.Sealed sealed =
        state.encrypt(text.getBytes(UTF_8), EXTRA, clock.instant(), random);
    state = sealed.next();
    return sealed.message();
  }

  String receive(byte[] message) throws RatchetException {
    RatchetState.Opened opened = state.decrypt(message, EXTRA, clock.instant(), random);
    state = opened.next();
    return new String(opened.plaintext(), UTF_8);
  }
}
