package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * A contact's certificates after they were verified against the root CA for the contact's name and
 * roles. Only this package makes these ({@link ContactDirectory} after verifying), so code outside
 * it cannot present arbitrary keys as verified; {@link ContactDirectory#acceptChange} verifies them
 * again anyway before pinning.
 */
public final class VerifiedContact {
  private final String name;
  private final X509Certificate signing;
  private final X509Certificate encryption;

  VerifiedContact(String name, X509Certificate signing, X509Certificate encryption) {
    this.name = requireNonNull(name, "name");
    this.signing = requireNonNull(signing, "signing");
    this.encryption = requireNonNull(encryption, "encryption");
  }

  public String name() {
    return name;
  }

  /** The contact's signing (and TLS client) certificate. */
  public X509Certificate signing() {
    return signing;
  }

  /** The contact's encryption certificate, which messages to them are sealed to. */
  public X509Certificate encryption() {
    return encryption;
  }

  /** The contact's key fingerprint as shown to users. */
  public String fingerprint() {
    return KeyFingerprints.display(
        KeyFingerprints.ofKey(signing), KeyFingerprints.ofKey(encryption));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VerifiedContact c
        && name.equals(c.name)
        && signing.equals(c.signing)
        && encryption.equals(c.encryption);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, signing, encryption);
  }

  @Override
  public String toString() {
    return "VerifiedContact[" + name + ", " + fingerprint() + "]";
  }
}
