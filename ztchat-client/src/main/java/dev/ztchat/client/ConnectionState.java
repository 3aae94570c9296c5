package dev.ztchat.client;

/** Whether the client is connected to the relay, as the user is shown it. */
public enum ConnectionState {
  /** An attempt to connect is under way. */
  CONNECTING("connecting"),
  /** Connected: messages go out now. */
  CONNECTED("connected"),
  /** Not connected; another attempt is scheduled. Messages typed now wait in the outbox. */
  DISCONNECTED("offline");

  private final String label;

  ConnectionState(String label) {
    this.label = label;
  }

  /** A short word for the status line. */
  public String label() {
    return label;
  }
}
