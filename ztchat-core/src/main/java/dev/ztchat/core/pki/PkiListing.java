package dev.ztchat.core.pki;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Lists every certificate in a certs folder (CA, server, each user's signing and encryption
 * certificate and v2 device certificate) with its key fingerprint, expiry and a status an operator
 * can act on. This is what {@code ztchat pki list} prints. It reads certificates only, never
 * private keys.
 *
 * <p>The status is {@code valid}, {@code expires in N days} (fewer than {@value
 * Certificates#EXPIRY_WARNING_DAYS} left), {@code EXPIRED}, {@code REVOKED on DATE (REASON)}
 * (listed in {@code ca.crl}), {@code NOT YET VALID}, {@code INVALID: reason} (for example a user
 * left behind when the CA was replaced), {@code MISSING} or {@code UNREADABLE: reason}.
 */
public final class PkiListing {
  private PkiListing() {}

  /**
   * One certificate in the folder.
   *
   * @param name the certificate's CN (the user name for user certificates)
   * @param role {@code ca}, {@code server}, {@code signing}, {@code encryption}, {@code device}
   *     (the device in {@code users/NAME/}) or {@code device DEVICE} (a named device)
   * @param fingerprint the key fingerprint ({@link KeyFingerprint#of}, the form the client shows);
   *     null when the file is missing or unreadable
   * @param notAfter expiry; null when the file is missing or unreadable
   * @param status see the class documentation
   */
  public record Entry(
      String name, String role, String fingerprint, Instant notAfter, String status) {}

  /**
   * Lists the folder's certificates in a fixed order: CA, server, then users by name (signing,
   * encryption, then each device certificate: the default device first, then named devices by
   * name).
   *
   * @throws PkiException when the folder has no {@code ca.crt}
   */
  public static List<Entry> list(CertsLayout layout, Instant now) throws IOException, PkiException {
    X509Certificate ca = PkiChecks.readCaCertificate(layout);
    CertificateVerifier verifier = new CertificateVerifier(ca);
    X509CRL crl = CrlFiles.read(layout.crl());
    List<Entry> entries = new ArrayList<>();
    entries.add(entry(ca, "ca", caStatus(ca, now)));
    if (Files.exists(layout.serverCertificate())) {
      entries.add(
          leaf(
              layout.serverCertificate(),
              null,
              "server",
              CertificateRole.SERVER,
              verifier,
              now,
              crl));
    }
    for (String user : layout.userNames()) {
      entries.add(
          leaf(
              layout.signingCertificate(user),
              user,
              "signing",
              CertificateRole.USER_SIGNING,
              verifier,
              now,
              crl));
      entries.add(
          leaf(
              layout.encryptionCertificate(user),
              user,
              "encryption",
              CertificateRole.USER_ENCRYPTION,
              verifier,
              now,
              crl));
      for (String device : layout.deviceNames(user)) {
        entries.add(
            leaf(
                layout.deviceCertificate(user, device),
                user,
                DeviceName.DEFAULT.equals(device) ? "device" : "device " + device,
                CertificateRole.DEVICE,
                verifier,
                now,
                crl));
      }
    }
    return List.copyOf(entries);
  }

  private static Entry leaf(
      Path file,
      String user,
      String label,
      CertificateRole role,
      CertificateVerifier verifier,
      Instant now,
      X509CRL crl) {
    String name = user == null ? PkiAdmin.SERVER_COMMON_NAME : user;
    if (!Files.exists(file)) {
      return new Entry(name, label, null, null, "MISSING (" + file + ")");
    }
    X509Certificate cert;
    try {
      cert = PemFiles.readCertificate(file);
    } catch (IOException e) {
      return new Entry(name, label, null, null, "UNREADABLE: " + e.getMessage());
    }
    String status = timeStatus(cert, now);
    var revoked = crl == null ? null : crl.getRevokedCertificate(cert.getSerialNumber());
    if (revoked != null) {
      status =
          "REVOKED on "
              + revoked.getRevocationDate().toInstant()
              + (revoked.getRevocationReason() == null
                  ? ""
                  : " (" + revoked.getRevocationReason() + ")");
    } else if (status == null) {
      try {
        verifier.verify(cert, user, role, now);
        status = expiryStatus(cert, now);
      } catch (CertificateRejectedException e) {
        status = "INVALID: " + e.getMessage();
      }
    }
    return entry(cert, label, status);
  }

  private static String caStatus(X509Certificate ca, Instant now) {
    String status = timeStatus(ca, now);
    if (status != null) {
      return status;
    }
    try {
      ca.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      return "INVALID: ca.crt is not a correctly self-signed root certificate";
    }
    if (ca.getBasicConstraints() < 0) {
      return "INVALID: ca.crt is not a CA certificate";
    }
    return expiryStatus(ca, now);
  }

  /** EXPIRED or NOT YET VALID, or null when {@code now} is inside the validity period. */
  private static String timeStatus(X509Certificate cert, Instant now) {
    if (now.isAfter(cert.getNotAfter().toInstant())) {
      return "EXPIRED";
    }
    if (now.isBefore(cert.getNotBefore().toInstant())) {
      return "NOT YET VALID (from " + cert.getNotBefore().toInstant() + ")";
    }
    return null;
  }

  private static String expiryStatus(X509Certificate cert, Instant now) {
    long days = Duration.between(now, cert.getNotAfter().toInstant()).toDays();
    if (days >= Certificates.EXPIRY_WARNING_DAYS) {
      return "valid";
    }
    return switch ((int) days) {
      case 0 -> "expires in less than a day";
      case 1 -> "expires in 1 day";
      default -> "expires in " + days + " days";
    };
  }

  private static Entry entry(X509Certificate cert, String label, String status) {
    return new Entry(
        Certificates.commonName(cert),
        label,
        KeyFingerprint.of(cert),
        cert.getNotAfter().toInstant(),
        status);
  }
}
