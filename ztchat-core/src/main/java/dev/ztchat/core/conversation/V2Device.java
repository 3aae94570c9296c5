package dev.ztchat.core.conversation;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.IdentityName;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.session.PrekeyStore;
import java.security.MessageDigest;

/**
 * This device as version 2 knows it (docs/v2/messages.md): my user name, my device key and
 * certificate, my prekeys (their private halves), and the {@link SessionStore} that keeps my
 * sessions and ledgers. The {@link V2MessageSealer} and {@link V2MessageOpener} of one device share
 * one of these, and with it one lock: a conversation's state changes one message at a time.
 *
 * <p>The prekey store is the live object the client publishes from; the opener saves it through the
 * session store whenever a message used up a one-time prekey.
 */
public final class V2Device {
  private final String name;
  private final DeviceKey key;
  private final PrekeyStore prekeys;
  private final SessionStore store;
  private final Object lock = new Object();
  private final DecodedLedgers ledgers = new DecodedLedgers();

  /**
   * @throws IllegalArgumentException when the device certificate is not {@code name}'s or {@code
   *     prekeys} belong to another device
   */
  public V2Device(String name, DeviceKey key, PrekeyStore prekeys, SessionStore store) {
    this.name = IdentityName.validate(name);
    this.key = requireNonNull(key, "key");
    this.prekeys = requireNonNull(prekeys, "prekeys");
    this.store = requireNonNull(store, "store");
    if (!name.equals(CertificateVerifier.commonName(key.certificate()))) {
      throw new IllegalArgumentException("the device certificate is not " + name + "'s");
    }
    if (!MessageDigest.isEqual(prekeys.certificateHash(), key.certificateHash())) {
      throw new IllegalArgumentException("the prekeys belong to another device certificate");
    }
  }

  public String name() {
    return name;
  }

  /** My device id: SHA-256 of my device certificate's DER. */
  public byte[] deviceId() {
    return key.certificateHash();
  }

  DeviceKey key() {
    return key;
  }

  PrekeyStore prekeys() {
    return prekeys;
  }

  SessionStore store() {
    return store;
  }

  Object lock() {
    return lock;
  }

  /** The ledgers as last stored, kept decoded; used under {@link #lock()}. */
  DecodedLedgers ledgers() {
    return ledgers;
  }

  @Override
  public String toString() {
    return "V2Device[" + name + "]";
  }
}
