package dev.ztchat.core.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
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
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.EnumSet;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * Reads and writes PEM files: X.509 certificates and PKCS#8 private keys. Private key files are
 * created with mode 0600 from the start (never readable by others, not even briefly).
 */
public final class PemFiles {
  private PemFiles() {}

  /** Encodes a certificate as PEM text. */
  public static String toPem(X509Certificate cert) {
    return pem(cert);
  }

  /** Parses exactly one PEM certificate from text. */
  public static X509Certificate parseCertificate(String pem) throws IOException {
    try (PemReader reader = new PemReader(new StringReader(pem))) {
      return certificateFrom(reader, "certificate text");
    }
  }

  /** Reads a PEM certificate file. */
  public static X509Certificate readCertificate(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PemReader reader = new PemReader(r)) {
      return certificateFrom(reader, file.toString());
    }
  }

  /**
   * Reads a PKCS#8 PEM private key file ({@code BEGIN PRIVATE KEY}). The key's algorithm is taken
   * from the PKCS#8 structure; only the {@link KeyType}s ztchat supports are accepted (RSA, and EC
   * on P-256), anything else is refused.
   */
  public static PrivateKey readPrivateKey(Path file) throws IOException {
    byte[] der;
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PemReader reader = new PemReader(r)) {
      PemObject obj = reader.readPemObject();
      if (obj == null || !"PRIVATE KEY".equals(obj.getType())) {
        throw new IOException(file + " does not hold a PKCS#8 PEM private key (BEGIN PRIVATE KEY)");
      }
      der = obj.getContent();
    }
    String algorithm = keyAlgorithm(file, der);
    PrivateKey key;
    try {
      key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IOException(file + " holds a private key that is not a valid " + algorithm + " key", e);
    }
    try {
      KeyType.of(key);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
    return key;
  }

  /** The JCA key algorithm named by a PKCS#8 structure's algorithm identifier. */
  private static String keyAlgorithm(Path file, byte[] der) throws IOException {
    ASN1ObjectIdentifier oid;
    try {
      oid = PrivateKeyInfo.getInstance(der).getPrivateKeyAlgorithm().getAlgorithm();
    } catch (RuntimeException e) {
      // Bouncy Castle reports malformed ASN.1 with assorted unchecked exceptions.
      throw new IOException(file + " holds a PKCS#8 private key that cannot be parsed", e);
    }
    if (PKCSObjectIdentifiers.rsaEncryption.equals(oid)) {
      return "RSA";
    }
    if (X9ObjectIdentifiers.id_ecPublicKey.equals(oid)) {
      return "EC";
    }
    throw new IOException(
        file
            + " holds a private key of an unsupported type (algorithm "
            + oid.getId()
            + "): ztchat accepts RSA keys and ECDSA keys on P-256 only");
  }

  /** Writes a certificate (mode 0644). Refuses to overwrite unless {@code overwrite}. */
  public static void writeCertificate(Path file, X509Certificate cert, boolean overwrite)
      throws IOException {
    write(file, pem(cert), PosixFilePermissions.fromString("rw-r--r--"), overwrite);
  }

  /** Writes a private key as PKCS#8 PEM, created with mode 0600. Refuses to overwrite unless {@code overwrite}. */
  public static void writePrivateKey(Path file, PrivateKey key, boolean overwrite)
      throws IOException {
    write(file, pem(key), PosixFilePermissions.fromString("rw-------"), overwrite);
  }

  private static X509Certificate certificateFrom(PemReader reader, String where)
      throws IOException {
    PemObject obj = reader.readPemObject();
    if (obj == null || !"CERTIFICATE".equals(obj.getType())) {
      throw new IOException(where + " does not hold a PEM certificate (BEGIN CERTIFICATE)");
    }
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(obj.getContent()));
    } catch (CertificateException e) {
      throw new IOException(where + " holds a certificate that cannot be parsed", e);
    }
  }

  private static String pem(Object obj) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      if (obj instanceof PrivateKey key) {
        writer.writeObject(new PemObject("PRIVATE KEY", key.getEncoded()));
      } else {
        writer.writeObject(obj);
      }
    } catch (IOException e) {
      throw new IllegalStateException("PEM encoding failed", e);
    }
    return out.toString();
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
