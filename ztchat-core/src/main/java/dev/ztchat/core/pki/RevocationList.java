package dev.ztchat.core.pki;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.CRLReason;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;

/**
 * A CRL that was checked: signed by our root CA, and fresh (its nextUpdate is still ahead). Only
 * {@link #verify} makes one, so holding one means both checks passed at that moment.
 *
 * <p>Security guarantees: answers "is this certificate revoked, and since when" from a list the CA
 * signed. It does not know about certificates revoked after the list was issued: keep it fresh.
 */
public final class RevocationList {
  private final X509CRL crl;
  private final X509Certificate ca;

  private RevocationList(X509CRL crl, X509Certificate ca) {
    this.crl = crl;
    this.ca = ca;
  }

  /**
   * Checks {@code crl} against {@code ca} and {@code now}; throws with a reason a user can act on.
   */
  public static RevocationList verify(X509CRL crl, X509Certificate ca, Instant now)
      throws CrlRejectedException {
    requireNonNull(crl, "crl");
    requireNonNull(ca, "ca");
    if (!crl.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
      throw new CrlRejectedException("the CRL was not issued by our root CA");
    }
    try {
      crl.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new CrlRejectedException("the CRL's signature was not made by our root CA");
    }
    if (crl.getNextUpdate() == null) {
      throw new CrlRejectedException(
          "the CRL has no nextUpdate, so its freshness cannot be checked");
    }
    if (!now.isBefore(crl.getNextUpdate().toInstant())) {
      throw new CrlRejectedException(
          "the CRL is out of date (its nextUpdate "
              + crl.getNextUpdate().toInstant()
              + " has passed): the administrator must issue a new one");
    }
    if (now.isBefore(crl.getThisUpdate().toInstant().minusSeconds(300))) {
      throw new CrlRejectedException(
          "the CRL is dated in the future ("
              + crl.getThisUpdate().toInstant()
              + "): check the clocks");
    }
    return new RevocationList(crl, ca);
  }

  /** When {@code cert} was revoked, if it is on this list. */
  public Optional<Instant> revokedAt(X509Certificate cert) {
    if (!cert.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
      return Optional.empty();
    }
    X509CRLEntry e = crl.getRevokedCertificate(cert.getSerialNumber());
    return e == null ? Optional.empty() : Optional.of(e.getRevocationDate().toInstant());
  }

  /**
   * True when {@code cert} was revoked because its key was compromised (nothing it signed counts).
   */
  public boolean compromised(X509Certificate cert) {
    return reasonIs(cert, CRLReason.KEY_COMPROMISE);
  }

  /** True when {@code cert} was revoked as superseded: its owner's keys were renewed. */
  public boolean superseded(X509Certificate cert) {
    return reasonIs(cert, CRLReason.SUPERSEDED);
  }

  private boolean reasonIs(X509Certificate cert, CRLReason reason) {
    if (!cert.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
      return false;
    }
    X509CRLEntry e = crl.getRevokedCertificate(cert.getSerialNumber());
    return e != null && e.getRevocationReason() == reason;
  }

  public boolean isRevoked(X509Certificate cert) {
    return revokedAt(cert).isPresent();
  }

  /** Serial numbers on the list. */
  public boolean containsSerial(BigInteger serial) {
    return crl.getRevokedCertificate(serial) != null;
  }

  public BigInteger number() {
    return CrlIssuer.crlNumber(crl);
  }

  public Instant nextUpdate() {
    return crl.getNextUpdate().toInstant();
  }

  /** The signed list itself (to pass on, e.g. from the relay's directory). */
  public X509CRL crl() {
    return crl;
  }
}
