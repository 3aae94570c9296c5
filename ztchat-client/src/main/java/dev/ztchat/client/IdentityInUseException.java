package dev.ztchat.client;

import java.io.IOException;
import java.util.OptionalLong;

/**
 * Another ztchat process (or another client in this one) already uses this identity's local state.
 */
public final class IdentityInUseException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String identity;
  private final long pid;

  IdentityInUseException(String identity, OptionalLong pid) {
    super(
        identity
            + " is already in use by another ztchat process"
            + (pid.isPresent() ? " (pid " + pid.getAsLong() + ")" : "")
            + ": close it first, or use that one (one identity runs in one process at a time)");
    this.identity = identity;
    this.pid = pid.orElse(-1);
  }

  public String identity() {
    return identity;
  }

  /** The process holding the identity, if it could be read. */
  public OptionalLong pid() {
    return pid < 0 ? OptionalLong.empty() : OptionalLong.of(pid);
  }
}
