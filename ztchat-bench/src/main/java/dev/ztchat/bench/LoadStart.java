package dev.ztchat.bench;

import dev.ztchat.core.protocol.Frame;
import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.CountDownLatch;

/**
 * The start of a load client's connection: {@link #welcome} opens once the relay sent {@code
 * welcome} and, when the {@link Wire} asked for binary frames, answered that {@code features} with
 * {@code ok}, so that every envelope pushed after the load starts may come in a binary frame. Used
 * on the connection's event loop only.
 */
final class LoadStart {
  final CountDownLatch welcome = new CountDownLatch(1);
  private final Wire wire;
  private boolean awaitingFeatures;

  LoadStart(Wire wire) {
    this.wire = wire;
  }

  /** Whether {@code frame} belonged to the start (then the caller has nothing more to do). */
  boolean onFrame(ChannelHandlerContext ctx, Frame frame) {
    if (frame instanceof Frame.Welcome w) {
      awaitingFeatures = wire.welcomed(ctx, w);
      if (!awaitingFeatures) {
        welcome.countDown();
      }
      return true;
    }
    if (awaitingFeatures && frame instanceof Frame.Ok) {
      awaitingFeatures = false;
      welcome.countDown();
      return true;
    }
    return false;
  }
}
