package dev.ztchat.core.protocol;

import static dev.ztchat.core.protocol.FrameAssertions.assertBadMember;
import static dev.ztchat.core.protocol.FrameAssertions.decode;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Envelopes are standard base64 with padding, RFC 4648 section 4 (docs/PROTOCOL.md): not the MIME
 * or URL-safe variants the JSON library would also read.
 */
class FrameCodecBase64Test {
  private static final String BAD = "member 'envelope' is not valid base64";

  private static String send(String envelope) {
    return "{\"type\":\"send\",\"ref\":\"s\",\"envelope\":\"" + envelope + "\"}";
  }

  private static byte[] envelopeOf(String json) throws MalformedFrameException {
    return ((Frame.Send) decode(json)).envelope();
  }

  @Test
  void paddedBase64_decodes() throws Exception {
    assertThat(envelopeOf(send("QUJDRA=="))).isEqualTo("ABCD".getBytes(StandardCharsets.US_ASCII));
    assertThat(envelopeOf(send("QUJDREU="))).isEqualTo("ABCDE".getBytes(StandardCharsets.US_ASCII));
    assertThat(envelopeOf(send("QUJD"))).isEqualTo("ABC".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void emptyEnvelope_decodesToNoBytes() throws Exception {
    assertThat(envelopeOf(send(""))).isEmpty();
  }

  @Test
  void missingPadding_isBadMember() {
    assertBadMember(send("QUJDRA"), "s", BAD);
    assertBadMember(send("QUJDREU"), "s", BAD);
  }

  @Test
  void tooLittlePadding_isBadMember() {
    assertBadMember(send("QUJDRA="), "s", BAD);
  }

  @Test
  void tooMuchPadding_isBadMember() {
    assertBadMember(send("QUJDREU=="), "s", BAD);
    assertBadMember(send("QUJDR==="), "s", BAD);
  }

  @Test
  void dataAfterPadding_isBadMember() {
    assertBadMember(send("QQ==QUJD"), "s", BAD);
  }

  @Test
  void lineBreak_isBadMember() {
    assertBadMember(send("QUJD\\r\\nQUJD"), "s", BAD);
    assertBadMember(send("QUJD\\nQUJD"), "s", BAD);
  }

  @Test
  void space_isBadMember() {
    assertBadMember(send("QUJD QUJD"), "s", BAD);
  }

  @Test
  void urlSafeAlphabet_isBadMember() {
    assertBadMember(send("-_8="), "s", BAD);
  }

  @Test
  void nonAsciiCharacter_isBadMember() {
    assertBadMember(send("QUJ\u00c4"), "s", BAD);
  }

  @Test
  void jsonEscapes_areReadAsTheirCharacters() throws Exception {
    // Escapes belong to JSON, not to base64: "\\u0051" is the character Q.
    assertThat(envelopeOf(send("\\u0051Q=="))).isEqualTo(new byte[] {'A'});
  }

  @Test
  void envelopeThatIsNotAString_isBadMember() {
    assertBadMember(
        "{\"type\":\"send\",\"ref\":\"s\",\"envelope\":[1]}",
        "s",
        "member 'envelope' must be a string");
  }

  @Test
  void deliverWithBadBase64_isBadMember() {
    assertBadMember("{\"type\":\"deliver\",\"envelope\":\"QQ=\"}", null, BAD);
  }
}
