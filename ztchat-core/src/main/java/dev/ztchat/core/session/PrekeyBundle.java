package dev.ztchat.core.session;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;

/**
 * What the relay hands out for one device (docs/v2/session-setup.md section 4): the device
 * certificate, its signed X25519 prekey and exactly one ML-KEM-768 prekey, a one-time one or, when
 * the supply is empty, the last-resort one. {@link #verify()} checks kinds and signatures; the
 * caller checks the certificate's chain, validity and revocation, and that it names the intended
 * user.
 */
public record PrekeyBundle(
    byte[] certificateDer, SignedPrekey signedPrekey, SignedPrekey kemPrekey) {
  /** Encoding version byte. */
  public static final int VERSION = 2;

  /** Largest certificate accepted, in bytes of DER. */
  public static final int MAX_CERTIFICATE_LENGTH = 2048;

  public PrekeyBundle {
    requireNonNull(signedPrekey, "signedPrekey");
    requireNonNull(kemPrekey, "kemPrekey");
    if (certificateDer.length < 1 || certificateDer.length > MAX_CERTIFICATE_LENGTH) {
      throw new IllegalArgumentException("certificate length out of range");
    }
    certificateDer = certificateDer.clone();
  }

  /** Builds a bundle from a certificate and the two prekeys. */
  public static PrekeyBundle of(
      X509Certificate certificate, SignedPrekey signedPrekey, SignedPrekey kemPrekey) {
    try {
      return new PrekeyBundle(certificate.getEncoded(), signedPrekey, kemPrekey);
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalArgumentException("the certificate cannot be encoded", e);
    }
  }

  @Override
  public byte[] certificateDer() {
    return certificateDer.clone();
  }

  /** The device certificate (parsed; its chain is the caller's to verify). */
  public X509Certificate certificate() throws MalformedSessionDataException {
    return parseCertificate(certificateDer);
  }

  /**
   * Checks that the prekeys have the right kinds, that the certificate holds a P-256 key, and that
   * both signatures verify with it; returns the certificate.
   */
  public X509Certificate verify() throws SessionSetupException {
    X509Certificate certificate;
    try {
      certificate = certificate();
    } catch (MalformedSessionDataException e) {
      throw new SessionSetupException(
          SessionSetupException.Reason.BAD_DEVICE_KEY, "the bundle's certificate is not X.509");
    }
    DeviceKey.requireP256(certificate);
    if (signedPrekey.kind() != PrekeyKind.SIGNED_X25519 || !kemPrekey.kind().isMlKem()) {
      throw new SessionSetupException(
          SessionSetupException.Reason.BAD_PREKEY_SIGNATURE, "the bundle's prekeys have bad kinds");
    }
    if (!signedPrekey.verifies(certificate) || !kemPrekey.verifies(certificate)) {
      throw new SessionSetupException(
          SessionSetupException.Reason.BAD_PREKEY_SIGNATURE,
          "a prekey's signature does not verify with the bundle's certificate");
    }
    return certificate;
  }

  /**
   * {@code 02} version, certificate length (u16) + DER, signed prekey length (u16) + encoding,
   * ML-KEM prekey length (u16) + encoding.
   */
  public byte[] encode() {
    return new ByteWriter()
        .u8(VERSION)
        .bytes16(certificateDer)
        .bytes16(signedPrekey.encode())
        .bytes16(kemPrekey.encode())
        .toByteArray();
  }

  /** Strict decoder; it checks structure and kinds, not signatures ({@link #verify()} does). */
  public static PrekeyBundle decode(byte[] bytes) throws MalformedSessionDataException {
    ByteReader r = new ByteReader(bytes, "prekey bundle");
    int version = r.u8();
    if (version != VERSION) {
      throw new MalformedSessionDataException("prekey bundle version " + version);
    }
    byte[] der = r.bytes16(1, MAX_CERTIFICATE_LENGTH, "certificate");
    SignedPrekey spk = SignedPrekey.decode(r.bytes16(1, 0xffff, "signed prekey"));
    SignedPrekey kem = SignedPrekey.decode(r.bytes16(1, 0xffff, "ML-KEM prekey"));
    r.end();
    if (spk.kind() != PrekeyKind.SIGNED_X25519 || !kem.kind().isMlKem()) {
      throw new MalformedSessionDataException("prekey bundle has prekeys of the wrong kinds");
    }
    parseCertificate(der);
    return new PrekeyBundle(der, spk, kem);
  }

  static X509Certificate parseCertificate(byte[] der) throws MalformedSessionDataException {
    try {
      X509Certificate c =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(der));
      if (!Arrays.equals(c.getEncoded(), der)) {
        throw new MalformedSessionDataException("the certificate is not in canonical DER");
      }
      return c;
    } catch (CertificateException | ClassCastException e) {
      throw new MalformedSessionDataException("the certificate is not X.509 DER");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PrekeyBundle b
        && Arrays.equals(certificateDer, b.certificateDer)
        && signedPrekey.equals(b.signedPrekey)
        && kemPrekey.equals(b.kemPrekey);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(certificateDer) * 31 + signedPrekey.hashCode();
  }

  @Override
  public String toString() {
    return "PrekeyBundle[" + signedPrekey + ", " + kemPrekey + "]";
  }
}
