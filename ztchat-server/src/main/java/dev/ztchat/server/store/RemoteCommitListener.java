package dev.ztchat.server.store;

/**
 * What a store shared by several relay nodes tells one node about what another node committed:
 * envelopes ({@link OfflineQueue#listenForOtherNodes}) or certificates ({@link
 * PublishedCertificates#listenForOtherNodes}). A notice is a wake-up only, never the data: the node
 * reads what changed from the store, so a lost notice costs latency, not a message.
 *
 * <p>Called on the store's listening thread; implementations hand the work to their own threads and
 * return at once.
 */
public interface RemoteCommitListener {
  /** Another node committed envelopes (or certificates) for {@code recipient}. */
  void committedFor(String recipient);

  /**
   * Notices may have been missed (the listening connection was lost and made again, or a periodic
   * check is due): everything should be read again (every connected recipient's queue, every
   * published certificate).
   */
  void mayHaveMissed();
}
