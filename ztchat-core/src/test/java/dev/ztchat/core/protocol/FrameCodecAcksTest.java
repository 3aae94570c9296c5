package dev.ztchat.core.protocol;

import static dev.ztchat.core.protocol.FrameAssertions.assertBadMember;
import static dev.ztchat.core.protocol.FrameAssertions.decode;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code acks} frame and {@code maxAcks} in {@code welcome} (docs/PROTOCOL.md section 9): the
 * codec reads what the entries hold and refuses a wrong shape with the frame's {@code ref}; the
 * values (names, counts, duplicates) are the relay's to judge.
 */
class FrameCodecAcksTest {
  private static final String ID = "0123456789abcdef0123456789abcdef";

  @Test
  void entriesWithExtraMembers_areRead_theExtraIgnored() throws Exception {
    assertThat(
            decode(
                "{\"type\":\"acks\",\"envelopes\":[{\"x\":[1],\"sender\":\"alice\","
                    + "\"messageId\":\""
                    + ID
                    + "\"}]}"))
        .isEqualTo(new Frame.Acks(null, List.of(new Frame.AckedEnvelope("alice", ID))));
  }

  @Test
  void emptyEnvelopes_isReadAsAnEmptyBatch_forTheRelayToRefuse() throws Exception {
    assertThat(decode("{\"type\":\"acks\",\"ref\":\"a\",\"envelopes\":[]}"))
        .isEqualTo(new Frame.Acks("a", List.of()));
  }

  @Test
  void duplicateEntries_areReadAsSent_forTheRelayToRefuse() throws Exception {
    String entry = "{\"sender\":\"alice\",\"messageId\":\"" + ID + "\"}";
    assertThat(
            ((Frame.Acks) decode("{\"type\":\"acks\",\"envelopes\":[" + entry + "," + entry + "]}"))
                .envelopes())
        .hasSize(2);
  }

  @Test
  void missingEnvelopes_isBadMember() {
    assertBadMember("{\"type\":\"acks\",\"ref\":\"a\"}", "a", "member 'envelopes' is missing");
  }

  @Test
  void envelopesThatIsNotAnArray_isBadMember() {
    assertBadMember(
        "{\"type\":\"acks\",\"ref\":\"a\",\"envelopes\":{}}",
        "a",
        "member 'envelopes' must be an array of objects");
  }

  @Test
  void entryThatIsNotAnObject_isBadMember() {
    assertBadMember(
        "{\"type\":\"acks\",\"ref\":\"a\",\"envelopes\":[\"alice\"]}",
        "a",
        "member 'envelopes' must hold objects with a string 'sender' and a string 'messageId'");
  }

  @Test
  void entryWithoutMessageId_isBadMember() {
    assertBadMember(
        "{\"type\":\"acks\",\"ref\":\"a\",\"envelopes\":[{\"sender\":\"alice\"}]}",
        "a",
        "member 'envelopes' must hold objects with a string 'sender' and a string 'messageId'");
  }

  @Test
  void entryWithANumberForSender_isBadMember() {
    assertBadMember(
        "{\"type\":\"acks\",\"ref\":\"a\",\"envelopes\":[{\"sender\":1,\"messageId\":\"m\"}]}",
        "a",
        "member 'envelopes' must hold objects with a string 'sender' and a string 'messageId'");
  }

  @Test
  void welcomeWithoutMaxAcks_takesNoBatches() throws Exception {
    Frame.Welcome w =
        (Frame.Welcome)
            decode(
                "{\"type\":\"welcome\",\"protocol\":1,\"identity\":\"a\",\"maxFrame\":4096,"
                    + "\"idleTimeoutSeconds\":60}");
    assertThat(w.maxAcks()).isZero();
    assertThat(w.takesAckBatches()).isFalse();
  }

  @Test
  void welcomeWithANegativeMaxAcks_takesNoBatches() throws Exception {
    Frame.Welcome w =
        (Frame.Welcome)
            decode(
                "{\"type\":\"welcome\",\"protocol\":1,\"identity\":\"a\",\"maxFrame\":4096,"
                    + "\"idleTimeoutSeconds\":60,\"maxAcks\":-3}");
    assertThat(w.takesAckBatches()).isFalse();
  }

  @Test
  void sixtyFourEntriesOfTheLongestNames_fitInSixThousandBytes() {
    List<Frame.AckedEnvelope> entries =
        java.util.stream.IntStream.range(0, 64)
            .mapToObj(i -> new Frame.AckedEnvelope("a".repeat(32), ID))
            .toList();
    assertThat(FrameCodec.encode(new Frame.Acks("r" + Long.MAX_VALUE, entries)).length)
        .isLessThanOrEqualTo(6_100);
  }
}
