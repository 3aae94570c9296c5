package dev.ztchat.core.pki;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Issues the root CA's certificate revocation list: a standard X.509 v2 CRL, signed with the CA
 * key's algorithm ({@link KeyType}: SHA256withRSA or SHA256withECDSA), whose CRL number grows by
 * one with every issue, carrying every entry of the previous list plus the new ones. {@code openssl
 * crl -CAfile ca.crt} verifies it.
 */
public final class CrlIssuer {
  /** Default time until the next CRL must be issued (clients refuse a CRL past its nextUpdate). */
  public static final Duration DEFAULT_NEXT_UPDATE = Duration.ofDays(7);

  private CrlIssuer() {}

  /** One certificate to revoke, and why. */
  public record Revocation(X509Certificate certificate, RevocationReason reason) {
    public Revocation {
      requireNonNull(certificate, "certificate");
      requireNonNull(reason, "reason");
    }
  }

  /**
   * A new CRL: {@code previous}'s entries (if any), plus {@code add} revoked at {@code now}, valid
   * until {@code now + nextUpdate}.
   */
  public static X509CRL issue(
      Credential ca, X509CRL previous, List<Revocation> add, Instant now, Duration nextUpdate) {
    requireNonNull(ca, "ca");
    try {
      X500Name issuer =
          X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
      X509v2CRLBuilder b = new X509v2CRLBuilder(issuer, Date.from(now));
      b.setNextUpdate(Date.from(now.plus(nextUpdate)));
      BigInteger number = BigInteger.ONE;
      if (previous != null) {
        for (X509CRLEntry e :
            previous.getRevokedCertificates() == null
                ? Set.<X509CRLEntry>of()
                : previous.getRevokedCertificates()) {
          @SuppressWarnings("EnumOrdinal") // CRLReason's constants are in code order (RFC 5280)
          int reason = e.getRevocationReason() == null ? 0 : e.getRevocationReason().ordinal();
          b.addCRLEntry(e.getSerialNumber(), e.getRevocationDate(), reason);
        }
        number = crlNumber(previous).add(BigInteger.ONE);
      }
      for (Revocation r : add) {
        if (previous == null
            || previous.getRevokedCertificate(r.certificate().getSerialNumber()) == null) {
          b.addCRLEntry(r.certificate().getSerialNumber(), Date.from(now), r.reason().code());
        }
      }
      b.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
      b.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          new JcaX509ExtensionUtils()
              .createAuthorityKeyIdentifier(ca.certificate().getPublicKey()));
      return new JcaX509CRLConverter()
          .getCRL(
              b.build(
                  new JcaContentSignerBuilder(KeyType.signatureAlgorithmFor(ca.privateKey()))
                      .build(ca.privateKey())));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("could not issue the CRL", e);
    }
  }

  /** The CRL number extension's value (0 when absent). */
  public static BigInteger crlNumber(X509CRL crl) {
    byte[] ext = crl.getExtensionValue(Extension.cRLNumber.getId());
    if (ext == null) {
      return BigInteger.ZERO;
    }
    return CRLNumber.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getCRLNumber();
  }
}
