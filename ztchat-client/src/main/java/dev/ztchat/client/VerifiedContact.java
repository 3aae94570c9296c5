package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import java.security.cert.X509Certificate;

/**
 * A contact's certificates after they were verified against the root CA for the contact's name
 * and roles. Only {@link ContactDirectory} makes these.
 */
public record VerifiedContact(String name, X509Certificate signing, X509Certificate encryption) {
  public VerifiedContact {
    requireNonNull(name, "name");
    requireNonNull(signing, "signing");
    requireNonNull(encryption, "encryption");
  }

  /** The contact's key fingerprint as shown to users. */
  public String fingerprint() {
    return KeyFingerprints.display(KeyFingerprints.ofKey(signing), KeyFingerprints.ofKey(encryption));
  }
}
