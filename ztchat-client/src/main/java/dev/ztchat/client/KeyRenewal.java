package dev.ztchat.client;

import dev.ztchat.core.pki.CertificateRejectedException;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.UserIdentity;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.CRLReason;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, after the relay refused this device's certificate, whether its keys were renewed: newer
 * keys for the same name, issued by our CA, found through {@link KeyReload}, are used; a
 * certificate the CA's list shows as superseded, without newer keys at hand, gets a refusal that
 * says to copy them; anything else stays the relay's refusal.
 */
final class KeyRenewal {
  private static final Logger LOG = LoggerFactory.getLogger(KeyRenewal.class);

  private KeyRenewal() {}

  /**
   * The newer keys to connect with after {@code refused}, or throws what to tell the user: {@code
   * refused} itself, or {@link CertificateRefusedException#renewed} when the keys were renewed but
   * the new ones are not where the client reads them.
   */
  static KeyReload.StoredKeys newerKeys(
      ChatClientConfig config, CertificateRefusedException refused, Instant now)
      throws CertificateRefusedException {
    KeyReload reload = config.keyReload();
    if (reload == null) {
      throw refused;
    }
    UserIdentity current = config.me();
    KeyReload.StoredKeys stored;
    try {
      stored = reload.read();
    } catch (IOException e) {
      LOG.debug("cannot read the keys again: {}", e.getMessage());
      throw refused;
    }
    X509CRL crl = verifiedOrNull(stored.crl(), config.rootCa());
    if (isNewer(stored.me(), current, config.rootCa(), crl, now)) {
      return stored;
    }
    if (crl != null && superseded(crl, current.signing().certificate())) {
      throw CertificateRefusedException.renewed(current.name(), reload.location());
    }
    throw refused;
  }

  /** Whether newer keys for this identity are where the client reads its keys from. */
  static boolean renewedOnDisk(ChatClientConfig config, Instant now) {
    KeyReload reload = config.keyReload();
    if (reload == null) {
      return false;
    }
    try {
      KeyReload.StoredKeys stored = reload.read();
      return isNewer(
          stored.me(),
          config.me(),
          config.rootCa(),
          verifiedOrNull(stored.crl(), config.rootCa()),
          now);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Earlier encryption keys to keep after switching from {@code old} to {@code renewed}. */
  static List<Credential> previousAfter(ChatClientConfig old, KeyReload.StoredKeys renewed) {
    List<Credential> all = new ArrayList<>(renewed.previousEncryption());
    all.addAll(old.previousEncryption());
    all.add(old.me().encryption());
    Set<BigInteger> seen = new HashSet<>();
    seen.add(renewed.me().encryption().certificate().getSerialNumber());
    return all.stream().filter(c -> seen.add(c.certificate().getSerialNumber())).toList();
  }

  private static boolean isNewer(
      UserIdentity stored, UserIdentity current, X509Certificate rootCa, X509CRL crl, Instant now) {
    X509Certificate signing = stored.signing().certificate();
    if (!stored.name().equals(current.name())
        || signing.getSerialNumber().equals(current.signing().certificate().getSerialNumber())
        || signing
            .getNotBefore()
            .toInstant()
            .isBefore(current.signing().certificate().getNotBefore().toInstant())) {
      return false;
    }
    try {
      CertificateVerifier verifier = new CertificateVerifier(rootCa);
      verifier.verify(signing, current.name(), CertificateRole.USER_SIGNING, now);
      verifier.verify(
          stored.encryption().certificate(), current.name(), CertificateRole.USER_ENCRYPTION, now);
    } catch (CertificateRejectedException e) {
      LOG.debug("the stored keys cannot replace the refused ones: {}", e.getMessage());
      return false;
    }
    return crl == null
        || (crl.getRevokedCertificate(signing) == null
            && crl.getRevokedCertificate(stored.encryption().certificate()) == null);
  }

  private static boolean superseded(X509CRL crl, X509Certificate cert) {
    X509CRLEntry entry = crl.getRevokedCertificate(cert);
    return entry != null && entry.getRevocationReason() == CRLReason.SUPERSEDED;
  }

  /** The list if our CA signed it (its freshness does not matter to tell a renewal), else null. */
  private static X509CRL verifiedOrNull(X509CRL crl, X509Certificate rootCa) {
    if (crl == null || !crl.getIssuerX500Principal().equals(rootCa.getSubjectX500Principal())) {
      return null;
    }
    try {
      crl.verify(rootCa.getPublicKey());
      return crl;
    } catch (GeneralSecurityException e) {
      return null;
    }
  }
}
