package dev.ztchat.core.pki;

import static java.util.Objects.requireNonNull;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * A certificate together with the private key that matches it.
 *
 * <p>Warning: {@link #toString()} never includes the private key; do not log {@link #privateKey()}.
 */
public record Credential(X509Certificate certificate, PrivateKey privateKey) {
  public Credential {
    requireNonNull(certificate, "certificate");
    requireNonNull(privateKey, "privateKey");
  }

  @Override
  public String toString() {
    return "Credential[" + certificate.getSubjectX500Principal().getName() + "]";
  }
}
