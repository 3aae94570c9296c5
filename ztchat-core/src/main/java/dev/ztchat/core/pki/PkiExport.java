package dev.ztchat.core.pki;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.remedy.Remedy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Copies from the PKI admin's certs folder exactly what one party needs, in the same {@link
 * CertsLayout} so the copy works as that party's certs folder: a user's bundle ({@code ca.crt} and
 * the user's own four files, plus {@code device.crt} and {@code device.key} when the user has a v2
 * device certificate) or the server's ({@code ca.crt}, {@code server.*} and every user's public
 * certificates, device certificates included, for the directory). {@code ca.key} is never exported.
 *
 * <p>Everything exported is checked first: certificates must be valid under the folder's {@code
 * ca.crt} and private keys must match them, so a stale identity left by a replaced CA cannot be
 * handed out by mistake.
 */
public final class PkiExport {
  private final CertsLayout source;
  private final Clock clock;

  public PkiExport(CertsLayout source, Clock clock) {
    this.source = requireNonNull(source, "source");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Writes {@code out/ca.crt} and {@code out/users/NAME/{signing,encryption}.{crt,key}}.
   *
   * @throws PkiException when the user, a key or the CA is missing or invalid, or {@code out} is
   *     not empty and not {@code force}
   */
  public PkiResult exportUser(String name, Path out, boolean force)
      throws IOException, PkiException {
    return exportUser(name, null, out, force);
  }

  /**
   * As {@link #exportUser(String, Path, boolean)} with the key of one device only: {@code device}
   * ({@link DeviceName}) when not null, so that a device's bundle never holds another device's key
   * (docs/PKI.md); every device of the person when null.
   *
   * @throws PkiException also when the person has no device {@code device} here
   */
  public PkiResult exportUser(String name, String device, Path out, boolean force)
      throws IOException, PkiException {
    IdentityName.validate(name);
    if (device != null) {
      DeviceName.validate(device);
    }
    requireNonNull(out, "out");
    X509Certificate ca = PkiChecks.readCaCertificate(source);
    if (!Files.isRegularFile(source.signingCertificate(name))) {
      throw new PkiException(
          "no user '"
              + name
              + "' in "
              + source.root()
              + " ("
              + source.signingCertificate(name)
              + " not found)",
          Remedy.forUser(Remedy.Kind.ISSUE_USER, name));
    }
    for (Path file :
        List.of(
            source.encryptionCertificate(name),
            source.signingKey(name),
            source.encryptionKey(name))) {
      if (!Files.isRegularFile(file)) {
        throw new PkiException(
            file
                + " not found: export a user's bundle from the PKI admin's certs folder, which"
                + " holds the user's private keys");
      }
    }
    UserIdentity id = source.readUser(name);
    Instant now = clock.instant();
    CertificateVerifier verifier = new CertificateVerifier(ca);
    checkCredential(verifier, id.signing(), name, CertificateRole.USER_SIGNING, now);
    checkCredential(verifier, id.encryption(), name, CertificateRole.USER_ENCRYPTION, now);
    List<String> deviceNames = source.deviceNames(name);
    if (device != null && !deviceNames.contains(device)) {
      throw new PkiException(
          "no device '"
              + device
              + "' of '"
              + name
              + "' in "
              + source.root()
              + (deviceNames.isEmpty()
                  ? ""
                  : " (" + name + "'s devices: " + String.join(", ", deviceNames) + ")"),
          Remedy.of(Remedy.Kind.LIST_USERS));
    }
    Map<String, Credential> devices = new LinkedHashMap<>();
    for (String d : device == null ? deviceNames : List.of(device)) {
      if (!Files.isRegularFile(source.deviceKey(name, d))) {
        throw new PkiException(
            source.deviceKey(name, d)
                + " not found: export a user's bundle from the PKI admin's certs folder, which"
                + " holds the user's private keys");
      }
      Credential credential = source.readDevice(name, d);
      checkCredential(verifier, credential, name, CertificateRole.DEVICE, now);
      devices.put(d, credential);
    }
    PkiChecks.checkExportTarget(out, source, force);

    CertsLayout target = new CertsLayout(out);
    List<PkiFile> written = new ArrayList<>();
    PemFiles.writeCertificate(target.caCertificate(), ca, force);
    written.add(new PkiFile(target.caCertificate(), "root CA certificate", name, false));
    written.addAll(PkiAdmin.writeUser(target, id, force));
    for (Map.Entry<String, Credential> d : devices.entrySet()) {
      written.addAll(PkiAdmin.writeDevice(target, name, d.getKey(), d.getValue(), force));
    }
    return new PkiResult(written, List.of());
  }

  /**
   * Writes {@code out/ca.crt}, {@code out/server.crt}, {@code out/server.key} and every valid
   * user's {@code users/NAME/{signing,encryption}.crt} (public certificates only). Users whose
   * certificates are not valid are left out, each with a warning.
   *
   * @throws PkiException when the CA or the server identity is missing or invalid, or {@code out}
   *     is not empty and not {@code force}
   */
  public PkiResult exportServer(Path out, boolean force) throws IOException, PkiException {
    requireNonNull(out, "out");
    X509Certificate ca = PkiChecks.readCaCertificate(source);
    for (Path file : List.of(source.serverCertificate(), source.serverKey())) {
      if (!Files.isRegularFile(file)) {
        throw new PkiException(
            file + " not found: there is no server identity", Remedy.of(Remedy.Kind.CREATE_PKI));
      }
    }
    Instant now = clock.instant();
    CertificateVerifier verifier = new CertificateVerifier(ca);
    Credential server =
        new Credential(
            PemFiles.readCertificate(source.serverCertificate()),
            PemFiles.readPrivateKey(source.serverKey()));
    checkCredential(verifier, server, null, CertificateRole.SERVER, now);

    List<PublicCerts> users = new ArrayList<>();
    List<PkiWarning> warnings = new ArrayList<>();
    for (String name : source.userNames()) {
      try {
        X509Certificate signing = PemFiles.readCertificate(source.signingCertificate(name));
        X509Certificate encryption = PemFiles.readCertificate(source.encryptionCertificate(name));
        verifier.verify(signing, name, CertificateRole.USER_SIGNING, now);
        verifier.verify(encryption, name, CertificateRole.USER_ENCRYPTION, now);
        Map<String, X509Certificate> devices = new LinkedHashMap<>();
        for (String d : source.deviceNames(name)) {
          X509Certificate device = PemFiles.readCertificate(source.deviceCertificate(name, d));
          verifier.verify(device, name, CertificateRole.DEVICE, now);
          devices.put(d, device);
        }
        users.add(new PublicCerts(name, signing, encryption, devices));
      } catch (CertificateRejectedException | IOException e) {
        warnings.add(PkiWarning.of("left out " + source.userDir(name) + ": " + e.getMessage()));
      }
    }
    PkiChecks.checkExportTarget(out, source, force);

    CertsLayout target = new CertsLayout(out);
    List<PkiFile> written = new ArrayList<>();
    PemFiles.writeCertificate(target.caCertificate(), ca, force);
    written.add(new PkiFile(target.caCertificate(), "root CA certificate", "the server", false));
    PemFiles.writeCertificate(target.serverCertificate(), server.certificate(), force);
    written.add(
        new PkiFile(target.serverCertificate(), "relay TLS certificate", "the server", false));
    PemFiles.writePrivateKey(target.serverKey(), server.privateKey(), force);
    written.add(new PkiFile(target.serverKey(), "relay TLS private key", "the server only", true));
    X509CRL crl = CrlFiles.read(source.crl());
    if (crl != null) {
      CrlFiles.write(target.crl(), crl);
      written.add(
          new PkiFile(
              target.crl(),
              "root CA revocation list",
              "the server (copy each new one here)",
              false));
    }
    for (PublicCerts user : users) {
      String name = user.name();
      PemFiles.writeCertificate(target.signingCertificate(name), user.signing(), force);
      written.add(
          new PkiFile(
              target.signingCertificate(name),
              name + "'s signing certificate",
              "the server (public directory)",
              false));
      PemFiles.writeCertificate(target.encryptionCertificate(name), user.encryption(), force);
      written.add(
          new PkiFile(
              target.encryptionCertificate(name),
              name + "'s encryption certificate",
              "the server (public directory)",
              false));
      for (Map.Entry<String, X509Certificate> d : user.devices().entrySet()) {
        if (DeviceName.DEFAULT.equals(d.getKey())) {
          PemFiles.writeCertificate(target.deviceCertificate(name), d.getValue(), force);
        } else {
          Files.createDirectories(target.devicesDir(name).resolve(d.getKey()));
          PemFiles.writeCertificate(
              target.deviceCertificate(name, d.getKey()), d.getValue(), force);
        }
        written.add(
            new PkiFile(
                target.deviceCertificate(name, d.getKey()),
                name + "'s device certificate (v2, device " + d.getKey() + ")",
                "the server (public directory)",
                false));
      }
    }
    return new PkiResult(written, warnings);
  }

  /** {@code devices} (by device name) is empty for a v1-only user. */
  private record PublicCerts(
      String name,
      X509Certificate signing,
      X509Certificate encryption,
      Map<String, X509Certificate> devices) {}

  private void checkCredential(
      CertificateVerifier verifier,
      Credential credential,
      String name,
      CertificateRole role,
      Instant now)
      throws PkiException {
    X509Certificate cert = credential.certificate();
    try {
      verifier.verify(cert, name, role, now);
    } catch (CertificateRejectedException e) {
      throw new PkiException(
          "not exporting: " + e.getMessage() + " (checked against " + source.caCertificate() + ")",
          role == CertificateRole.SERVER
              ? Remedy.of(Remedy.Kind.REISSUE_SERVER)
              : Remedy.forUser(Remedy.Kind.REISSUE_USER, name));
    }
    PrivateKey key = credential.privateKey();
    if (!PkiChecks.keyMatches(cert, key)) {
      throw new PkiException(
          "not exporting: the private key next to the "
              + role.name().toLowerCase(Locale.ROOT).replace('_', ' ')
              + " certificate of '"
              + Certificates.commonName(cert)
              + "' does not belong to it");
    }
  }
}
