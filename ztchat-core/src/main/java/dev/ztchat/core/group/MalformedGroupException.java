package dev.ztchat.core.group;

/** Bytes are not a well-formed group state, change or timeline (docs/v2/groups.md section 4). */
public final class MalformedGroupException extends Exception {
  private static final long serialVersionUID = 1L;

  public MalformedGroupException(String message) {
    super(message);
  }
}
