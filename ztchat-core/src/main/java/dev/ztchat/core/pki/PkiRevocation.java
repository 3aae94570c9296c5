package dev.ztchat.core.pki;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.remedy.Remedy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.cert.CRLReason;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Revocation and renewal in a certs folder: {@link #revoke} puts a user's certificates (the v1 pair
 * and the v2 device certificate, when there is one) on the CA's CRL ({@code ca.crl}); {@link
 * #renew} issues new keys and certificates and revokes the old ones as superseded, keeping the old
 * files under {@code users/NAME/previous/SERIAL/} so that the owner's client can still open what
 * was encrypted to the old key; {@link #refresh} re-issues the CRL with a new nextUpdate. What
 * {@code ztchat pki revoke|renew|crl} runs.
 */
public final class PkiRevocation {
  private final CertsLayout layout;
  private final Clock clock;
  private final Consumer<String> progress;

  public PkiRevocation(CertsLayout layout, Clock clock, Consumer<String> progress) {
    this.layout = requireNonNull(layout, "layout");
    this.clock = requireNonNull(clock, "clock");
    this.progress = requireNonNull(progress, "progress");
  }

  /** When and why a user's current certificates were revoked, as the CRL says. */
  public record Revoked(Instant at, String reason) {
    public Revoked {
      requireNonNull(at, "at");
      requireNonNull(reason, "reason");
    }
  }

  /**
   * Revokes those of {@code name}'s current certificates the CRL does not list yet; returns the new
   * CRL. When it lists both already, nothing is written and the CRL is returned as it is ({@link
   * #alreadyRevoked} says since when and why).
   */
  public X509CRL revoke(String name, RevocationReason reason, Duration nextUpdate)
      throws IOException, PkiException {
    IdentityName.validate(name);
    return revokeAll(currentCertificates(name), reason, nextUpdate);
  }

  /**
   * Revokes the certificate of {@code name}'s device {@code device} only ({@code pki revoke NAME
   * --device DEVICE}): the person's other devices and RSA certificates stay valid. Returns the new
   * CRL, or the CRL as it is when it lists the device already ({@link #alreadyRevoked(String,
   * String)}).
   *
   * @throws PkiException when the person has no such device here
   */
  public X509CRL revoke(String name, String device, RevocationReason reason, Duration nextUpdate)
      throws IOException, PkiException {
    return revokeAll(List.of(deviceCertificate(name, device)), reason, nextUpdate);
  }

  /**
   * When {@code name}'s device {@code device} is on the CRL: since when and why; empty otherwise.
   */
  public Optional<Revoked> alreadyRevoked(String name, String device)
      throws IOException, PkiException {
    X509Certificate cert = deviceCertificate(name, device);
    X509CRL current = readVerifiedCrl(PkiChecks.loadCa(layout, clock.instant()));
    X509CRLEntry entry =
        current == null ? null : current.getRevokedCertificate(cert.getSerialNumber());
    return entry == null
        ? Optional.empty()
        : Optional.of(
            new Revoked(
                entry.getRevocationDate().toInstant(), reasonName(entry.getRevocationReason())));
  }

  private X509Certificate deviceCertificate(String name, String device)
      throws IOException, PkiException {
    IdentityName.validate(name);
    DeviceName.validate(device);
    Path file = layout.deviceCertificate(name, device);
    if (!Files.isRegularFile(file)) {
      List<String> known =
          Files.isDirectory(layout.userDir(name)) ? layout.deviceNames(name) : List.of();
      throw new PkiException(
          "no device '"
              + device
              + "' of '"
              + name
              + "' in "
              + layout.root()
              + (known.isEmpty()
                  ? " (" + name + " has no device certificate here)"
                  : " (" + name + "'s devices: " + String.join(", ", known) + ")"),
          Remedy.of(Remedy.Kind.LIST_USERS));
    }
    return PemFiles.readCertificate(file);
  }

  private X509CRL revokeAll(
      List<X509Certificate> certs, RevocationReason reason, Duration nextUpdate)
      throws IOException, PkiException {
    Credential ca = PkiChecks.loadCa(layout, clock.instant());
    X509CRL current = readVerifiedCrl(ca);
    List<CrlIssuer.Revocation> add = new ArrayList<>();
    for (X509Certificate cert : certs) {
      if (current == null || current.getRevokedCertificate(cert.getSerialNumber()) == null) {
        add.add(new CrlIssuer.Revocation(cert, reason));
      }
    }
    if (add.isEmpty()) {
      return current;
    }
    return writeCrl(ca, add, nextUpdate);
  }

  /**
   * When all of {@code name}'s current certificates are on the CRL: the earliest of their
   * revocation dates and its reason; empty when any is not (or there is no CRL).
   */
  public Optional<Revoked> alreadyRevoked(String name) throws IOException, PkiException {
    IdentityName.validate(name);
    X509CRL current = readVerifiedCrl(PkiChecks.loadCa(layout, clock.instant()));
    Revoked first = null;
    for (X509Certificate cert : currentCertificates(name)) {
      X509CRLEntry entry =
          current == null ? null : current.getRevokedCertificate(cert.getSerialNumber());
      if (entry == null) {
        return Optional.empty();
      }
      Instant at = entry.getRevocationDate().toInstant();
      if (first == null || at.isBefore(first.at())) {
        first = new Revoked(at, reasonName(entry.getRevocationReason()));
      }
    }
    return Optional.ofNullable(first);
  }

  private List<X509Certificate> currentCertificates(String name) throws IOException, PkiException {
    List<X509Certificate> certs = new ArrayList<>();
    for (Path p : List.of(layout.signingCertificate(name), layout.encryptionCertificate(name))) {
      if (!Files.isRegularFile(p)) {
        throw new PkiException(
            "no certificate " + p + ": is '" + name + "' a user of this CA?",
            Remedy.of(Remedy.Kind.LIST_USERS));
      }
      certs.add(PemFiles.readCertificate(p));
    }
    for (String device : layout.deviceNames(name)) {
      certs.add(PemFiles.readCertificate(layout.deviceCertificate(name, device)));
    }
    return certs;
  }

  /** The command-line name of a CRL entry's reason ({@code openssl crl -text} shows the same). */
  private static String reasonName(CRLReason reason) {
    if (reason == null) {
      return "no reason given";
    }
    @SuppressWarnings("EnumOrdinal") // CRLReason's constants are in code order (RFC 5280)
    int code = reason.ordinal();
    for (RevocationReason r : RevocationReason.values()) {
      if (r.code() == code) {
        return r.cliName();
      }
    }
    return reason.name();
  }

  /**
   * Re-issues the CRL unchanged but for a new thisUpdate/nextUpdate (run it before the old one runs
   * out).
   */
  public X509CRL refresh(Duration nextUpdate) throws IOException, PkiException {
    return writeCrl(PkiChecks.loadCa(layout, clock.instant()), List.of(), nextUpdate);
  }

  /**
   * New keys and certificates for {@code name}; the old ones are revoked as superseded and kept in
   * {@code users/NAME/previous/SERIAL/}. A user with a device certificate gets a new one too; a
   * v1-only user stays v1-only.
   */
  public PkiResult renew(String name, int keyBits, int days, Duration nextUpdate)
      throws IOException, PkiException {
    IdentityName.validate(name);
    Credential ca = PkiChecks.loadCa(layout, clock.instant());
    UserIdentity old;
    try {
      old = layout.readUser(name);
    } catch (NoSuchFileException e) {
      throw new PkiException(
          "no identity '"
              + name
              + "' to renew in "
              + layout.root()
              + " (missing "
              + e.getFile()
              + ")");
    }
    Path keep =
        layout
            .userDir(name)
            .resolve("previous")
            .resolve(
                HexFormat.of()
                    .formatHex(old.signing().certificate().getSerialNumber().toByteArray()));
    boolean hadDevice = layout.hasDevice(name);
    X509Certificate oldDevice =
        hadDevice ? PemFiles.readCertificate(layout.deviceCertificate(name)) : null;
    Files.createDirectories(keep);
    List<Path> move =
        new ArrayList<>(
            List.of(
                layout.signingCertificate(name),
                layout.signingKey(name),
                layout.encryptionCertificate(name),
                layout.encryptionKey(name)));
    if (hadDevice) {
      move.add(layout.deviceCertificate(name));
      move.add(layout.deviceKey(name));
    }
    for (Path p : move) {
      if (Files.exists(p)) {
        Files.move(p, keep.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    progress.accept("old keys of " + name + " kept in " + keep + " (to read old messages)");
    PkiResult issued =
        new PkiAdmin(layout, clock, progress).issue(name, keyBits, days, false, hadDevice);
    List<CrlIssuer.Revocation> superseded =
        new ArrayList<>(
            List.of(
                new CrlIssuer.Revocation(old.signing().certificate(), RevocationReason.SUPERSEDED),
                new CrlIssuer.Revocation(
                    old.encryption().certificate(), RevocationReason.SUPERSEDED)));
    if (oldDevice != null) {
      superseded.add(new CrlIssuer.Revocation(oldDevice, RevocationReason.SUPERSEDED));
    }
    writeCrl(ca, superseded, nextUpdate);
    progress.accept("old certificates of " + name + " revoked as superseded in " + layout.crl());
    return issued;
  }

  /**
   * A new key and certificate for {@code name}'s device {@code device} only ({@code pki renew NAME
   * --device DEVICE}); the old certificate is revoked as superseded and the old files kept in the
   * device's folder under {@code previous-device/SERIAL/}. The person's other devices and RSA
   * certificates keep working.
   *
   * @throws PkiException when the person has no such device here, or the CA is unusable
   */
  public PkiResult renewDevice(String name, String device, int days, Duration nextUpdate)
      throws IOException, PkiException {
    X509Certificate old = deviceCertificate(name, device);
    Credential ca = PkiChecks.loadCa(layout, clock.instant());
    readVerifiedCrl(ca); // refuse a foreign CRL before anything is moved
    Path keep =
        layout
            .deviceCertificate(name, device)
            .getParent()
            .resolve("previous-device")
            .resolve(HexFormat.of().formatHex(old.getSerialNumber().toByteArray()));
    Files.createDirectories(keep);
    for (Path p : List.of(layout.deviceCertificate(name, device), layout.deviceKey(name, device))) {
      if (Files.exists(p)) {
        Files.move(p, keep.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    progress.accept("old key of " + name + "'s device " + device + " kept in " + keep);
    PkiResult issued = new PkiAdmin(layout, clock, progress).reissueDevice(name, device, days);
    writeCrl(ca, List.of(new CrlIssuer.Revocation(old, RevocationReason.SUPERSEDED)), nextUpdate);
    progress.accept(
        "old certificate of "
            + name
            + "'s device "
            + device
            + " revoked as superseded in "
            + layout.crl());
    return issued;
  }

  /** Writes the first, empty CRL of a new CA. */
  static void writeInitial(CertsLayout layout, Credential ca, Instant now) throws IOException {
    CrlFiles.write(
        layout.crl(), CrlIssuer.issue(ca, null, List.of(), now, CrlIssuer.DEFAULT_NEXT_UPDATE));
  }

  private X509CRL readVerifiedCrl(Credential ca) throws IOException, PkiException {
    X509CRL previous = CrlFiles.read(layout.crl());
    if (previous != null) {
      try {
        previous.verify(ca.certificate().getPublicKey());
      } catch (GeneralSecurityException e) {
        throw new PkiException(
            layout.crl() + " was not signed by this CA: move it away and revoke again");
      }
    }
    return previous;
  }

  private X509CRL writeCrl(Credential ca, List<CrlIssuer.Revocation> add, Duration nextUpdate)
      throws IOException, PkiException {
    X509CRL previous = readVerifiedCrl(ca);
    X509CRL crl = CrlIssuer.issue(ca, previous, add, clock.instant(), nextUpdate);
    CrlFiles.write(layout.crl(), crl);
    return crl;
  }

  /** True when {@code cert} is on the CRL in this folder (signature checked, freshness not). */
  public static boolean listedIn(CertsLayout layout, X509Certificate cert) throws IOException {
    X509CRL crl = CrlFiles.read(layout.crl());
    return crl != null && crl.getRevokedCertificate(cert.getSerialNumber()) != null;
  }
}
