package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trust on first use: the first keys seen are pinned, and any other key is a change, never a match.
 */
class ContactPinsTest {
  static final TestPki PKI = TestPki.create("alice", "bob");

  /** Another CA's bob: the same name, different keys. */
  static final TestPki OTHER = TestPki.rogue("bob");

  @TempDir Path dir;
  ClientStore store;
  ContactPins pins;

  @BeforeEach
  void open() throws Exception {
    store = ClientStore.open(dir.resolve("data"));
    pins = new ContactPins(store, MutableClock.at(Instant.parse("2026-12-01T00:00:00Z")));
  }

  @AfterEach
  void close() throws Exception {
    store.close();
  }

  static VerifiedContact contact(String name, UserIdentity keys) {
    return new VerifiedContact(name, keys.signing().certificate(), keys.encryption().certificate());
  }

  @Test
  void firstCheck_isFirstUse_andPinsTheKeys() throws Exception {
    VerifiedContact bob = contact("bob", PKI.user("bob"));

    assertThat(pins.check(bob)).isEqualTo(new ContactPins.FirstUse(bob.fingerprint()));
    assertThat(pins.isPinned("bob")).isTrue();
    assertThat(pins.check(bob)).isEqualTo(new ContactPins.Matches(bob.fingerprint()));
  }

  @Test
  void otherKeysUnderAPinnedName_areAChange_andTheOldPinStays() throws Exception {
    VerifiedContact bob = contact("bob", PKI.user("bob"));
    VerifiedContact otherBob = contact("bob", OTHER.user("bob"));
    pins.check(bob);

    assertThat(pins.check(otherBob))
        .isEqualTo(new ContactPins.Changed(bob.fingerprint(), otherBob.fingerprint()));
    assertThat(pins.check(otherBob))
        .as("a change is reported again, not pinned by being seen")
        .isInstanceOf(ContactPins.Changed.class);
    assertThat(pins.check(bob)).isInstanceOf(ContactPins.Matches.class);
  }

  @Test
  void swappedSigningAndEncryptionKeys_areAChange() throws Exception {
    UserIdentity bob = PKI.user("bob");
    pins.check(contact("bob", bob));

    VerifiedContact swapped =
        new VerifiedContact("bob", bob.encryption().certificate(), bob.signing().certificate());

    assertThat(pins.check(swapped)).isInstanceOf(ContactPins.Changed.class);
  }

  @Test
  void onlyTheEncryptionKeyChanged_isAChange() throws Exception {
    UserIdentity bob = PKI.user("bob");
    pins.check(contact("bob", bob));

    VerifiedContact newEncryption =
        new VerifiedContact(
            "bob", bob.signing().certificate(), OTHER.user("bob").encryption().certificate());

    assertThat(pins.check(newEncryption)).isInstanceOf(ContactPins.Changed.class);
  }

  @Test
  void compare_ofAStranger_isFirstUse_butPinsNothing() throws Exception {
    VerifiedContact bob = contact("bob", PKI.user("bob"));

    assertThat(pins.compare(bob)).isInstanceOf(ContactPins.FirstUse.class);
    assertThat(pins.isPinned("bob")).isFalse();
    assertThat(pins.pinned("bob")).isEmpty();
  }

  @Test
  void accept_replacesThePin_soTheNewKeysMatchAndTheOldOnesAreAChange() throws Exception {
    VerifiedContact bob = contact("bob", PKI.user("bob"));
    VerifiedContact renewedBob = contact("bob", OTHER.user("bob"));
    pins.check(bob);

    pins.accept(renewedBob);

    assertThat(pins.check(renewedBob)).isInstanceOf(ContactPins.Matches.class);
    assertThat(pins.check(bob)).isInstanceOf(ContactPins.Changed.class);
  }

  @Test
  void pinsAreKeptPerName_aKeyPinnedForOneNameIsFirstUseForAnother() throws Exception {
    UserIdentity bob = PKI.user("bob");
    pins.check(contact("bob", bob));

    assertThat(pins.check(contact("alice", PKI.user("alice"))))
        .isInstanceOf(ContactPins.FirstUse.class);
    assertThat(pins.pinned("bob"))
        .get()
        .satisfies(
            p -> {
              assertThat(p.signingKeyHex())
                  .isEqualTo(KeyFingerprints.ofKey(bob.signing().certificate()));
              assertThat(p.encryptionKeyHex())
                  .isEqualTo(KeyFingerprints.ofKey(bob.encryption().certificate()));
            });
  }

  @Test
  void pinsSurviveReopeningTheStore() throws Exception {
    VerifiedContact bob = contact("bob", PKI.user("bob"));
    pins.check(bob);
    store.close();

    store = ClientStore.open(dir.resolve("data"));
    pins = new ContactPins(store, MutableClock.at(Instant.parse("2026-12-02T00:00:00Z")));

    assertThat(pins.check(contact("bob", OTHER.user("bob"))))
        .isInstanceOf(ContactPins.Changed.class);
  }
}
