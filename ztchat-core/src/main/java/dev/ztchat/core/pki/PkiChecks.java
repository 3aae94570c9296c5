package dev.ztchat.core.pki;

import dev.ztchat.core.remedy.Remedy;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checks the PKI administration steps share: loading the CA from a certs folder, matching a
 * private key to its certificate, and validating option values before any key is generated.
 */
final class PkiChecks {
  /** Longest certificate lifetime an operator may ask for. */
  static final int MAX_DAYS = 3650;

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  private PkiChecks() {}

  /** Reads {@code ca.crt}, or explains that the folder has no CA yet. */
  static X509Certificate readCaCertificate(CertsLayout layout) throws IOException, PkiException {
    Path file = layout.caCertificate();
    if (!Files.isRegularFile(file)) {
      throw new PkiException(
          "no root CA in " + layout.root() + " (" + file + " not found)",
          Remedy.of(Remedy.Kind.CREATE_PKI));
    }
    return PemFiles.readCertificate(file);
  }

  /**
   * Loads the CA certificate and its private key, checking that they belong together and that the
   * CA can still issue at {@code now}.
   */
  static Credential loadCa(CertsLayout layout, Instant now) throws IOException, PkiException {
    X509Certificate cert = readCaCertificate(layout);
    Path keyFile = layout.caKey();
    if (!Files.isRegularFile(keyFile)) {
      throw new PkiException(
          keyFile
              + " not found: issuing needs the root CA's private key. Run this where the PKI admin"
              + " keeps ca.key, or create a CA",
          Remedy.of(Remedy.Kind.CREATE_PKI));
    }
    try {
      KeyType.of(cert.getPublicKey());
    } catch (IllegalArgumentException e) {
      throw new PkiException(
          layout.caCertificate() + ": " + e.getMessage(), Remedy.of(Remedy.Kind.REPLACE_CA));
    }
    PrivateKey key = PemFiles.readPrivateKey(keyFile);
    if (!keyMatches(cert, key)) {
      throw new PkiException(
          keyFile
              + " does not belong to "
              + layout.caCertificate()
              + ": restore the matching pair");
    }
    if (cert.getBasicConstraints() < 0) {
      throw new PkiException(layout.caCertificate() + " is not a CA certificate");
    }
    if (now.isAfter(cert.getNotAfter().toInstant())) {
      throw new PkiException(
          "the root CA in " + layout.root() + " expired on " + cert.getNotAfter().toInstant(),
          Remedy.of(Remedy.Kind.REPLACE_CA));
    }
    return new Credential(cert, key);
  }

  /**
   * True when {@code key} is the private key of {@code cert}'s public key ({@link
   * KeyType#matches}).
   */
  static boolean keyMatches(X509Certificate cert, PrivateKey key) {
    return KeyType.matches(cert, key);
  }

  /** Rejects a certificate lifetime outside 1..{@value #MAX_DAYS} days. */
  static int checkDays(int days) {
    if (days < 1 || days > MAX_DAYS) {
      throw new IllegalArgumentException(
          "validity of " + days + " days is not allowed: use 1 to " + MAX_DAYS + " days");
    }
    return days;
  }

  /**
   * Checks a name for the server certificate's subjectAltName: an IPv4 or IPv6 literal, or a DNS
   * name (optionally with a leading {@code *.}). Returns it normalised (DNS names lower-cased).
   */
  static String checkServerName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("server name is empty: give a DNS name or an IP address");
    }
    if (IPV4.matcher(name).matches() || name.contains(":")) {
      try {
        return InetAddress.ofLiteral(name).getHostAddress();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("server name '" + name + "' is not a valid IP address");
      }
    }
    String dns = name.toLowerCase(Locale.ROOT);
    String labels = dns.startsWith("*.") ? dns.substring(2) : dns;
    boolean ok = dns.length() <= 253 && !labels.isEmpty();
    for (String label : labels.split("\\.", -1)) {
      ok &= DNS_LABEL.matcher(label).matches();
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "server name '"
              + name
              + "' is not a valid DNS name or IP address (letters, digits and '-' in dot-separated"
              + " labels, e.g. chat.example.org)");
    }
    return dns;
  }

  /**
   * Makes sure {@code out} can receive an export: it must not be the source folder, must not be a
   * file, and must be empty unless {@code force}.
   */
  static void checkExportTarget(Path out, CertsLayout source, boolean force)
      throws IOException, PkiException {
    if (Files.exists(out, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(out)) {
      throw new PkiException(
          out + " exists and is not a directory", Remedy.of(Remedy.Kind.OTHER_EXPORT_FOLDER));
    }
    if (!Files.isDirectory(out)) {
      return;
    }
    if (Files.isDirectory(source.root()) && Files.isSameFile(out, source.root())) {
      throw new PkiException(
          out + " is the certs folder itself: export to a new directory",
          Remedy.of(Remedy.Kind.OTHER_EXPORT_FOLDER));
    }
    boolean empty;
    try (Stream<Path> entries = Files.list(out)) {
      empty = entries.findAny().isEmpty();
    }
    if (!empty && !force) {
      throw new PkiException(out + " is not empty", Remedy.of(Remedy.Kind.EMPTY_EXPORT_FOLDER));
    }
  }
}
