package dev.ztchat.core.pki;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where each PEM file lives in a certs folder. One place for the layout; the README documents it.
 *
 * <pre>
 * certs/ca.crt                          root CA certificate (everyone)
 * certs/ca.key                          root CA private key (the PKI admin only; keep offline)
 * certs/ca.crl                          root CA's revocation list (everyone; the server serves it)
 * certs/server.crt, server.key          the relay's TLS identity (the server only)
 * certs/users/NAME/signing.crt|.key     NAME's TLS client + message signing identity
 * certs/users/NAME/encryption.crt|.key  NAME's key-transport identity
 * certs/users/NAME/device.crt|.key      NAME's v2 device identity (ECDSA P-256; absent for a
 *                                       v1-only user)
 * certs/users/NAME/devices/DEVICE/device.crt|.key
 *                                       NAME's further v2 devices, one folder per device name
 *                                       ({@link DeviceName}); the device in users/NAME/ is named
 *                                       {@value DeviceName#DEFAULT}
 * certs/users/NAME/previous/SERIAL/     the files above as they were before a renewal
 * </pre>
 */
public record CertsLayout(Path root) {
  public CertsLayout {
    requireNonNull(root, "root");
  }

  public Path caCertificate() {
    return root.resolve("ca.crt");
  }

  public Path caKey() {
    return root.resolve("ca.key");
  }

  /** The root CA's certificate revocation list (PEM), once something was revoked. */
  public Path crl() {
    return root.resolve("ca.crl");
  }

  /**
   * Where issued certificates say the CRL is published (one URL, written by {@code pki init
   * --crl-url}).
   */
  public Path crlUrlFile() {
    return root.resolve("crl-url");
  }

  /** The CRL distribution point URL of this PKI, or null when none was set. */
  public String crlUrl() throws IOException {
    if (!Files.isRegularFile(crlUrlFile())) {
      return null;
    }
    String url = Files.readString(crlUrlFile(), StandardCharsets.US_ASCII).strip();
    return url.isEmpty() ? null : url;
  }

  public Path serverCertificate() {
    return root.resolve("server.crt");
  }

  public Path serverKey() {
    return root.resolve("server.key");
  }

  public Path usersDir() {
    return root.resolve("users");
  }

  public Path userDir(String name) {
    return usersDir().resolve(IdentityName.validate(name));
  }

  /**
   * The previous identities of {@code name} that renewals kept (their private keys open messages
   * sealed to the old keys), oldest first; none if there was no renewal.
   */
  public List<Path> previousIdentityDirs(String name) throws IOException {
    Path dir = userDir(name).resolve("previous");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory)
          .sorted(Comparator.comparingLong(p -> p.toFile().lastModified()))
          .toList();
    }
  }

  public Path signingCertificate(String name) {
    return userDir(name).resolve("signing.crt");
  }

  public Path signingKey(String name) {
    return userDir(name).resolve("signing.key");
  }

  public Path encryptionCertificate(String name) {
    return userDir(name).resolve("encryption.crt");
  }

  public Path encryptionKey(String name) {
    return userDir(name).resolve("encryption.key");
  }

  /** {@code name}'s v2 device certificate (docs/v2/device-certificates.md). */
  public Path deviceCertificate(String name) {
    return userDir(name).resolve("device.crt");
  }

  /** {@code name}'s v2 device private key (ECDSA P-256, 0600). */
  public Path deviceKey(String name) {
    return userDir(name).resolve("device.key");
  }

  /** Whether {@code name} has a device certificate here. */
  public boolean hasDevice(String name) {
    return Files.isRegularFile(deviceCertificate(name));
  }

  /** The folder of {@code name}'s named devices ({@code users/NAME/devices}). */
  public Path devicesDir(String name) {
    return userDir(name).resolve("devices");
  }

  /**
   * The certificate of {@code name}'s device {@code device}: {@link #deviceCertificate(String)} for
   * {@value DeviceName#DEFAULT}, {@code users/NAME/devices/DEVICE/device.crt} otherwise.
   */
  public Path deviceCertificate(String name, String device) {
    return DeviceName.DEFAULT.equals(DeviceName.validate(device))
        ? deviceCertificate(name)
        : devicesDir(name).resolve(device).resolve("device.crt");
  }

  /** The private key of {@code name}'s device {@code device} (0600). */
  public Path deviceKey(String name, String device) {
    return DeviceName.DEFAULT.equals(DeviceName.validate(device))
        ? deviceKey(name)
        : devicesDir(name).resolve(device).resolve("device.key");
  }

  /**
   * The names of {@code name}'s devices that have a certificate here: {@value DeviceName#DEFAULT}
   * first when {@code users/NAME/device.crt} exists, then the named ones, sorted.
   */
  public List<String> deviceNames(String name) throws IOException {
    List<String> out = new ArrayList<>();
    if (hasDevice(name)) {
      out.add(DeviceName.DEFAULT);
    }
    Path dir = devicesDir(name);
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        s.map(p -> p.getFileName().toString())
            .filter(DeviceName::isValid)
            .filter(d -> !DeviceName.DEFAULT.equals(d))
            .filter(d -> Files.isRegularFile(deviceCertificate(name, d)))
            .sorted()
            .forEach(out::add);
      }
    }
    return out;
  }

  /**
   * The names of {@code name}'s devices whose private key is here too (the devices this folder can
   * act as), in the order of {@link #deviceNames}.
   */
  public List<String> localDeviceNames(String name) throws IOException {
    List<String> out = new ArrayList<>();
    for (String d : deviceNames(name)) {
      if (Files.isRegularFile(deviceKey(name, d))) {
        out.add(d);
      }
    }
    return out;
  }

  /** Writes {@code name}'s device {@code device} (key 0600, folders 0700). */
  public void writeDevice(String name, String device, Credential credential, boolean overwrite)
      throws IOException {
    if (DeviceName.DEFAULT.equals(DeviceName.validate(device))) {
      writeDevice(name, credential, overwrite);
      return;
    }
    ownerOnlyUserDir(name);
    ownerOnly(devicesDir(name));
    ownerOnly(devicesDir(name).resolve(device));
    PemFiles.writeCertificate(deviceCertificate(name, device), credential.certificate(), overwrite);
    PemFiles.writePrivateKey(deviceKey(name, device), credential.privateKey(), overwrite);
  }

  /** Loads {@code name}'s device {@code device}: certificate and private key. */
  public Credential readDevice(String name, String device) throws IOException {
    return new Credential(
        PemFiles.readCertificate(deviceCertificate(name, device)),
        PemFiles.readPrivateKey(deviceKey(name, device)));
  }

  /** Writes a user's device certificate and key (key 0600). */
  public void writeDevice(String name, Credential device, boolean overwrite) throws IOException {
    ownerOnlyUserDir(name);
    PemFiles.writeCertificate(deviceCertificate(name), device.certificate(), overwrite);
    PemFiles.writePrivateKey(deviceKey(name), device.privateKey(), overwrite);
  }

  /** A folder that holds private keys is the owner's only (0700), whatever the umask. */
  private void ownerOnlyUserDir(String name) throws IOException {
    ownerOnly(userDir(name));
  }

  private static void ownerOnly(Path dir) throws IOException {
    Files.createDirectories(dir);
    if (Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class)) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }

  /** Loads a user's device certificate and private key. */
  public Credential readDevice(String name) throws IOException {
    return new Credential(
        PemFiles.readCertificate(deviceCertificate(name)),
        PemFiles.readPrivateKey(deviceKey(name)));
  }

  /** Names of the users that have a folder with a signing certificate, sorted. */
  public List<String> userNames() throws IOException {
    if (!Files.isDirectory(usersDir())) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(usersDir())) {
      dirs.map(p -> p.getFileName().toString())
          .filter(IdentityName::isValid)
          .filter(n -> Files.isRegularFile(signingCertificate(n)))
          .sorted()
          .forEach(names::add);
    }
    return names;
  }

  /** Names of the users whose private keys are present here (identities this folder can act as). */
  public List<String> localIdentities() throws IOException {
    List<String> out = new ArrayList<>();
    for (String n : userNames()) {
      if (Files.isRegularFile(signingKey(n)) && Files.isRegularFile(encryptionKey(n))) {
        out.add(n);
      }
    }
    return out;
  }

  /** Writes a user's four files (keys 0600, the user's folder 0700). */
  public void writeUser(UserIdentity id, boolean overwrite) throws IOException {
    ownerOnlyUserDir(id.name());
    PemFiles.writeCertificate(signingCertificate(id.name()), id.signing().certificate(), overwrite);
    PemFiles.writePrivateKey(signingKey(id.name()), id.signing().privateKey(), overwrite);
    PemFiles.writeCertificate(
        encryptionCertificate(id.name()), id.encryption().certificate(), overwrite);
    PemFiles.writePrivateKey(encryptionKey(id.name()), id.encryption().privateKey(), overwrite);
  }

  /** Loads a user's identity (both certificates and both private keys). */
  public UserIdentity readUser(String name) throws IOException {
    return new UserIdentity(
        name,
        new Credential(
            PemFiles.readCertificate(signingCertificate(name)),
            PemFiles.readPrivateKey(signingKey(name))),
        new Credential(
            PemFiles.readCertificate(encryptionCertificate(name)),
            PemFiles.readPrivateKey(encryptionKey(name))));
  }
}
