package dev.ztchat.core.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeRejectedException;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.MessageOpeners;
import dev.ztchat.core.envelope.PeerVersions;
import dev.ztchat.core.envelope.RecipientKey;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.envelope.ReplayGuard;
import dev.ztchat.core.envelope.RsaOaepAesGcmMessageOpener;
import dev.ztchat.core.envelope.RsaOaepAesGcmOpener;
import dev.ztchat.core.envelope.RsaOaepAesGcmSealer;
import dev.ztchat.core.pki.UserIdentity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The downgrade rule (docs/v2/messages.md section 7) where openers are chosen by version. */
class V2DowngradeTest {
  private final V2World world = new V2World();
  private final UserIdentity aliceV1 = world.pki.addUser("alice");
  private final UserIdentity bobV1 = world.pki.addUser("bob");
  private final V2World.Party alice = world.device("alice");
  private final V2World.Party bob = world.device("bob");

  private MessageOpeners bobsOpeners(PeerVersions versions) {
    RsaOaepAesGcmOpener v1 =
        new RsaOaepAesGcmOpener(
            bobV1,
            world.verifier,
            name -> name.equals("alice") ? aliceV1.signing().certificate() : null,
            ReplayGuard.inMemory(AcceptancePolicy.DEFAULT, world.clock),
            world.clock,
            AcceptancePolicy.DEFAULT);
    return MessageOpeners.of(List.of(new RsaOaepAesGcmMessageOpener(v1), bob.opener), versions);
  }

  private byte[] v1FromAlice(String text) {
    return EnvelopeCodec.encode(
        new RsaOaepAesGcmSealer(aliceV1, world.clock)
            .seal(
                MessageContent.text(text),
                List.of(RecipientKey.of(bobV1.encryption().certificate()))));
  }

  @Test
  void version1_fromAPeerThatProvedVersion2_isRefusedAsDowngrade() throws Exception {
    MessageOpeners openers = bobsOpeners(bob.versions);
    assertThat(openers.open(v1FromAlice("before")).text()).isEqualTo("before");

    assertThat(openers.open(alice.send("v2 now", bob).encode()).version()).isEqualTo(2);

    assertThatThrownBy(() -> openers.open(v1FromAlice("rewritten by the relay?")))
        .isInstanceOfSatisfying(
            EnvelopeRejectedException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(RejectionReason.DOWNGRADE);
              assertThat(e.claimedPrefix().sender()).isEqualTo("alice");
            });
    assertThat(bob.versions.mayReceiveVersion1("alice")).isFalse();
    assertThat(bob.versions.mayReceiveVersion1("carol")).isTrue();
  }

  @Test
  void version1_isStillAccepted_whenNoPeerVersionsAreKept() throws Exception {
    MessageOpeners openers = bobsOpeners(PeerVersions.NONE);
    openers.open(alice.send("v2", bob).encode());

    assertThat(openers.open(v1FromAlice("v1 again")).text()).isEqualTo("v1 again");
    assertThat(MessageOpeners.of(List.of(bob.opener)).versions()).containsExactly(2);
  }
}
