package dev.ztchat.core.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.SenderRevocations;
import dev.ztchat.core.group.AuthoredChange;
import dev.ztchat.core.group.GroupChange;
import dev.ztchat.core.group.GroupId;
import dev.ztchat.core.group.GroupRules;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A group change sealed with its record (docs/v2/groups.md section 6.6): the record is the very
 * envelope the members get, verified as its author's, and a text's content key is never handed out.
 * Real device certificates from a test CA, real sessions, real AES-GCM.
 */
class SealedChangeTest {
  private final V2World world = new V2World();
  private final V2World.Party alice = world.device("alice");
  private final V2World.Party bob = world.device("bob");

  private byte[] messageId() {
    byte[] id = new byte[16];
    world.random.nextBytes(id);
    return id;
  }

  @Test
  void theRecordCarriesTheVeryEnvelopeSent_opensWithItsKey_andVerifiesAsTheAuthors()
      throws Exception {
    GroupChange create =
        GroupRules.create(GroupId.random(world.random), "team", "alice", List.of("bob"));

    SealedChange sealed =
        alice.sealer.sealChange(
            MessageContent.groupChange(create),
            List.of(bob.address()),
            List.of(bob.bundle()),
            messageId());

    assertThat(sealed.record().envelope())
        .as("the record is the envelope sent, byte for byte")
        .isEqualTo(sealed.envelope().encode());
    assertThat(bob.open(sealed.envelope()).content().groupChange())
        .as("the member's copy opens as any message does")
        .isEqualTo(create);
    AuthoredChange forwarded =
        new ForwardedChangeVerifier(world.verifier, SenderRevocations.NONE, world.clock)
            .verify(sealed.record());
    assertThat(forwarded.author()).isEqualTo("alice");
    assertThat(forwarded.change()).isEqualTo(create);
    String key = HexFormat.of().formatHex(sealed.record().contentKey());
    assertThat(sealed.toString()).doesNotContain(key);
    sealed.destroy();
    assertThat(sealed.record().contentKey()).containsOnly(0);
  }

  @Test
  void aTextIsNeverSealedWithItsRecord_andNothingOfItIsSaved() throws Exception {
    assertThatThrownBy(
            () ->
                alice.sealer.sealChange(
                    MessageContent.text("hello bob"),
                    List.of(bob.address()),
                    List.of(bob.bundle()),
                    messageId()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only a group change");
    assertThat(alice.sealer.devicesNeedingBundles(List.of(bob.address())))
        .as("no session was started")
        .containsExactly(bob.address());
  }
}
