package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.RoutingPrefix;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A live envelope's states: whichever of the store and the recipient's ack comes first settles it.
 */
class LiveEnvelopeTest {
  static LiveEnvelope offered() {
    RoutingPrefix header = new RoutingPrefix(1, "alice", List.of("bob"), 0, new byte[16]);
    return new LiveEnvelope(new EmbeddedChannel(), "r1", header, new byte[] {1}, "bob", 1, 0L);
  }

  @Test
  void acknowledgedBeforeTheStoreClaimsIt_isNeverWritten() {
    LiveEnvelope e = offered();
    assertThat(e.push()).isTrue();
    assertThat(e.acknowledge()).isTrue();
    assertThat(e.claimForStore()).isFalse();
    assertThat(e.wasPushed()).isTrue();
    assertThat(e.storeNotBefore(1_000)).isZero();
  }

  @Test
  void claimedByTheStoreFirst_cannotBePushed_andItsAckGoesThroughTheStore() {
    LiveEnvelope e = offered();
    assertThat(e.claimForStore()).isTrue();
    assertThat(e.push()).isFalse();
    assertThat(e.acknowledge()).isFalse();
    assertThat(e.wasPushed()).isFalse();
    assertThat(e.claimForStore()).as("claiming again changes nothing").isTrue();
  }

  @Test
  void pushedThenClaimed_isWrittenButNotPushedAgain() {
    LiveEnvelope e = offered();
    assertThat(e.push()).isTrue();
    assertThat(e.claimForStore()).isTrue();
    assertThat(e.acknowledge()).as("too late: the store has it").isFalse();
    assertThat(e.wasPushed()).isTrue();
  }

  @Test
  void declined_isForTheStoreAtOnce() {
    LiveEnvelope e = offered();
    long grace = 1_000_000_000L;
    assertThat(e.storeNotBefore(grace)).isNotZero();
    e.decline();
    assertThat(e.isOffered()).isFalse();
    assertThat(e.storeNotBefore(grace)).isZero();
    assertThat(e.push()).isFalse();
    assertThat(e.claimForStore()).isTrue();
  }
}
