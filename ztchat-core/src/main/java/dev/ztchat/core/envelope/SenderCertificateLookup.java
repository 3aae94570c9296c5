package dev.ztchat.core.envelope;

import java.security.cert.X509Certificate;

/**
 * Finds the signing certificate of a user by name, for the opener to verify an envelope's signature
 * with. The client backs it with the relay's directory; what it returns is not trusted: the opener
 * verifies it against the root CA (docs/PROTOCOL.md, section 7, check 1).
 *
 * <p>An unchecked exception thrown by the lookup (say, the directory is unreachable) propagates out
 * of {@link EnvelopeOpener#open} unchanged, before anything is recorded: the envelope can be opened
 * again once the lookup works.
 */
@FunctionalInterface
public interface SenderCertificateLookup {
  /** The signing certificate the directory holds for {@code name}, or {@code null} if none. */
  X509Certificate signingCertificate(String name);
}
