package dev.ztchat.client;

/**
 * The certificate the directory gave for a contact was superseded by a renewal (revoked by the CA
 * with reason {@code superseded}): the contact has new keys that the relay has not learned yet.
 * Nothing was sent; a message for them waits until their new keys can be used, it is never dropped.
 */
final class ContactKeysRenewedException extends UntrustedContactException {
  public ContactKeysRenewedException(String message) {
    super(message);
  }
}
