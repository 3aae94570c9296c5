package dev.ztchat.core.group;

/** What a group change does (docs/v2/groups.md section 4.2); the code is its wire byte. */
public enum GroupOp {
  /** Version 1: the author creates the group; the subjects are the other members. */
  CREATE(1),
  /** An admin adds the subjects. */
  ADD(2),
  /** An admin removes the subjects (never itself: that is a leave). */
  REMOVE(3),
  /** A member leaves; the only subject is the author. */
  LEAVE(4);

  private final int code;

  GroupOp(int code) {
    this.code = code;
  }

  /** The byte that identifies this operation on the wire. */
  public int code() {
    return code;
  }

  /** The operation with this wire code, or {@code null} when this version does not know it. */
  static GroupOp fromCode(int code) {
    for (GroupOp op : values()) {
      if (op.code == code) {
        return op;
      }
    }
    return null;
  }
}
