package dev.ztchat.core.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.SenderRevocations;
import dev.ztchat.core.group.ApplyOutcome;
import dev.ztchat.core.group.AuthoredChange;
import dev.ztchat.core.group.GroupChange;
import dev.ztchat.core.group.GroupChangeRefusedException;
import dev.ztchat.core.group.GroupId;
import dev.ztchat.core.group.GroupOp;
import dev.ztchat.core.group.GroupRules;
import dev.ztchat.core.group.GroupTimeline;
import dev.ztchat.core.group.MalformedGroupException;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.testing.ForwardedChanges;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.MutableClock;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A forwarded group change (docs/v2/groups.md section 6.6) is believed only for what its author's
 * certified device signed: real P-256 device certificates from a test CA, a real signed envelope,
 * real AES-GCM content.
 */
class ForwardedChangeVerifierTest {
  private final TestPki pki = TestPki.create();
  private final MutableClock clock = MutableClock.atRealNow();
  private final SecureRandom random = new SecureRandom();
  private final ForwardedChangeVerifier verifier =
      new ForwardedChangeVerifier(
          new CertificateVerifier(pki.ca().certificate()), SenderRevocations.NONE, clock);
  private final GroupId id = GroupId.random(random);

  private GroupChange create() throws GroupChangeRefusedException {
    return GroupRules.create(id, "team", "alice", List.of("bob", "carol"));
  }

  /** The record of the change as its author's device signs it, with its content key. */
  private ForwardedChange sealed(String author, GroupChange change) throws Exception {
    return sealed(pki.device(author), author, change);
  }

  private ForwardedChange sealed(Credential device, String author, GroupChange change)
      throws Exception {
    return sealed(device, author, MessageContent.groupChange(change));
  }

  private ForwardedChange sealed(Credential device, String author, MessageContent content)
      throws Exception {
    return ForwardedChanges.signed(device, author, content, clock.instant());
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  @Test
  void forwardedCreate_returnsTheChangeWithItsSignerAsAuthor() throws Exception {
    AuthoredChange got = verifier.verify(sealed("alice", create()));

    assertThat(got.author()).isEqualTo("alice");
    assertThat(got.change()).isEqualTo(create());
    assertThat(GroupTimeline.start("alice", got.author(), got.change()).state())
        .isEqualTo(create().newState());
  }

  @Test
  void record_survivesItsEncoding_andZeroesItsKeyOnDestroy() throws Exception {
    ForwardedChange record = sealed("alice", create());
    ForwardedChange decoded = ForwardedChange.decode(record.encode());

    assertThat(verifier.verify(decoded).change()).isEqualTo(create());
    decoded.destroy();
    assertThat(decoded.contentKey()).containsOnly(0);
    assertThat(decoded.toString()).doesNotContain(Arrays.toString(record.contentKey()));
  }

  @Test
  void decode_everyTruncationAndATrailingByte_areMalformed() throws Exception {
    byte[] encoded = sealed("alice", create()).encode();
    for (int length = 0; length < encoded.length; length += 7) {
      byte[] cut = Arrays.copyOf(encoded, length);
      assertThatThrownBy(() -> ForwardedChange.decode(cut))
          .isInstanceOf(MalformedGroupException.class);
    }
    byte[] longer = Arrays.copyOf(encoded, encoded.length + 1);
    assertThatThrownBy(() -> ForwardedChange.decode(longer))
        .isInstanceOf(MalformedGroupException.class)
        .hasMessageContaining("unexpected bytes");
  }

  @Test
  void everyByteOfTheEnvelopeChanged_isRefused() throws Exception {
    ForwardedChange record = sealed("alice", create());
    byte[] envelope = record.envelope();
    for (int i = 0; i < envelope.length; i++) {
      byte[] bad = envelope.clone();
      bad[i] ^= 0x01;
      ForwardedChange tampered =
          new ForwardedChange(record.certificate(), bad, record.contentKey());
      assertThatThrownBy(() -> verifier.verify(tampered))
          .as("byte %d", i)
          .isInstanceOf(ForwardedChangeRefusedException.class);
    }
  }

  @Test
  void anotherContentKey_isRefused() throws Exception {
    ForwardedChange record = sealed("alice", create());
    ForwardedChange wrongKey =
        new ForwardedChange(record.certificate(), record.envelope(), randomBytes(32));

    assertThatThrownBy(() -> verifier.verify(wrongKey))
        .isInstanceOf(ForwardedChangeRefusedException.class)
        .hasMessageContaining("does not open with the key given");
  }

  @Test
  void aCertificateOtherThanTheSigningDevices_isRefused() throws Exception {
    ForwardedChange record = sealed("alice", create());
    byte[] bobs = pki.device("bob").certificate().getEncoded();
    ForwardedChange swapped = new ForwardedChange(bobs, record.envelope(), record.contentKey());

    assertThatThrownBy(() -> verifier.verify(swapped))
        .isInstanceOf(ForwardedChangeRefusedException.class)
        .hasMessageContaining("not the signing device's");
  }

  @Test
  void aChangeSignedByADeviceOfAnotherCa_isRefused() throws Exception {
    TestPki rogue = TestPki.rogue("alice");
    ForwardedChange record = sealed(rogue.device("alice"), "alice", create());

    assertThatThrownBy(() -> verifier.verify(record))
        .isInstanceOf(ForwardedChangeRefusedException.class)
        .hasMessageContaining("not trusted");
  }

  @Test
  void aChangeSignedByARevokedDevice_isRefusedEvenWhenDatedBefore() throws Exception {
    ForwardedChange record = sealed("alice", create());
    X509Certificate alice = pki.device("alice").certificate();
    ForwardedChangeVerifier revoking =
        new ForwardedChangeVerifier(
            new CertificateVerifier(pki.ca().certificate()),
            (cert, at) ->
                cert.equals(alice) && !at.isBefore(clock.instant())
                    ? Optional.of("revoked (key compromise)")
                    : Optional.empty(),
            clock);
    pki.revoke(alice, RevocationReason.KEY_COMPROMISE);

    assertThatThrownBy(() -> revoking.verify(record))
        .isInstanceOf(ForwardedChangeRefusedException.class)
        .hasMessageContaining("revoked");
  }

  @Test
  void aForgedChangeSignedByAMemberWhoIsNoAdmin_verifiesAsTheirs_andTheRuleRefusesIt()
      throws Exception {
    GroupTimeline phone =
        GroupTimeline.start("alice", "alice", verifier.verify(sealed("alice", create())).change());
    GroupChange addMallory =
        GroupRules.propose(create().newState(), "alice", GroupOp.ADD, List.of("mallory"));

    AuthoredChange forged = verifier.verify(sealed("carol", addMallory));

    assertThat(forged.author()).isEqualTo("carol");
    assertThat(phone.apply(forged.author(), forged.change()))
        .isInstanceOf(ApplyOutcome.Refused.class);
    assertThat(phone.state().members()).doesNotContain("mallory");
  }

  @Test
  void aCreateNamingAliceAsAdminButSignedByCarol_doesNotStartAGroup() throws Exception {
    AuthoredChange forged = verifier.verify(sealed("carol", create()));

    assertThatThrownBy(() -> GroupTimeline.start("alice", forged.author(), forged.change()))
        .isInstanceOf(GroupChangeRefusedException.class);
  }

  @Test
  void aForwardedTextInsteadOfAChange_isRefused() throws Exception {
    ForwardedChange text = sealed(pki.device("alice"), "alice", MessageContent.text("hello"));

    assertThatThrownBy(() -> verifier.verify(text))
        .isInstanceOf(ForwardedChangeRefusedException.class)
        .hasMessageContaining("no group change");
  }
}
