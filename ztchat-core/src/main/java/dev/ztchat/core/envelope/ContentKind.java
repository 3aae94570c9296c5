package dev.ztchat.core.envelope;

/**
 * What the body of a message's plaintext holds: the first plaintext byte (docs/PROTOCOL.md, section
 * 6.1). Receivers reject kinds they do not know.
 */
public enum ContentKind {
  /** The body is strict UTF-8 text. */
  TEXT(1),
  /**
   * A delivery receipt: the body is the 16-byte id of a message the receipt's sender received,
   * verified and stored. Signed like any message, so the relay cannot fake one.
   */
  RECEIPT(2),
  /**
   * A text to a group (version 2 only): 16-byte group id, u32 state version, then strict UTF-8 text
   * (docs/v2/groups.md section 3).
   */
  GROUP_TEXT(3),
  /** A group membership change (version 2 only): a {@code GroupChange} (docs/v2/groups.md 4.2). */
  GROUP_CHANGE(4),
  /**
   * A group change forwarded to a device that joined late (version 2 only): a {@code
   * ForwardedChange} record, the change's original envelope and content key (docs/v2/groups.md
   * section 6.6).
   */
  FORWARDED_GROUP_CHANGE(5);

  private final int code;

  ContentKind(int code) {
    this.code = code;
  }

  /** The byte that identifies this kind on the wire. */
  public int code() {
    return code;
  }

  /** The kind with this wire code, or {@code null} when this version does not know it. */
  static ContentKind fromCode(int code) {
    for (ContentKind kind : values()) {
      if (kind.code == code) {
        return kind;
      }
    }
    return null;
  }
}
