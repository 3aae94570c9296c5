package dev.ztchat.client;

/** Whether the client is connected to the relay, as the user is shown it. */
public enum ConnectionState {
  /** An attempt to connect is under way. */
  CONNECTING("connecting"),
  /** Connected: messages go out now. */
  CONNECTED("connected"),
  /** Not connected; another attempt is scheduled. Messages typed now wait in the outbox. */
  DISCONNECTED("offline"),
  /**
   * The relay refused this device's certificate (revoked, expired, not from its CA, or renewed with
   * the new keys not where the client reads its keys): no further attempts, since only new keys can
   * help. Messages typed now stay in the outbox.
   */
  REFUSED("refused");

  private final String label;

  ConnectionState(String label) {
    this.label = label;
  }

  /** A short word for the status line. */
  public String label() {
    return label;
  }
}
