package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The payload decoder: bytes in, one {@link Frame} out, or a malformed payload raised. */
class FramePayloadDecoderTest {
  final EmbeddedChannel channel = new EmbeddedChannel(new FramePayloadDecoder());

  Object inbound() {
    return channel.readInbound();
  }

  static ByteBuf payload(String json) {
    return Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
  }

  @Test
  void validPayload_isPassedOnAsTheDecodedFrame_andItsBufferReleased() {
    ByteBuf in = payload("{\"type\":\"ping\",\"ref\":\"r1\"}");
    channel.writeInbound(in);
    assertThat(inbound()).isEqualTo(new Frame.Ping("r1"));
    assertThat(in.refCnt()).isZero();
  }

  @Test
  void notJson_isRaisedAsUnparseable_withItsSize_andNothingPassedOn() {
    ByteBuf in = payload("hello");
    MalformedPayloadException e =
        catchThrowableOfType(MalformedPayloadException.class, () -> channel.writeInbound(in));
    assertThat(e.reason().code()).isEqualTo(ErrorCode.MALFORMED);
    assertThat(e.reason().isUnparseable()).isTrue();
    assertThat(e.size()).isEqualTo(5);
    assertThat(inbound()).isNull();
    assertThat(in.refCnt()).isZero();
  }

  @Test
  void objectWithABadMember_isRaisedWithItsRef_notAsUnparseable() {
    MalformedPayloadException e =
        catchThrowableOfType(
            MalformedPayloadException.class,
            () -> channel.writeInbound(payload("{\"type\":\"directory\",\"ref\":\"r7\"}")));
    assertThat(e.reason().code()).isEqualTo(ErrorCode.MALFORMED);
    assertThat(e.reason().ref()).isEqualTo("r7");
    assertThat(e.reason().isUnparseable()).isFalse();
  }

  @Test
  void unknownType_isRaisedAsUnknownType() {
    MalformedPayloadException e =
        catchThrowableOfType(
            MalformedPayloadException.class,
            () -> channel.writeInbound(payload("{\"type\":\"launch\",\"ref\":\"r2\"}")));
    assertThat(e.reason().code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
    assertThat(e.reason().ref()).isEqualTo("r2");
  }
}
