package dev.ztchat.core.protocol;

import static dev.ztchat.core.protocol.FrameAssertions.assertBadMember;
import static dev.ztchat.core.protocol.FrameAssertions.decode;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Every listed member is present and of its JSON type (docs/PROTOCOL.md section 4), or refused. */
class FrameCodecMemberTypesTest {
  private static final String INT_RANGE = "must be an integer between -2^31 and 2^31-1";

  private static String welcome(String protocol) {
    return "{\"type\":\"welcome\",\"ref\":\"w\",\"protocol\":"
        + protocol
        + ",\"identity\":\"alice\",\"maxFrame\":4096,\"idleTimeoutSeconds\":60}";
  }

  @Test
  void integerAtTheEndsOfTheIntRange_isAccepted() throws Exception {
    assertThat(decode(welcome("-2147483648")))
        .isEqualTo(new Frame.Welcome(Integer.MIN_VALUE, "alice", 4096, 60));
    assertThat(decode(welcome("2147483647")))
        .isEqualTo(new Frame.Welcome(Integer.MAX_VALUE, "alice", 4096, 60));
  }

  @Test
  void integerAboveTheIntRange_isBadMember() {
    assertBadMember(welcome("2147483648"), "w", "member 'protocol' " + INT_RANGE);
  }

  @Test
  void integerBelowTheIntRange_isBadMember() {
    assertBadMember(welcome("-2147483649"), "w", "member 'protocol' " + INT_RANGE);
  }

  @Test
  void integerWithFraction_isBadMember() {
    assertBadMember(welcome("1.0"), "w", "member 'protocol' " + INT_RANGE);
  }

  @Test
  void integerWithExponent_isBadMember() {
    assertBadMember(welcome("1e2"), "w", "member 'protocol' " + INT_RANGE);
  }

  @Test
  void stringForInteger_isBadMember() {
    assertBadMember(welcome("\"1\""), "w", "member 'protocol' " + INT_RANGE);
  }

  @Test
  void booleanForInteger_isBadMember() {
    assertBadMember(welcome("true"), "w", "member 'protocol' " + INT_RANGE);
  }

  @Test
  void nullRequiredMember_isMissing() {
    assertBadMember(welcome("null"), "w", "member 'protocol' is missing");
  }

  @Test
  void absentRequiredMember_isMissing() {
    assertBadMember(
        "{\"type\":\"ack\",\"ref\":\"a\",\"sender\":\"alice\"}",
        "a",
        "member 'messageId' is missing");
  }

  @Test
  void numberForString_isBadMember() {
    assertBadMember(
        "{\"type\":\"directory\",\"ref\":\"d\",\"user\":7}", "d", "member 'user' must be a string");
  }

  @Test
  void objectForString_isBadMember() {
    assertBadMember(
        "{\"type\":\"directory\",\"ref\":\"d\",\"user\":{}}",
        "d",
        "member 'user' must be a string");
  }

  @Test
  void arrayForString_isBadMember() {
    assertBadMember(
        "{\"type\":\"directory\",\"ref\":\"d\",\"user\":[\"bob\"]}",
        "d",
        "member 'user' must be a string");
  }

  @Test
  void numberForType_isBadMember() {
    assertBadMember("{\"type\":1,\"ref\":\"t\"}", "t", "member 'type' must be a string");
  }

  @Test
  void refOutsideItsAlphabet_isBadMemberWithoutRef() {
    assertBadMember(
        "{\"type\":\"ping\",\"ref\":\"a b\"}",
        null,
        "'ref' must be 1 to 64 characters from A-Z a-z 0-9 _ . -");
  }

  @Test
  void refThatIsNotAString_isBadMemberWithoutRef() {
    assertBadMember(
        "{\"type\":\"ping\",\"ref\":1}",
        null,
        "'ref' must be 1 to 64 characters from A-Z a-z 0-9 _ . -");
  }

  @Test
  void nullRef_isNoRef() throws Exception {
    assertThat(decode("{\"type\":\"ping\",\"ref\":null}")).isEqualTo(new Frame.Ping(null));
  }

  @Test
  void stringWithEscapes_isItsText() throws Exception {
    assertThat(decode("{\"type\":\"directory\",\"user\":\"b\\u00f6b\\n\\ud83d\\ude00\"}"))
        .isEqualTo(new Frame.DirectoryRequest(null, "b\u00f6b\n\ud83d\ude00"));
  }

  @Test
  void usersWithANonString_isBadMember() {
    assertBadMember(
        "{\"type\":\"online\",\"ref\":\"o\",\"users\":[\"a\",1]}",
        "o",
        "member 'users' must be an array of strings");
  }

  @Test
  void usersThatIsNotAnArray_isBadMember() {
    assertBadMember(
        "{\"type\":\"online\",\"ref\":\"o\",\"users\":\"a\"}",
        "o",
        "member 'users' must be an array of strings");
  }

  @Test
  void emptyUsers_isAnEmptyList() throws Exception {
    assertThat(decode("{\"type\":\"online\",\"users\":[]}"))
        .isEqualTo(new Frame.Online(null, List.of()));
  }

  @Test
  void resultsThatIsNotAnArray_isBadMember() {
    assertBadMember(
        "{\"type\":\"sent\",\"ref\":\"s\",\"messageId\":\"m\",\"results\":{}}",
        "s",
        "member 'results' must be an array of objects");
  }

  @Test
  void resultWithUnknownStatus_isBadMember() {
    assertBadMember(
        "{\"type\":\"sent\",\"ref\":\"s\",\"messageId\":\"m\","
            + "\"results\":[{\"user\":\"a\",\"status\":\"lost\"}]}",
        "s",
        "member 'results' must hold objects with a 'user' and a known 'status'");
  }

  @Test
  void resultWithoutUser_isBadMember() {
    assertBadMember(
        "{\"type\":\"sent\",\"ref\":\"s\",\"messageId\":\"m\","
            + "\"results\":[{\"status\":\"queued\"}]}",
        "s",
        "member 'results' must hold objects with a 'user' and a known 'status'");
  }

  @Test
  void resultThatIsNotAnObject_isBadMember() {
    assertBadMember(
        "{\"type\":\"sent\",\"ref\":\"s\",\"messageId\":\"m\",\"results\":[\"a\"]}",
        "s",
        "member 'results' must hold objects with a 'user' and a known 'status'");
  }

  @Test
  void resultWithExtraMembers_isAccepted() throws Exception {
    assertThat(
            decode(
                "{\"type\":\"sent\",\"messageId\":\"m\","
                    + "\"results\":[{\"user\":\"a\",\"x\":[1,{}],\"status\":\"full\"}]}"))
        .isEqualTo(
            new Frame.Sent(null, "m", List.of(new Frame.Delivery("a", DeliveryStatus.FULL))));
  }

  @Test
  void errorWithUnknownCode_isInternal() throws Exception {
    assertThat(decode("{\"type\":\"error\",\"code\":\"new_code\",\"message\":\"m\"}"))
        .isEqualTo(new Frame.Error(null, ErrorCode.INTERNAL, "m"));
  }
}
