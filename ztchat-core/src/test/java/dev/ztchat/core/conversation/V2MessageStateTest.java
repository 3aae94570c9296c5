package dev.ztchat.core.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.envelope.EnvelopeRejectedException;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.PeerVersions;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.envelope.ReplayGuard;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.SenderRevocations;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.session.PrekeyStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When version-2 state changes, and that it survives a session store. */
class V2MessageStateTest {
  private final V2World world = new V2World();
  private final V2World.Party alice = world.device("alice");
  private final V2World.Party bob = world.device("bob");

  @Test
  void forgedMessage_changesNoState_andTheGenuineOneStillOpens() throws Exception {
    bob.open(alice.send("one", bob));
    V2Envelope genuine = alice.send("two", bob);
    List<StoredSession> before = bob.store.sessions("alice");
    // Signed by alice's key but under another message id: the ratchet's extra data no longer
    // matches, so it passes every check up to decryption.
    RoutingPrefix p = genuine.prefix();
    byte[] otherId = p.messageId();
    otherId[0] ^= 1;
    RoutingPrefix moved =
        new RoutingPrefix(2, p.sender(), p.recipients(), p.timestampMillis(), otherId);
    V2Envelope forged =
        new V2Envelope(
            moved,
            genuine.body(),
            alice.key.signEnvelope(V2Envelope.signedBytes(moved, genuine.body()), world.random));

    assertThatThrownBy(() -> bob.open(forged))
        .isInstanceOfSatisfying(
            EnvelopeRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(RejectionReason.DECRYPTION_FAILED));
    assertThat(bob.store.sessions("alice")).isEqualTo(before);
    assertThat(bob.open(genuine).text()).isEqualTo("two");
  }

  @Test
  void oneTimePrekey_isUsedUpOnlyWhenTheFirstMessageOpens() throws Exception {
    V2Envelope genuine = alice.send("hello bob", bob);
    int before = bob.prekeys.oneTimePrekeys().size();
    V2Body b = V2Body.decode(genuine.body(), genuine.prefix());
    byte[] body = genuine.body();
    body[body.length - 1] ^= 1; // content ciphertext: fails after the session setup
    V2Envelope forged =
        new V2Envelope(
            genuine.prefix(),
            body,
            alice.key.signEnvelope(V2Envelope.signedBytes(genuine.prefix(), body), world.random));
    ReplayGuard guard = bob.guard;

    assertThatThrownBy(() -> bob.open(forged)).isInstanceOf(EnvelopeRejectedException.class);
    assertThat(bob.prekeys.oneTimePrekeys()).hasSize(before);
    assertThat(PrekeyStore.fromBytes(bob.store.prekeys().orElseThrow()).oneTimePrekeys())
        .hasSize(before);
    assertThat(bob.store.sessions("alice")).isEmpty();

    guard.release("alice", genuine.prefix().messageId()); // the forgery burned the id
    assertThat(bob.open(genuine).text()).isEqualTo("hello bob");
    assertThat(bob.prekeys.oneTimePrekeys()).hasSize(before - 1);
    assertThat(PrekeyStore.fromBytes(bob.store.prekeys().orElseThrow()).oneTimePrekeys())
        .hasSize(before - 1)
        .noneMatch(k -> k.id() == b.entries().get(0).initial().orElseThrow().kemPrekeyId());
  }

  @Test
  void openedMessage_cannotBeOpenedAgainFromTheSavedState() throws Exception {
    V2Envelope first = alice.send("one", bob);
    V2Envelope second = alice.send("two", bob);
    bob.open(first);
    bob.open(second);

    bob.guard = ReplayGuard.inMemory(AcceptancePolicy.DEFAULT, world.clock); // forget the ids
    bob.opener = bob.newOpener();

    assertThatThrownBy(() -> bob.open(first))
        .isInstanceOfSatisfying(
            EnvelopeRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(RejectionReason.DECRYPTION_FAILED));
    assertThatThrownBy(() -> bob.open(second))
        .isInstanceOfSatisfying(
            EnvelopeRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(RejectionReason.DECRYPTION_FAILED));
  }

  @Test
  void conversation_continuesFromAFreshlyLoadedStore() throws Exception {
    bob.open(alice.send("one", bob));
    alice.open(bob.send("two", alice));
    V2Envelope three = alice.send("three", bob);

    InMemorySessionStore reloaded = new InMemorySessionStore();
    for (StoredSession s : bob.store.sessions("alice").reversed()) {
      reloaded.save(s, bob.store.ledger("alice", s.peerDevice()).orElseThrow().asUpdate());
    }
    reloaded.savePrekeys(bob.store.prekeys().orElseThrow());
    PrekeyStore prekeys = PrekeyStore.fromBytes(reloaded.prekeys().orElseThrow());
    V2Device bobAgain = new V2Device("bob", bob.key, prekeys, reloaded);
    V2MessageOpener opener =
        new V2MessageOpener(
            bobAgain,
            world.verifier,
            ReplayGuard.inMemory(AcceptancePolicy.DEFAULT, world.clock),
            world.clock,
            AcceptancePolicy.DEFAULT,
            SenderRevocations.NONE,
            PeerVersions.NONE,
            world.random);
    V2MessageSealer sealer =
        new V2MessageSealer(bobAgain, world.clock, world.random, V2World.MAX_FRAME);

    assertThat(opener.open(three.encode()).text()).isEqualTo("three");
    assertThat(
            alice
                .open(sealer.seal(MessageContent.text("four"), List.of(alice.address()), List.of()))
                .text())
        .isEqualTo("four");
  }

  @Test
  void bundleOfAnotherUser_isRefused_andNothingIsSaved() {
    V2World.Party mallory = world.device("mallory");
    RecipientDevice posingAsBob = new RecipientDevice("bob", mallory.address().deviceId());

    assertThatThrownBy(
            () ->
                alice.sealer.seal(
                    MessageContent.text("for bob"),
                    List.of(posingAsBob),
                    List.of(mallory.bundle())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("names someone else");
    assertThat(alice.store.sessions("bob")).isEmpty();
  }

  @Test
  void deviceWithNeitherSessionNorBundle_isRefused() {
    assertThatThrownBy(
            () -> alice.sealer.seal(MessageContent.text("hi"), List.of(bob.address()), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fetch those bundles");
  }

  @Test
  void contentTooLargeForTheRelay_isRefused_andNothingIsSaved() throws Exception {
    int limit = ProtocolLimits.maxEnvelopeBytes(V2World.MAX_FRAME);
    String big = "x".repeat(limit);

    assertThatThrownBy(() -> alice.send(big, bob))
        .isInstanceOfSatisfying(
            EnvelopeTooLargeException.class,
            e -> {
              assertThat(e.limit()).isEqualTo(limit);
              assertThat(e.length()).isGreaterThan(limit);
              assertThat(e.getMessage()).contains("shorten it");
            });
    assertThat(alice.store.sessions("bob")).isEmpty();
    assertThat(alice.store.ledger("bob", bob.address().deviceId())).isEmpty();
  }

  @Test
  void largestFirstMessage_fitsTheDefaultLimit_andOpens() throws Exception {
    int limit = ProtocolLimits.maxEnvelopeBytes(V2World.MAX_FRAME);
    int overhead = alice.send("", world.device("carol")).encode().length;
    // ECDSA signatures vary by a few bytes; a first message carries two (setup and envelope).
    String text = "y".repeat(limit - overhead - 4);

    V2World.Party dave = world.device("dave");
    V2Envelope e = alice.send(text, dave);

    assertThat(e.encode().length).isLessThanOrEqualTo(limit);
    assertThat(dave.open(e).text()).isEqualTo(text);
  }

  @Test
  void sessionChangedInTheStoreByAnotherInstance_isSealedOnFromTheStore_notFromWhatWasKept()
      throws Exception {
    bob.open(alice.send("one", bob));
    V2Envelope two = alice.send("two", bob); // alice's sealer keeps the session decoded
    V2Device aliceAgain = new V2Device("alice", alice.key, alice.prekeys, alice.store);
    V2MessageSealer otherSealer =
        new V2MessageSealer(aliceAgain, world.clock, world.random, V2World.MAX_FRAME);
    V2Envelope three =
        otherSealer.seal(MessageContent.text("three"), List.of(bob.address()), List.of());
    V2Envelope four = alice.send("four", bob);

    assertThat(bob.open(two).text()).isEqualTo("two");
    assertThat(bob.open(three).text()).isEqualTo("three");
    assertThat(bob.open(four).text()).isEqualTo("four");
  }

  @Test
  void messageThatFailsAfterTheRatchetStep_leavesTheNextOneSealedFromTheStoredState()
      throws Exception {
    bob.open(alice.send("one", bob));
    String big = "x".repeat(ProtocolLimits.maxEnvelopeBytes(V2World.MAX_FRAME));
    assertThatThrownBy(() -> alice.send(big, bob)).isInstanceOf(EnvelopeTooLargeException.class);

    assertThat(bob.open(alice.send("two", bob)).text()).isEqualTo("two");
  }
}
