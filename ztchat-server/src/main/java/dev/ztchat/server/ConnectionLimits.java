package dev.ztchat.server;

/**
 * How many connections the relay lets in: at most {@code perIdentity} authenticated connections per
 * identity, at most {@code global} authenticated connections in all, and at most {@code
 * preAuthPerAddress} connections per remote address that have not finished the TLS handshake.
 *
 * <p>The last {@link #reserve()} slots of the global cap are kept for identities below their fair
 * share, so that one insider (or a few) holding many connections cannot lock out a colleague who
 * has none: see {@link ConnectionRegistry#admit}. Each value is validated up front; the error names
 * the {@code server} flag and its range.
 */
public record ConnectionLimits(int perIdentity, int global, int preAuthPerAddress) {
  /** Connections one identity may hold at once by default (several devices and a {@code recv}). */
  public static final int DEFAULT_PER_IDENTITY = 8;

  /**
   * Authenticated connections in all by default: well under a common 4096 file-descriptor limit.
   */
  public static final int DEFAULT_GLOBAL = 2000;

  /** Connections per remote address still in the TLS handshake by default. */
  public static final int DEFAULT_PRE_AUTH_PER_ADDRESS = 32;

  static final int MAX_PER_IDENTITY = 10_000;
  static final int MAX_GLOBAL = 1_000_000;
  static final int MAX_PRE_AUTH_PER_ADDRESS = 100_000;

  public ConnectionLimits {
    if (perIdentity < 1 || perIdentity > MAX_PER_IDENTITY) {
      throw new IllegalArgumentException(
          "--max-connections-per-user "
              + perIdentity
              + " is out of range: use 1 to "
              + MAX_PER_IDENTITY
              + " (default "
              + DEFAULT_PER_IDENTITY
              + ")");
    }
    if (global < 1 || global > MAX_GLOBAL) {
      throw new IllegalArgumentException(
          "--max-connections "
              + global
              + " is out of range: use 1 to "
              + MAX_GLOBAL
              + " (default "
              + DEFAULT_GLOBAL
              + "; keep it under the process's open-file limit, ulimit -n)");
    }
    if (perIdentity > global) {
      throw new IllegalArgumentException(
          "--max-connections-per-user "
              + perIdentity
              + " is larger than --max-connections "
              + global
              + ": lower the first or raise the second");
    }
    if (preAuthPerAddress < 1 || preAuthPerAddress > MAX_PRE_AUTH_PER_ADDRESS) {
      throw new IllegalArgumentException(
          "--max-handshakes-per-address "
              + preAuthPerAddress
              + " is out of range: use 1 to "
              + MAX_PRE_AUTH_PER_ADDRESS
              + " (default "
              + DEFAULT_PRE_AUTH_PER_ADDRESS
              + ")");
    }
  }

  /** The defaults: 8 per identity, 2000 in all, 32 handshakes per address. */
  public static ConnectionLimits defaults() {
    return new ConnectionLimits(DEFAULT_PER_IDENTITY, DEFAULT_GLOBAL, DEFAULT_PRE_AUTH_PER_ADDRESS);
  }

  /** The largest allowed values, for load generators that open many connections as one user. */
  public static ConnectionLimits highest() {
    return new ConnectionLimits(MAX_PER_IDENTITY, MAX_GLOBAL, MAX_PRE_AUTH_PER_ADDRESS);
  }

  /**
   * The slots at the top of the global cap kept for identities below their fair share: a tenth of
   * the cap (at least one once the cap is 2 or more).
   */
  public int reserve() {
    return global < 2 ? 0 : Math.max(1, global / 10);
  }
}
