package dev.ztchat.core.transport;

import io.netty.handler.codec.TooLongFrameException;

/** A peer announced a frame longer than the limit; nothing of its body was read. */
public final class FrameTooLargeException extends TooLongFrameException {
  private final long announced;
  private final int limit;

  public FrameTooLargeException(long announced, int limit) {
    super("frame of " + announced + " bytes announced, limit is " + limit);
    this.announced = announced;
    this.limit = limit;
  }

  public long announced() {
    return announced;
  }

  public int limit() {
    return limit;
  }
}
