package dev.ztchat.core.protocol;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Encodes {@link Frame}s as JSON payloads (or, for {@code send} and {@code deliver} marked binary,
 * as binary payloads: docs/v2/envelope.md section 4) and decodes payloads strictly
 * (docs/PROTOCOL.md section 4): UTF-8 only, one object, no duplicate members, bounded nesting,
 * every listed member of the right type. Decoding never throws anything but {@link
 * MalformedFrameException}. The JSON is written by {@link FrameWriter} and read by {@link
 * FrameReader}, both streaming (no tree).
 */
public final class FrameCodec {
  private FrameCodec() {}

  /** The payload of a frame (without the length prefix). */
  public static byte[] encode(Frame frame) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try {
      encode(frame, out);
    } catch (IOException e) {
      throw new UncheckedIOException("JSON encoding failed", e);
    }
    return out.toByteArray();
  }

  /**
   * Writes the JSON payload of a frame (without the length prefix) to {@code out}, which stays
   * open; the payload is the same as {@link #encode(Frame)}'s.
   */
  public static void encode(Frame frame, OutputStream out) throws IOException {
    if (isBinary(frame)) {
      BinaryFrames.write(frame, out);
      return;
    }
    if (SmallFrames.write(frame, out)) {
      return;
    }
    try (JsonGenerator g = FrameJson.FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      FrameWriter.write(frame, g);
    }
  }

  /** Decodes one payload. */
  public static Frame decode(byte[] payload) throws MalformedFrameException {
    return BinaryFrames.isBinary(payload) ? BinaryFrames.read(payload) : FrameReader.read(payload);
  }

  /** Whether {@code frame} travels as a binary frame (docs/v2/envelope.md section 4). */
  public static boolean isBinary(Frame frame) {
    return (frame instanceof Frame.Send s && s.binary())
        || (frame instanceof Frame.Deliver d && d.binary());
  }
}
