package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import io.github.bucket4j.TimeMeter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rate limiter between the payload decoder and the relay, on a time line that never moves: it
 * sees decoded frames only, charges malformed payloads like frames, and lets requested acks
 * through.
 */
class RateLimitHandlerTest {
  static final String ID = "0123456789abcdef0123456789abcdef";
  static TestPki pki;

  @TempDir Path dir;
  RelayContextFixture fixture;
  EmbeddedChannel channel;

  @BeforeAll
  static void pki() {
    pki = TestPki.create("alice");
  }

  @BeforeEach
  void setUp() throws Exception {
    fixture = new RelayContextFixture(pki, dir, Clock.systemUTC(), c -> c);
    channel = channelWithBurst(1);
  }

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
    fixture.close();
  }

  EmbeddedChannel channelWithBurst(int burst) {
    TimeMeter frozen =
        new TimeMeter() {
          @Override
          public long currentTimeNanos() {
            return 0;
          }

          @Override
          public boolean isWallClockBased() {
            return false;
          }
        };
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new FramePayloadDecoder(),
            new RateLimitHandler(
                new IdentityRateLimiter(1, burst, frozen),
                fixture.relay,
                RateLimitHandler.framesReceived(fixture.relay)));
    ConnectionIdentity.bind(ch, "alice", pki.user("alice").signing().certificate());
    return ch;
  }

  Object inbound() {
    return channel.readInbound();
  }

  Object outbound() {
    return channel.readOutbound();
  }

  static ByteBuf payload(String json) {
    return Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
  }

  static ByteBuf ping(String ref) {
    return payload("{\"type\":\"ping\",\"ref\":\"" + ref + "\"}");
  }

  static ByteBuf ack(String ref) {
    return payload(
        "{\"type\":\"ack\",\"ref\":\""
            + ref
            + "\",\"sender\":\"bob\",\"messageId\":\""
            + ID
            + "\"}");
  }

  @Test
  void frameWithinTheBudget_isPassedOnAsTheDecodedFrame() {
    channel.writeInbound(ping("p1"));
    assertThat(inbound()).isEqualTo(new Frame.Ping("p1"));
    assertThat(outbound()).isNull();
  }

  @Test
  void frameOverTheBudget_isDropped_andAnsweredRateLimitedWithItsRef() {
    channel.writeInbound(ping("p1"));
    channel.writeInbound(ping("p2"));
    assertThat(inbound()).isEqualTo(new Frame.Ping("p1"));
    assertThat(inbound()).as("the dropped frame goes no further").isNull();
    Frame.Error error = channel.readOutbound();
    assertThat(error.ref()).isEqualTo("p2");
    assertThat(error.code()).isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(fixture.relay.security().count(SecurityEvent.RATE_LIMITED)).isEqualTo(1);
  }

  @Test
  void malformedPayloadWithinTheBudget_isChargedAndPassedOnForTheRelayToAnswer() {
    MalformedPayloadException passed =
        catchThrowableOfType(
            MalformedPayloadException.class,
            () -> channel.writeInbound(payload("{\"type\":\"directory\",\"ref\":\"d1\"}")));
    assertThat(passed.reason().ref()).isEqualTo("d1");
    channel.writeInbound(ping("p1"));
    Frame.Error error = channel.readOutbound();
    assertThat(error.ref()).as("the malformed payload spent the only token").isEqualTo("p1");
  }

  @Test
  void malformedPayloadOverTheBudget_isDroppedAsRateLimited_withTheRefItCarried() {
    channel.writeInbound(ping("p1"));
    channel.writeInbound(
        payload("{\"type\":\"directory\",\"ref\":\"d1\"}")); // raises nothing further
    channel.checkException();
    Frame.Error error = channel.readOutbound();
    assertThat(error.ref()).isEqualTo("d1");
    assertThat(error.code()).isEqualTo(ErrorCode.RATE_LIMITED);
  }

  @Test
  void ackTheRelayAskedFor_spendsACredit_notTheBudget_andAnAckBeyondTheCreditIsCharged() {
    AckCredits.grant(channel);
    channel.writeInbound(ping("p1"));
    channel.writeInbound(ack("a1"));
    channel.writeInbound(ack("a2"));
    assertThat(inbound()).isEqualTo(new Frame.Ping("p1"));
    assertThat(inbound()).isEqualTo(new Frame.Ack("a1", "bob", ID));
    assertThat(inbound()).isNull();
    Frame.Error error = channel.readOutbound();
    assertThat(error.ref()).isEqualTo("a2");
    assertThat(AckCredits.any(channel)).isFalse();
  }

  static ByteBuf acks(String ref, int n) {
    StringBuilder entries = new StringBuilder();
    for (int i = 0; i < n; i++) {
      entries
          .append(i == 0 ? "" : ",")
          .append("{\"sender\":\"bob\",\"messageId\":\"")
          .append(ID)
          .append("\"}");
    }
    return payload("{\"type\":\"acks\",\"ref\":\"" + ref + "\",\"envelopes\":[" + entries + "]}");
  }

  @Test
  void acksOfNEnvelopes_spendsNCredits_notTheBudget_andIsChargedAsOneFrameWithFewerCredits() {
    for (int i = 0; i < 3; i++) {
      AckCredits.grant(channel);
    }
    channel.writeInbound(acks("b1", 2)); // two of three credits
    channel.writeInbound(ping("p1")); // the budget's only token
    channel.writeInbound(acks("b2", 2)); // one credit left: charged, over the budget
    assertThat(((Frame.Acks) inbound()).ref()).isEqualTo("b1");
    assertThat(inbound()).isEqualTo(new Frame.Ping("p1"));
    assertThat(inbound()).isNull();
    Frame.Error error = channel.readOutbound();
    assertThat(error.ref()).isEqualTo("b2");
    assertThat(error.code()).isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(AckCredits.any(channel)).as("a charged batch spends no credit").isTrue();
  }

  @Test
  void sendingOnOverTheBudget_closesTheConnection_afterALastErrorThatSaysWhy() {
    channel.writeInbound(ping("p0"));
    for (int i = 1; i <= RateLimitHandler.STRIKES; i++) {
      channel.writeInbound(ping("p" + i));
    }
    channel.runPendingTasks();
    Frame.Error last = null;
    for (Object m; (m = channel.readOutbound()) != null; ) {
      last = (Frame.Error) m;
    }
    assertThat(last.ref()).isEqualTo("p" + RateLimitHandler.STRIKES);
    assertThat(last.message())
        .startsWith("connection closed: you kept sending faster than 1 frames per second");
    assertThat(channel.isOpen()).isFalse();
    assertThat(fixture.relay.security().count(SecurityEvent.RATE_LIMITED)).isEqualTo(2);
  }
}
