package dev.ztchat.core.pki;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Issues X.509 certificates for the organisation's PKI: the root CA, the relay's server certificate
 * each user's v1 signing and encryption certificates and each user's v2 device certificate. v1 user
 * keys are always RSA (the v1 envelope needs RSA-OAEP and RSASSA-PSS); a device key is always ECDSA
 * P-256; the CA and the server key are RSA or ECDSA P-256 ({@link KeyType}). Every certificate is
 * signed with the algorithm of the key that signs it ({@link KeyType#signatureAlgorithm()}:
 * SHA256withRSA or SHA256withECDSA), so every TLS stack and {@code openssl verify} accept them, and
 * a later {@code pki issue} follows the CA's key without a separate setting that could disagree
 * with it.
 *
 * <p>The CA's private key is only needed here; the relay and the clients never hold it.
 */
public final class CertificateIssuer {
  /** Default RSA modulus size. */
  public static final int DEFAULT_KEY_BITS = 3072;

  /** Smallest RSA modulus ztchat issues or accepts. */
  public static final int MIN_KEY_BITS = 2048;

  /** Largest RSA modulus ztchat issues (bigger keys make handshakes needlessly slow). */
  public static final int MAX_KEY_BITS = 8192;

  /** Default lifetime of the root CA. */
  public static final Duration DEFAULT_CA_VALIDITY = Duration.ofDays(3650);

  /** Default lifetime of server and user certificates. */
  public static final Duration DEFAULT_LEAF_VALIDITY = Duration.ofDays(365);

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private CertificateIssuer() {}

  /** Generates a fresh RSA key pair of {@code bits} bits. */
  public static KeyPair generateRsaKeyPair(int bits) {
    checkKeyBits(bits);
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(bits, RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RSA key generation is unavailable in this JDK", e);
    }
  }

  /** Checks an RSA modulus size against ztchat's policy, with a message that names the range. */
  public static void checkKeyBits(int bits) {
    if (bits < MIN_KEY_BITS || bits > MAX_KEY_BITS || bits % 1024 != 0) {
      throw new IllegalArgumentException(
          "key size "
              + bits
              + " is not allowed: use a multiple of 1024 between "
              + MIN_KEY_BITS
              + " and "
              + MAX_KEY_BITS
              + " (default "
              + DEFAULT_KEY_BITS
              + ")");
    }
  }

  /** Creates a self-signed RSA root CA valid from {@code notBefore} for {@code validity}. */
  public static Credential createRootCa(
      String commonName, int keyBits, Instant notBefore, Duration validity) {
    return createRootCa(commonName, KeyType.RSA, keyBits, notBefore, validity);
  }

  /**
   * Creates a self-signed root CA with a key of {@code type} ({@code keyBits} for RSA), valid from
   * {@code notBefore} for {@code validity}.
   */
  public static Credential createRootCa(
      String commonName, KeyType type, int keyBits, Instant notBefore, Duration validity) {
    KeyPair keys = type.generate(keyBits);
    X509Certificate cert =
        build(
            new Spec(
                commonName,
                keys.getPublic(),
                null,
                keys,
                notBefore,
                notBefore.plus(validity),
                CertificateRole.ROOT_CA,
                List.of()));
    return new Credential(cert, keys.getPrivate());
  }

  /** Issues the relay's TLS server certificate with the given DNS names and IP addresses. */
  public static Credential issueServer(
      Credential ca,
      String commonName,
      List<String> subjectAltNames,
      int keyBits,
      Instant notBefore,
      Duration validity) {
    return issueServer(ca, commonName, subjectAltNames, keyBits, notBefore, validity, null);
  }

  /** As above, naming where the CA publishes its CRL ({@code crlUrl}, or none when null). */
  public static Credential issueServer(
      Credential ca,
      String commonName,
      List<String> subjectAltNames,
      int keyBits,
      Instant notBefore,
      Duration validity,
      String crlUrl) {
    return issueServer(
        ca, commonName, subjectAltNames, KeyType.RSA, keyBits, notBefore, validity, crlUrl);
  }

  /** As above, with a server key of {@code type} ({@code keyBits} for RSA). */
  public static Credential issueServer(
      Credential ca,
      String commonName,
      List<String> subjectAltNames,
      KeyType type,
      int keyBits,
      Instant notBefore,
      Duration validity,
      String crlUrl) {
    KeyPair keys = type.generate(keyBits);
    X509Certificate cert =
        build(
            new Spec(
                commonName,
                keys.getPublic(),
                ca,
                null,
                notBefore,
                notBefore.plus(validity),
                CertificateRole.SERVER,
                subjectAltNames,
                crlUrl));
    return new Credential(cert, keys.getPrivate());
  }

  /**
   * Issues a user's signing and encryption credentials; {@code name} must be a valid {@link
   * IdentityName}.
   */
  public static UserIdentity issueUser(
      Credential ca, String name, int keyBits, Instant notBefore, Duration validity) {
    return issueUser(ca, name, keyBits, notBefore, validity, null);
  }

  /** As above, naming where the CA publishes its CRL ({@code crlUrl}, or none when null). */
  public static UserIdentity issueUser(
      Credential ca,
      String name,
      int keyBits,
      Instant notBefore,
      Duration validity,
      String crlUrl) {
    IdentityName.validate(name);
    return new UserIdentity(
        name,
        issueLeaf(ca, name, CertificateRole.USER_SIGNING, keyBits, notBefore, validity, crlUrl),
        issueLeaf(ca, name, CertificateRole.USER_ENCRYPTION, keyBits, notBefore, validity, crlUrl));
  }

  /**
   * Issues a v2 device certificate for user {@code name} (a valid {@link IdentityName}) with a
   * fresh ECDSA P-256 key: {@link CertificateRole#DEVICE}, keyUsage digitalSignature (critical),
   * EKU clientAuth (docs/v2/device-certificates.md). {@code crlUrl} is null for none.
   */
  public static Credential issueDevice(
      Credential ca, String name, Instant notBefore, Duration validity, String crlUrl) {
    return issueDevice(ca, name, null, notBefore, validity, crlUrl);
  }

  /**
   * As {@link #issueDevice(Credential, String, Instant, Duration, String)} for the device named
   * {@code deviceName} ({@link DeviceName}; null for none): the subject is then {@code O=ztchat,
   * OU=deviceName, CN=name} (docs/PKI.md).
   */
  public static Credential issueDevice(
      Credential ca,
      String name,
      String deviceName,
      Instant notBefore,
      Duration validity,
      String crlUrl) {
    IdentityName.validate(name);
    KeyPair keys = KeyType.EC.generate(0);
    X509Certificate cert =
        build(
            new Spec(
                name,
                keys.getPublic(),
                ca,
                null,
                notBefore,
                notBefore.plus(validity),
                CertificateRole.DEVICE,
                List.of(),
                crlUrl,
                deviceName));
    return new Credential(cert, keys.getPrivate());
  }

  /** Issues one leaf certificate of the given role with a fresh RSA key. */
  public static Credential issueLeaf(
      Credential ca,
      String commonName,
      CertificateRole role,
      int keyBits,
      Instant notBefore,
      Duration validity) {
    return issueLeaf(ca, commonName, role, keyBits, notBefore, validity, null);
  }

  /** As above, naming where the CA publishes its CRL ({@code crlUrl}, or none when null). */
  public static Credential issueLeaf(
      Credential ca,
      String commonName,
      CertificateRole role,
      int keyBits,
      Instant notBefore,
      Duration validity,
      String crlUrl) {
    KeyPair keys = generateRsaKeyPair(keyBits);
    X509Certificate cert =
        build(
            new Spec(
                commonName,
                keys.getPublic(),
                ca,
                null,
                notBefore,
                notBefore.plus(validity),
                role,
                List.of(),
                crlUrl));
    return new Credential(cert, keys.getPrivate());
  }

  /**
   * Everything that goes into one certificate. {@code issuer} is null for a self-signed
   * certificate, in which case {@code selfKeys} signs it. Tests use this to make deliberately bad
   * certificates (expired, wrong role, foreign CA) through the same code path.
   *
   * <p>Public on purpose, with {@link #build}: every certificate takes this one path, the attacks
   * and benchmarks build theirs with it, and so do the tests of four modules. A package exported
   * only to those would name nearly every module and would have to make {@link CertificateRole}'s
   * extension details public API, a worse trade than one documented constructor.
   */
  public record Spec(
      String commonName,
      PublicKey subjectKey,
      Credential issuer,
      KeyPair selfKeys,
      Instant notBefore,
      Instant notAfter,
      CertificateRole role,
      List<String> subjectAltNames,
      String crlDistributionPoint,
      String deviceName) {
    /** Without a device name (OU) in the subject. */
    public Spec(
        String commonName,
        PublicKey subjectKey,
        Credential issuer,
        KeyPair selfKeys,
        Instant notBefore,
        Instant notAfter,
        CertificateRole role,
        List<String> subjectAltNames,
        String crlDistributionPoint) {
      this(
          commonName,
          subjectKey,
          issuer,
          selfKeys,
          notBefore,
          notAfter,
          role,
          subjectAltNames,
          crlDistributionPoint,
          null);
    }

    /** Without a CRL distribution point. */
    public Spec(
        String commonName,
        PublicKey subjectKey,
        Credential issuer,
        KeyPair selfKeys,
        Instant notBefore,
        Instant notAfter,
        CertificateRole role,
        List<String> subjectAltNames) {
      this(
          commonName,
          subjectKey,
          issuer,
          selfKeys,
          notBefore,
          notAfter,
          role,
          subjectAltNames,
          null);
    }

    /**
     * The same certificate, naming {@code url} (or none when null) as where its CRL is published.
     */
    public Spec withCrlDistributionPoint(String url) {
      return new Spec(
          commonName,
          subjectKey,
          issuer,
          selfKeys,
          notBefore,
          notAfter,
          role,
          subjectAltNames,
          url,
          deviceName);
    }

    public Spec {
      requireNonNull(commonName, "commonName");
      requireNonNull(subjectKey, "subjectKey");
      requireNonNull(notBefore, "notBefore");
      requireNonNull(notAfter, "notAfter");
      requireNonNull(role, "role");
      subjectAltNames = List.copyOf(subjectAltNames);
      if (deviceName != null) {
        DeviceName.validate(deviceName);
      }
      if (issuer == null && selfKeys == null) {
        throw new IllegalArgumentException("a self-signed certificate needs its own key pair");
      }
      if (!notAfter.isAfter(notBefore)) {
        throw new IllegalArgumentException("notAfter must be after notBefore");
      }
    }
  }

  /** Builds and signs one certificate from a {@link Spec}. */
  public static X509Certificate build(Spec spec) {
    try {
      X500Name subject = x500(spec.commonName(), spec.deviceName());
      X500Name issuerName =
          spec.issuer() == null
              ? subject
              : X500Name.getInstance(
                  spec.issuer().certificate().getSubjectX500Principal().getEncoded());
      BigInteger serial = new BigInteger(127, RANDOM).add(BigInteger.ONE);
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              issuerName,
              serial,
              Date.from(spec.notBefore()),
              Date.from(spec.notAfter()),
              subject,
              spec.subjectKey());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      CertificateRole role = spec.role();
      builder.addExtension(
          Extension.basicConstraints,
          true,
          role.isCa() ? new BasicConstraints(0) : new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(role.keyUsageBits()));
      if (role.requiredExtendedKeyUsageOid() != null) {
        builder.addExtension(
            Extension.extendedKeyUsage,
            false,
            new ExtendedKeyUsage(
                KeyPurposeId.getInstance(
                    new ASN1ObjectIdentifier(role.requiredExtendedKeyUsageOid()))));
      }
      builder.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(spec.subjectKey()));
      PublicKey authorityKey =
          spec.issuer() == null
              ? spec.selfKeys().getPublic()
              : spec.issuer().certificate().getPublicKey();
      builder.addExtension(
          Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(authorityKey));
      if (!spec.subjectAltNames().isEmpty()) {
        builder.addExtension(
            Extension.subjectAlternativeName, false, subjectAltNames(spec.subjectAltNames()));
      }
      if (spec.crlDistributionPoint() != null && !role.isCa()) {
        GeneralNames where =
            new GeneralNames(
                new GeneralName(
                    GeneralName.uniformResourceIdentifier, spec.crlDistributionPoint()));
        builder.addExtension(
            Extension.cRLDistributionPoints,
            false,
            new CRLDistPoint(
                new DistributionPoint[] {
                  new DistributionPoint(new DistributionPointName(where), null, null)
                }));
      }
      PrivateKey signingKey =
          spec.issuer() == null ? spec.selfKeys().getPrivate() : spec.issuer().privateKey();
      ContentSigner signer =
          new JcaContentSignerBuilder(KeyType.signatureAlgorithmFor(signingKey)).build(signingKey);
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
      throw new IllegalStateException("could not build certificate for " + spec.commonName(), e);
    }
  }

  /** {@code O=ztchat, CN=commonName}; a named device has {@code O=ztchat, OU=device, CN=name}. */
  private static X500Name x500(String commonName, String deviceName) {
    X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "ztchat");
    if (deviceName != null) {
      b.addRDN(BCStyle.OU, deviceName);
    }
    return b.addRDN(BCStyle.CN, commonName).build();
  }

  private static GeneralNames subjectAltNames(List<String> names) {
    List<GeneralName> out = new ArrayList<>();
    for (String name : names) {
      if (IPV4.matcher(name).matches() || name.contains(":")) {
        // ofLiteral never falls back to a DNS lookup (getByName would, for "999.1.1.1").
        byte[] address;
        try {
          address = InetAddress.ofLiteral(name).getAddress();
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("not an IP address: " + name, e);
        }
        out.add(new GeneralName(GeneralName.iPAddress, new DEROctetString(address)));
      } else {
        out.add(new GeneralName(GeneralName.dNSName, name));
      }
    }
    return new GeneralNames(out.toArray(GeneralName[]::new));
  }
}
