package dev.ztchat.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every byte of an initial-message header and of a bundle flipped in turn: none is accepted, and
 * each is refused by the decoder or by a typed check.
 */
class SessionTamperTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static DeviceKey alice;
  private static DeviceKey bob;
  private static PrekeyStore store;
  private static PrekeyBundle bundle;

  @BeforeAll
  static void setUp() throws Exception {
    DevicePki pki = new DevicePki();
    alice = pki.device("alice");
    bob = pki.device("bob");
    store = PrekeyStore.generate(bob, 1, Instant.parse("2026-01-01T00:00:00Z"), RANDOM);
    bundle =
        PrekeyBundle.of(bob.certificate(), store.signedPrekey(), store.oneTimePrekeys().get(0));
  }

  @Test
  void initialHeader_everyByteFlipped_isRefused() throws Exception {
    byte[] good = SessionInitiator.start(alice, bundle, RANDOM).header().encode();
    Set<SessionSetupException.Reason> seen = EnumSet.noneOf(SessionSetupException.Reason.class);
    int malformed = 0;

    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] ^= 0x01;
      InitialMessageHeader h;
      try {
        h = InitialMessageHeader.decode(bad);
      } catch (MalformedSessionDataException e) {
        malformed++;
        continue;
      }
      try {
        SessionResponder.accept(store, bob, alice.certificate(), h);
        fail("byte %d flipped was accepted", i);
      } catch (SessionSetupException e) {
        seen.add(e.reason());
      }
    }

    assertThat(malformed).isPositive();
    assertThat(seen)
        .contains(
            SessionSetupException.Reason.BAD_INITIATOR_SIGNATURE,
            SessionSetupException.Reason.UNKNOWN_PREKEY);
    assertThat(store.oneTimePrekeys()).hasSize(1);
  }

  @Test
  void bundle_everyByteFlipped_isRefused() {
    byte[] good = bundle.encode();

    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] ^= 0x01;
      try {
        SessionInitiator.start(alice, PrekeyBundle.decode(bad), RANDOM);
        fail("bundle byte %d flipped was accepted", i);
      } catch (MalformedSessionDataException | SessionSetupException expected) {
        // refused, as it must be
      }
    }
  }
}
