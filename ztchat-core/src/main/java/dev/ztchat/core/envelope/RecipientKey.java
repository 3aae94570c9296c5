package dev.ztchat.core.envelope;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.IdentityName;
import java.security.cert.X509Certificate;

/**
 * One recipient encryption key to seal a message for: the user's name and one of their encryption
 * certificates. A user with several devices appears once per device key.
 *
 * <p>The caller is responsible for having verified the certificate (for role encryption and this
 * name, docs/PROTOCOL.md section 1) before sealing to it; the sealer repeats only the cheap checks
 * that catch a wrong certificate passed by mistake (see {@link RsaOaepAesGcmSealer}).
 */
public record RecipientKey(String name, X509Certificate encryptionCertificate) {
  public RecipientKey {
    IdentityName.validate(name);
    requireNonNull(encryptionCertificate, "encryptionCertificate");
  }

  /** A recipient named by the CN of its (already verified) encryption certificate. */
  public static RecipientKey of(X509Certificate encryptionCertificate) {
    return new RecipientKey(Certificates.commonName(encryptionCertificate), encryptionCertificate);
  }

  /** SHA-256 of the certificate's DER encoding: the key id carried in the envelope. */
  public byte[] keyId() {
    return Certificates.sha256(encryptionCertificate);
  }

  @Override
  public String toString() {
    return "RecipientKey[" + name + " " + Certificates.fingerprint(encryptionCertificate) + "]";
  }
}
