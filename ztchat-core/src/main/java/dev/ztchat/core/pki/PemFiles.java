package dev.ztchat.core.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.EnumSet;
import java.util.Set;

/**
 * Reads and writes PEM files: X.509 certificates, CRLs and PKCS#8 private keys. Private key files
 * are created with mode 0600 from the start (never readable by others, not even briefly).
 *
 * <p>Only the JDK is used here (the PEM armour is RFC 7468's: a BEGIN line, base64 in lines of 64,
 * an END line), so that reading keys and certificates, which every client start does, never loads
 * Bouncy Castle.
 */
public final class PemFiles {
  private PemFiles() {}

  /** Encodes a certificate as PEM text. */
  public static String toPem(X509Certificate cert) {
    return pem(cert);
  }

  /** Encodes a CRL as PEM text ({@code BEGIN X509 CRL}). */
  public static String toPem(X509CRL crl) {
    try {
      return PemArmour.encode("X509 CRL", crl.getEncoded());
    } catch (CRLException e) {
      throw new IllegalStateException("PEM encoding of the CRL failed", e);
    }
  }

  /** Parses one PEM CRL from text ({@code BEGIN X509 CRL}); its signature is not checked here. */
  public static X509CRL parseCrl(String pem) throws IOException {
    byte[] der =
        PemArmour.decode(pem, "X509 CRL", "the CRL")
            .orElseThrow(() -> new IOException("not a PEM CRL (BEGIN X509 CRL)"));
    try {
      return (X509CRL)
          CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException e) {
      throw new IOException("the CRL cannot be parsed: " + e.getMessage(), e);
    }
  }

  /** Parses exactly one PEM certificate from text. */
  public static X509Certificate parseCertificate(String pem) throws IOException {
    return certificateFrom(pem, "certificate text");
  }

  /** Reads a PEM certificate file. */
  public static X509Certificate readCertificate(Path file) throws IOException {
    return certificateFrom(text(file), file.toString());
  }

  /**
   * Reads a PKCS#8 PEM private key file ({@code BEGIN PRIVATE KEY}). The key's algorithm is taken
   * from the PKCS#8 structure; only the {@link KeyType}s ztchat supports are accepted (RSA, and EC
   * on P-256), anything else is refused.
   */
  public static PrivateKey readPrivateKey(Path file) throws IOException {
    byte[] der =
        PemArmour.decode(text(file), "PRIVATE KEY", file.toString())
            .orElseThrow(
                () ->
                    new IOException(
                        file + " does not hold a PKCS#8 PEM private key (BEGIN PRIVATE KEY)"));
    PrivateKey key = keyOfSupportedType(der);
    if (key == null) {
      throw new IOException(
          file
              + " holds a private key of an unsupported type, or one that cannot be parsed:"
              + " ztchat accepts RSA keys and ECDSA keys on P-256 only");
    }
    try {
      KeyType.of(key);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
    return key;
  }

  /**
   * The key a PKCS#8 structure holds, if it is one of the algorithms ztchat supports (RSA, EC);
   * {@code null} otherwise. Each JDK key factory checks the structure's algorithm identifier and
   * refuses another algorithm's key, so trying them in turn decides the type.
   */
  private static PrivateKey keyOfSupportedType(byte[] der) {
    for (String algorithm : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (InvalidKeySpecException e) {
        // not this algorithm's key (or not a key at all): try the next
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("the JDK has no " + algorithm + " key factory", e);
      }
    }
    return null;
  }

  /** Writes a certificate (mode 0644). Refuses to overwrite unless {@code overwrite}. */
  public static void writeCertificate(Path file, X509Certificate cert, boolean overwrite)
      throws IOException {
    write(file, pem(cert), PosixFilePermissions.fromString("rw-r--r--"), overwrite);
  }

  /**
   * Writes a private key as PKCS#8 PEM, created with mode 0600. Refuses to overwrite unless {@code
   * overwrite}.
   */
  public static void writePrivateKey(Path file, PrivateKey key, boolean overwrite)
      throws IOException {
    write(file, pem(key), PosixFilePermissions.fromString("rw-------"), overwrite);
  }

  private static X509Certificate certificateFrom(String text, String where) throws IOException {
    byte[] der =
        PemArmour.decode(text, "CERTIFICATE", where)
            .orElseThrow(
                () ->
                    new IOException(
                        where + " does not hold a PEM certificate (BEGIN CERTIFICATE)"));
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException e) {
      throw new IOException(where + " holds a certificate that cannot be parsed", e);
    }
  }

  /** A file's text; bytes that are not ASCII stay (as Latin-1) and fail the base64 decoding. */
  private static String text(Path file) throws IOException {
    return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
  }

  private static String pem(X509Certificate cert) {
    try {
      return PemArmour.encode("CERTIFICATE", cert.getEncoded());
    } catch (CertificateException e) {
      throw new IllegalStateException("PEM encoding failed", e);
    }
  }

  private static String pem(PrivateKey key) {
    return PemArmour.encode("PRIVATE KEY", key.getEncoded());
  }

  private static void write(
      Path file, String text, Set<PosixFilePermission> perms, boolean overwrite)
      throws IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    if (Files.exists(file)) {
      if (!overwrite) {
        throw new FileAlreadyExistsException(file.toString(), null, "already exists");
      }
      Files.delete(file);
    }
    // CREATE_NEW with the permissions as an attribute: the file never exists with wider access.
    try (FileChannel ch =
        FileChannel.open(
            file,
            EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(perms))) {
      ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
    }
    // The umask may have removed bits from the requested mode; set it exactly.
    Files.setPosixFilePermissions(file, perms);
  }
}
