package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.protocol.MalformedFrameException;
import io.netty.handler.codec.DecoderException;

/**
 * A frame's payload that {@link FramePayloadDecoder} could not decode, on its way through the
 * pipeline's {@code exceptionCaught}: the reason (with the request's {@code ref} when it could be
 * read) and the payload's size for the security log. It carries no stack trace: it is an answer to
 * bad input, not a fault of the relay.
 */
final class MalformedPayloadException extends DecoderException {
  private static final long serialVersionUID = 1L;

  private final MalformedFrameException reason;
  private final int size;

  MalformedPayloadException(MalformedFrameException reason, int size) {
    super(requireNonNull(reason, "reason").getMessage(), reason);
    this.reason = reason;
    this.size = size;
  }

  /** Why the payload is not a frame: its error code, message and {@code ref}. */
  MalformedFrameException reason() {
    return reason;
  }

  /** The payload's size in bytes. */
  int size() {
    return size;
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
