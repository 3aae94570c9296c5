package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.List;

/**
 * The users' certificates a relay learned from the users themselves (their connections' client
 * certificates and {@code publish} frames), shared by every relay node on one PostgreSQL store, so
 * that a certificate published through one node is served by all. The relay verifies each
 * certificate against the CA before it adds it and again when it reads it back: the store is not
 * trusted for them. With the SQLite store there is one node, and nothing to share ({@link
 * #NOT_SHARED}).
 */
public interface PublishedCertificates extends AutoCloseable {
  /** A certificate as a user presented it: its owner, its role's name and its DER. */
  record Published(String owner, String role, byte[] der) {
    public Published {
      requireNonNull(owner, "owner");
      requireNonNull(role, "role");
      der = der.clone();
    }

    @Override
    public byte[] der() {
      return der.clone();
    }
  }

  /** One relay node: nothing is kept, nothing is read back. */
  PublishedCertificates NOT_SHARED =
      new PublishedCertificates() {
        @Override
        public void add(Published certificate) {}

        @Override
        public List<Published> of(String owner) {
          return List.of();
        }

        @Override
        public AddedSince<Published> addedSince(long cursor) {
          return new AddedSince<>(List.of(), cursor);
        }

        @Override
        public void close() {}
      };

  /** The shared certificates of {@code limits}' PostgreSQL store; {@link #NOT_SHARED} on SQLite. */
  static PublishedCertificates open(QueueLimits limits) throws IOException {
    var postgres = limits.postgres();
    if (postgres.isPresent()) {
      return PostgresPublishedCertificates.open(postgres.get());
    }
    return NOT_SHARED;
  }

  /** Keeps {@code certificate} (once), and tells the other nodes it is there. */
  void add(Published certificate) throws IOException;

  /** Every certificate kept for {@code owner}. */
  List<Published> of(String owner) throws IOException;

  /**
   * The certificates added since {@code cursor} ({@link AddedSince#START}: all of them), and the
   * cursor to read from next.
   */
  AddedSince<Published> addedSince(long cursor) throws IOException;

  /**
   * Starts telling {@code listener} whose certificates other nodes added ({@link
   * RemoteCommitListener#committedFor}), and when to read them all again; nothing where nothing is
   * shared.
   */
  default void listenForOtherNodes(RemoteCommitListener listener) {}

  @Override
  void close();
}
