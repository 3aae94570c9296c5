package dev.ztchat.core.transport;

import io.netty.handler.codec.DecoderException;
import java.util.concurrent.TimeUnit;

/** A frame's body did not arrive in time after its first byte. */
public final class StalledFrameException extends DecoderException {
  private final int bufferedBytes;

  public StalledFrameException(int bufferedBytes, long timeoutNanos) {
    super(
        "incomplete frame ("
            + bufferedBytes
            + " bytes) not finished within "
            + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
            + " ms");
    this.bufferedBytes = bufferedBytes;
  }

  public int bufferedBytes() {
    return bufferedBytes;
  }
}
