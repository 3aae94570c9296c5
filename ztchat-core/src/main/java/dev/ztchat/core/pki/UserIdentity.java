package dev.ztchat.core.pki;

import static java.util.Objects.requireNonNull;

/**
 * A user's two credentials: one that signs (TLS client authentication and message signatures) and
 * one that only receives wrapped content keys. No RSA key both signs and decrypts.
 */
public record UserIdentity(String name, Credential signing, Credential encryption) {
  public UserIdentity {
    requireNonNull(name, "name");
    requireNonNull(signing, "signing");
    requireNonNull(encryption, "encryption");
  }
}
