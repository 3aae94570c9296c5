package dev.ztchat.core.envelope;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Finds the signing certificates of a user by name, for the opener to verify an envelope's
 * signature with. The client backs it with the relay's directory; what it returns is not trusted:
 * the opener verifies every certificate against the root CA (docs/PROTOCOL.md, section 7, check 1).
 *
 * <p>A lookup that cannot be answered for a local or transient reason (the directory is
 * unreachable, rate limited, timed out) throws {@link SenderLookupUnavailableException}. It, like
 * any other unchecked exception thrown by the lookup, propagates out of {@link EnvelopeOpener#open}
 * unchanged, before anything is recorded: the envelope can be opened again once the lookup works.
 * Only a definite "no such user" is an empty answer.
 */
@FunctionalInterface
public interface SenderCertificateLookup {
  /**
   * The current signing certificate the directory holds for {@code name}, or {@code null} if none.
   */
  X509Certificate signingCertificate(String name);

  /**
   * The candidate signing certificates of {@code name}: the current one first, then earlier ones
   * (newest first) that may have signed messages written before a renewal. Empty if the directory
   * definitely has none. By default only the current one.
   */
  default List<X509Certificate> signingCertificates(String name) {
    X509Certificate current = signingCertificate(name);
    return current == null ? List.of() : List.of(current);
  }
}
