package dev.ztchat.server.store;

/**
 * What a store shared by several relay nodes tells one node about envelopes another node committed
 * ({@link OfflineQueue#listenForOtherNodes}). A notice is a wake-up only, never the data: the node
 * reads the envelopes from the store, in the normal delivery path, so a lost notice costs latency,
 * not a message.
 *
 * <p>Called on the store's listening thread; implementations hand the work to their own threads and
 * return at once.
 */
public interface RemoteCommitListener {
  /** Another node committed envelopes for {@code recipient}. */
  void committedFor(String recipient);

  /**
   * Notices may have been missed (the listening connection was lost and made again, or a periodic
   * check is due): every recipient connected to this node should read its queue again.
   */
  void mayHaveMissed();
}
