package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testing.TestPki;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link VerifiedContact} cannot be made outside the client package, and pinning re-verifies it.
 */
class VerifiedContactTest {
  static final TestPki PKI = TestPki.create("alice", "bob");
  static final TestPki ROGUE = TestPki.rogue("bob");

  @TempDir Path dir;

  @Test
  void verifiedContact_hasNoPublicConstructor_andCannotBeSubclassed() {
    assertThat(VerifiedContact.class.getConstructors()).as("public constructors").isEmpty();
    assertThat(Modifier.isFinal(VerifiedContact.class.getModifiers())).isTrue();
    assertThat(VerifiedContact.class.isRecord())
        .as("a record's canonical constructor is public")
        .isFalse();
    assertThat(
            Arrays.stream(VerifiedContact.class.getDeclaredConstructors())
                .map(c -> c.getModifiers()))
        .allMatch(m -> !Modifier.isPublic(m) && !Modifier.isProtected(m));
  }

  @Test
  void acceptChange_withKeysNotIssuedByTheCaForThatName_pinsNothing() throws Exception {
    try (ClientStore store = ClientStore.open(dir.resolve("data"))) {
      ContactPins pins = new ContactPins(store, Clock.systemUTC());
      ContactDirectory contacts =
          new ContactDirectory(
              () -> {
                throw new IOException("not connected");
              },
              new CertificateVerifier(PKI.ca().certificate()),
              pins,
              Clock.systemUTC());
      UserIdentity bob = PKI.user("bob");
      UserIdentity rogueBob = ROGUE.user("bob");
      UserIdentity alice = PKI.user("alice");
      pins.check(
          new VerifiedContact("bob", bob.signing().certificate(), bob.encryption().certificate()));

      for (VerifiedContact forged :
          new VerifiedContact[] {
            new VerifiedContact(
                "bob", rogueBob.signing().certificate(), rogueBob.encryption().certificate()),
            new VerifiedContact(
                "bob", alice.signing().certificate(), alice.encryption().certificate()),
            new VerifiedContact("bob", bob.encryption().certificate(), bob.signing().certificate())
          }) {
        assertThatThrownBy(() -> contacts.acceptChange(forged))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("were not pinned");
        assertThat(
                pins.check(
                    new VerifiedContact(
                        "bob", bob.signing().certificate(), bob.encryption().certificate())))
            .as("bob's real keys are still the pinned ones")
            .isInstanceOf(ContactPins.Matches.class);
      }
    }
  }

  @Test
  void acceptChange_withGenuineKeys_pinsThem() throws Exception {
    try (ClientStore store = ClientStore.open(dir.resolve("data"))) {
      ContactPins pins = new ContactPins(store, Clock.systemUTC());
      ContactDirectory contacts =
          new ContactDirectory(
              () -> {
                throw new IOException("not connected");
              },
              new CertificateVerifier(PKI.ca().certificate()),
              pins,
              Clock.systemUTC());
      UserIdentity bob = PKI.user("bob");
      VerifiedContact genuine =
          new VerifiedContact("bob", bob.signing().certificate(), bob.encryption().certificate());

      contacts.acceptChange(genuine);

      assertThat(pins.check(genuine)).isInstanceOf(ContactPins.Matches.class);
    }
  }
}
