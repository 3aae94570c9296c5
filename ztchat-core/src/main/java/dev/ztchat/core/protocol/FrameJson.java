package dev.ztchat.core.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;

/**
 * The one JSON configuration of the frame codec (docs/PROTOCOL.md section 4): the limits and the
 * strictness that the streaming parser enforces by itself, for {@link FrameReader} and {@link
 * FrameWriter}.
 */
final class FrameJson {
  /**
   * Nesting deeper than {@link ProtocolLimits#MAX_JSON_DEPTH}, a string longer than the largest
   * frame, a number longer than 32 characters and a duplicate member (at any depth, also inside
   * members that are skipped) all fail the parse.
   */
  static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(ProtocolLimits.MAX_JSON_DEPTH)
                  .maxStringLength(ProtocolLimits.MAX_MAX_FRAME)
                  .maxNumberLength(32)
                  .build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          // Encoding into a Netty buffer's stream must not close it: the pipeline owns it.
          .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
          .build();

  private FrameJson() {}
}
