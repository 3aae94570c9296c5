package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import org.junit.jupiter.api.Test;

/**
 * The size check before sending (docs/PROTOCOL.md section 6, "fits"): the maximum it names is
 * exact, so a text of that many bytes fits the relay's frame limit and one byte more does not, for
 * every residue of the base64 padding.
 */
class OutgoingMessagesFitTest {
  /** The envelope bytes around the text: header, wrapped key, nonce, tag, signature. */
  static final int FIXED_ENVELOPE = 1500;

  static int frameBytes(String ref, int envelopeBytes) {
    return FrameCodec.encode(new Frame.Send(ref, new byte[envelopeBytes])).length;
  }

  /** The maximum text the check names for a text too long for {@code maxFrame}. */
  static int namedMaximum(int maxFrame, String ref) {
    int tooLong = maxFrame; // a text as long as the whole frame never fits
    MessageTooLongException e =
        catchThrowableOfType(
            MessageTooLongException.class,
            () ->
                OutgoingMessages.checkFits(
                    maxFrame, ref, "x".repeat(tooLong), new byte[FIXED_ENVELOPE + tooLong]));
    assertThat(e)
        .as("a %d-byte text is refused under a %d-byte limit", tooLong, maxFrame)
        .isNotNull();
    return e.maxBytes();
  }

  @Test
  void namedMaximum_fitsTheFrame_andOneByteMoreDoesNot_forEveryPaddingResidue() {
    for (int maxFrame = 4096; maxFrame < 4096 + 12; maxFrame++) {
      int max = namedMaximum(maxFrame, "r1");
      assertThat(frameBytes("r1", FIXED_ENVELOPE + max))
          .as("limit %d", maxFrame)
          .isLessThanOrEqualTo(maxFrame);
      assertThat(frameBytes("r1", FIXED_ENVELOPE + max + 1))
          .as("limit %d", maxFrame)
          .isGreaterThan(maxFrame);
    }
  }

  @Test
  void textOfTheNamedMaximum_passesTheCheck_andOneByteMoreIsRefusedNamingTheSameMaximum() {
    int maxFrame = 4096;
    int max = namedMaximum(maxFrame, "r7");

    assertThatCode(
            () ->
                OutgoingMessages.checkFits(
                    maxFrame, "r7", "y".repeat(max), new byte[FIXED_ENVELOPE + max]))
        .doesNotThrowAnyException();
    MessageTooLongException e =
        catchThrowableOfType(
            MessageTooLongException.class,
            () ->
                OutgoingMessages.checkFits(
                    maxFrame, "r7", "y".repeat(max + 1), new byte[FIXED_ENVELOPE + max + 1]));
    assertThat(e).isNotNull();
    assertThat(e.maxBytes()).isEqualTo(max);
  }

  @Test
  void aLongerRef_leavesLessRoomForText() {
    assertThat(namedMaximum(4096, "a-much-longer-request-reference"))
        .isLessThan(namedMaximum(4096, "r"));
  }

  @Test
  void anEnvelopeThatCannotFitEvenEmpty_namesZero() {
    int maxFrame = 1024;
    MessageTooLongException e =
        catchThrowableOfType(
            MessageTooLongException.class,
            () -> OutgoingMessages.checkFits(maxFrame, "r", "z", new byte[FIXED_ENVELOPE + 1]));

    assertThat(e).isNotNull();
    assertThat(e.maxBytes()).isZero();
  }
}
