package dev.ztchat.core.envelope;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;

/**
 * Tells the opener whether a sender's certificate was revoked in a way that voids a message dated
 * {@code messageTime} (docs/PROTOCOL.md section 7, check 3b). The client backs it with the CA's
 * CRL. Asked only after the signature verified, so the date it is given is the sender's own.
 */
@FunctionalInterface
public interface SenderRevocations {
  /** Nothing is revoked (tests, and callers without a CRL). */
  SenderRevocations NONE = (cert, at) -> Optional.empty();

  /**
   * Why a message signed with {@code cert} and dated {@code messageTime} must be refused, if it
   * must.
   */
  Optional<String> refusal(X509Certificate cert, Instant messageTime);
}
