package dev.ztchat.core.protocol;

import static java.util.Objects.requireNonNull;

/** A frame's payload is not a valid protocol frame; {@link #code()} says which kind of wrong. */
public final class MalformedFrameException extends Exception {
  private final ErrorCode code;
  private final String ref;

  public MalformedFrameException(ErrorCode code, String message, String ref) {
    super(message);
    this.code = requireNonNull(code, "code");
    this.ref = ref;
  }

  public ErrorCode code() {
    return code;
  }

  /** The request's {@code ref}, if it could be read, else {@code null}. */
  public String ref() {
    return ref;
  }

  /**
   * True when the payload was not even a JSON object, or is a binary frame too short for its own
   * header (the stream may be garbage).
   */
  public boolean isUnparseable() {
    return code == ErrorCode.MALFORMED
        && ref == null
        && (getMessage().startsWith("not a JSON")
            || getMessage().startsWith(BinaryFrames.UNPARSEABLE));
  }
}
