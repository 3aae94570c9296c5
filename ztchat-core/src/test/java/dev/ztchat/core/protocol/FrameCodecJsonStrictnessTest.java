package dev.ztchat.core.protocol;

import static dev.ztchat.core.protocol.FrameAssertions.assertBadMember;
import static dev.ztchat.core.protocol.FrameAssertions.assertUnparseable;
import static dev.ztchat.core.protocol.FrameAssertions.decode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * A payload is exactly one JSON object within the limits (docs/PROTOCOL.md section 4), or refused.
 */
class FrameCodecJsonStrictnessTest {
  @Test
  void emptyPayload_isUnparseable() {
    assertThatThrownBy(() -> FrameCodec.decode(new byte[0]))
        .isInstanceOfSatisfying(
            MalformedFrameException.class, e -> assertThat(e.isUnparseable()).isTrue());
  }

  @Test
  void whitespaceOnly_isUnparseable() {
    assertUnparseable(" \n");
  }

  @Test
  void topLevelArray_isUnparseable() {
    assertUnparseable("[{\"type\":\"ping\"}]");
  }

  @Test
  void topLevelString_isUnparseable() {
    assertUnparseable("\"ping\"");
  }

  @Test
  void secondObjectAfterTheFirst_isUnparseable() {
    assertUnparseable("{\"type\":\"ping\"} {\"type\":\"ping\"}");
  }

  @Test
  void garbageAfterTheObject_isUnparseable() {
    assertUnparseable("{\"type\":\"ping\"}x");
  }

  @Test
  void whitespaceAfterTheObject_isAccepted() throws Exception {
    assertThat(decode("{\"type\":\"ping\"} \n")).isEqualTo(new Frame.Ping(null));
  }

  @Test
  void truncatedObject_isUnparseable() {
    assertUnparseable("{\"type\":\"ping\",\"x\":[");
  }

  @Test
  void byteOrderMarkBeforeTheObject_isUnparseable() {
    assertUnparseable("\ufeff{\"type\":\"ping\"}");
  }

  @Test
  void duplicateMember_isUnparseable() {
    assertUnparseable("{\"type\":\"ping\",\"type\":\"ping\"}");
  }

  @Test
  void duplicateMemberInsideAnIgnoredMember_isUnparseable() {
    assertUnparseable("{\"type\":\"ping\",\"x\":[{\"a\":1,\"a\":2}]}");
  }

  @Test
  void nestingOfEightLevels_isAccepted() throws Exception {
    assertThat(decode("{\"type\":\"ping\",\"x\":[[[[[[[1]]]]]]]}")).isEqualTo(new Frame.Ping(null));
  }

  @Test
  void nestingOfNineLevels_isUnparseable() {
    assertUnparseable("{\"type\":\"ping\",\"x\":[[[[[[[[1]]]]]]]]}");
  }

  @Test
  void numberOfMoreThan32Digits_isUnparseable() {
    assertUnparseable("{\"type\":\"ping\",\"x\":123456789012345678901234567890123}");
  }

  @Test
  void numberWithLeadingZero_isUnparseable() {
    assertUnparseable("{\"type\":\"ping\",\"x\":01}");
  }

  @Test
  void numberWithPlusSign_isUnparseable() {
    assertUnparseable("{\"type\":\"ping\",\"x\":+1}");
  }

  @Test
  void notANumberLiteral_isUnparseable() {
    assertUnparseable("{\"type\":\"ping\",\"x\":NaN}");
  }

  @Test
  void singleQuotes_areUnparseable() {
    assertUnparseable("{'type':'ping'}");
  }

  @Test
  void unquotedMemberName_isUnparseable() {
    assertUnparseable("{type:\"ping\"}");
  }

  @Test
  void trailingComma_isUnparseable() {
    assertUnparseable("{\"type\":\"ping\",}");
  }

  @Test
  void comment_isUnparseable() {
    assertUnparseable("{\"type\":\"ping\"/* hi */}");
  }

  @Test
  void rawControlCharacterInString_isUnparseable() {
    assertUnparseable("{\"type\":\"ping\",\"x\":\"a\tb\"}");
  }

  @Test
  void syntaxErrorAfterAValidRef_isUnparseableWithoutRef() {
    // The whole payload is parsed before the ref is taken: garbage never gets a ref'd answer.
    assertUnparseable("{\"ref\":\"r1\",\"type\":\"ping\",\"x\":tru}");
  }

  @Test
  void unknownMembers_areIgnored() throws Exception {
    assertThat(
            decode("{\"x\":{\"y\":[1,2.5,null,true]},\"type\":\"ping\",\"ref\":\"r\",\"z\":1e9}"))
        .isEqualTo(new Frame.Ping("r"));
  }

  @Test
  void unknownType_isUnknownTypeWithRef() {
    assertThatThrownBy(() -> decode("{\"type\":\"nope\",\"ref\":\"r1\"}"))
        .isInstanceOfSatisfying(
            MalformedFrameException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
              assertThat(e.ref()).isEqualTo("r1");
            });
  }

  @Test
  void missingType_isBadMember() {
    assertBadMember("{\"ref\":\"r1\"}", "r1", "member 'type' is missing");
  }
}
