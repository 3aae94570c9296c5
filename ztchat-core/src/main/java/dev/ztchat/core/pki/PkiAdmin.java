package dev.ztchat.core.pki;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.remedy.Remedy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Creates and extends the organisation's PKI in a certs folder ({@link CertsLayout}): {@link #init}
 * makes the root CA, the relay's server certificate and the first users; {@link #issue} adds a user
 * signed by the existing CA; {@link #addDevice} gives an existing v1 user a v2 device certificate.
 * Users get the v1 RSA pair and, unless asked for v1-only, a v2 device certificate
 * (docs/v2/device-certificates.md). This is what {@code ztchat pki init|issue} runs; the demo and
 * tests call it directly.
 *
 * <p>Every option is validated and every existing file checked before the first key is generated,
 * so a mistake costs no waiting and leaves the folder untouched. Nothing is ever overwritten unless
 * the caller passes {@code force}. Private keys are written with mode 0600 from creation and never
 * printed. Errors and warnings say what happened and carry a {@link Remedy} (such as {@code
 * ALLOW_OVERWRITE}) that the front end words as its own options.
 */
public final class PkiAdmin {
  /** Users created by {@code ztchat pki init} when none are named. */
  public static final List<String> DEFAULT_USERS = List.of("alice", "bob");

  /** Names every server certificate carries, so the relay works on loopback out of the box. */
  public static final List<String> DEFAULT_SERVER_NAMES = List.of("localhost", "127.0.0.1");

  /** Default lifetime of server and user certificates, in days. */
  public static final int DEFAULT_DAYS = 365;

  /** Longest lifetime an operator may ask for, in days. */
  public static final int MAX_DAYS = PkiChecks.MAX_DAYS;

  /** Common name of the root CA. */
  public static final String CA_COMMON_NAME = "ztchat root CA";

  /** Common name of the relay's server certificate (clients check the SAN, not this). */
  public static final String SERVER_COMMON_NAME = "ztchat-server";

  /**
   * Certificates start this long before "now", so a peer whose clock lags a little accepts them.
   */
  private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  private final CertsLayout layout;
  private final Clock clock;
  private final Consumer<String> progress;

  /**
   * @param progress receives one line per slow step ("generating root CA (RSA-3072)...")
   */
  public PkiAdmin(CertsLayout layout, Clock clock, Consumer<String> progress) {
    this.layout = requireNonNull(layout, "layout");
    this.clock = requireNonNull(clock, "clock");
    this.progress = requireNonNull(progress, "progress");
  }

  /**
   * What {@link #init} creates.
   *
   * @param users user names, each a valid {@link IdentityName}, no duplicates
   * @param keyBits RSA modulus size for every RSA key (see {@link CertificateIssuer#checkKeyBits})
   * @param keyType key type of the root CA and the server certificate; user keys are RSA whatever
   *     it is, because the envelope needs RSA-OAEP and RSASSA-PSS
   * @param extraServerNames DNS names or IP addresses added to the server certificate's SAN
   * @param days lifetime of the server and user certificates (the CA lives at least 10 years)
   * @param force replace existing files, including an existing CA
   * @param devices give each user a v2 device certificate (ECDSA P-256) besides the v1 RSA pair;
   *     false makes v1-only users
   */
  public record InitOptions(
      List<String> users,
      int keyBits,
      KeyType keyType,
      List<String> extraServerNames,
      int days,
      boolean force,
      String crlUrl,
      boolean devices) {
    public InitOptions {
      users = List.copyOf(users);
      requireNonNull(keyType, "keyType");
      extraServerNames = List.copyOf(extraServerNames);
      if (crlUrl != null && !crlUrl.matches("https?://[\\x21-\\x7e]+")) {
        throw new IllegalArgumentException(
            "--crl-url '" + crlUrl + "' must be an http:// or https:// URL");
      }
    }

    /** Users get device certificates. */
    public InitOptions(
        List<String> users,
        int keyBits,
        KeyType keyType,
        List<String> extraServerNames,
        int days,
        boolean force,
        String crlUrl) {
      this(users, keyBits, keyType, extraServerNames, days, force, crlUrl, true);
    }

    /** Without a CRL distribution point in the certificates. */
    public InitOptions(
        List<String> users, int keyBits, List<String> extraServerNames, int days, boolean force) {
      this(users, keyBits, KeyType.RSA, extraServerNames, days, force, null);
    }

    /** Certificates name {@code url} as where the CA's CRL is published (null: none). */
    public InitOptions withCrlUrl(String url) {
      return new InitOptions(users, keyBits, keyType, extraServerNames, days, force, url, devices);
    }

    /** alice and bob, RSA-3072, loopback names only, one year, no overwriting. */
    public static InitOptions defaults() {
      return new InitOptions(
          DEFAULT_USERS, CertificateIssuer.DEFAULT_KEY_BITS, List.of(), DEFAULT_DAYS, false);
    }

    public InitOptions withUsers(List<String> names) {
      return new InitOptions(
          names, keyBits, keyType, extraServerNames, days, force, crlUrl, devices);
    }

    public InitOptions withKeyBits(int bits) {
      return new InitOptions(users, bits, keyType, extraServerNames, days, force, crlUrl, devices);
    }

    public InitOptions withExtraServerNames(List<String> names) {
      return new InitOptions(users, keyBits, keyType, names, days, force, crlUrl, devices);
    }

    public InitOptions withDays(int n) {
      return new InitOptions(users, keyBits, keyType, extraServerNames, n, force, crlUrl, devices);
    }

    /** The root CA and the server certificate get keys of {@code type}. */
    public InitOptions withKeyType(KeyType type) {
      return new InitOptions(users, keyBits, type, extraServerNames, days, force, crlUrl, devices);
    }

    /** Users get a v2 device certificate ({@code true}, the default) or are v1-only. */
    public InitOptions withDevices(boolean d) {
      return new InitOptions(users, keyBits, keyType, extraServerNames, days, force, crlUrl, d);
    }

    public InitOptions withForce(boolean f) {
      return new InitOptions(users, keyBits, keyType, extraServerNames, days, f, crlUrl, devices);
    }
  }

  /**
   * Creates the root CA, the server certificate and one identity per user.
   *
   * @throws IllegalArgumentException for an invalid name, key size, server name or lifetime
   * @throws PkiException when a file already exists and {@code force} is false
   */
  public PkiResult init(InitOptions options) throws IOException, PkiException {
    List<String> users = checkUserNames(options.users());
    CertificateIssuer.checkKeyBits(options.keyBits());
    int days = PkiChecks.checkDays(options.days());
    Set<String> serverNames = new LinkedHashSet<>(DEFAULT_SERVER_NAMES);
    for (String name : options.extraServerNames()) {
      serverNames.add(PkiChecks.checkServerName(name));
    }
    if (Files.exists(layout.root()) && !Files.isDirectory(layout.root())) {
      throw new PkiException(
          layout.root() + " is not a directory", Remedy.of(Remedy.Kind.OTHER_CERTS_FOLDER));
    }
    if (!options.force()) {
      String ca =
          "a root CA is already set up in "
              + layout.root()
              + "; replacing it makes every certificate it issued untrusted";
      refuseExisting(layout.caKey(), ca);
      refuseExisting(layout.caCertificate(), ca);
      refuseExisting(layout.serverKey(), "a server identity is already set up");
      refuseExisting(layout.serverCertificate(), "a server identity is already set up");
      for (String user : users) {
        refuseExistingUser(user);
      }
    }
    List<String> replacedUsers = options.force() ? layout.userNames() : List.of();

    Instant notBefore = clock.instant().minus(CLOCK_SKEW);
    Duration leafValidity = Duration.ofDays(days);
    Duration caValidity =
        leafValidity.compareTo(CertificateIssuer.DEFAULT_CA_VALIDITY) > 0
            ? leafValidity
            : CertificateIssuer.DEFAULT_CA_VALIDITY;
    int bits = options.keyBits();
    KeyType type = options.keyType();
    progress.accept("generating root CA (" + type.describe(bits) + ")...");
    Credential ca =
        CertificateIssuer.createRootCa(CA_COMMON_NAME, type, bits, notBefore, caValidity);
    progress.accept(
        "generating server certificate for "
            + String.join(", ", serverNames)
            + " ("
            + type.describe(bits)
            + ")...");
    Credential server =
        CertificateIssuer.issueServer(
            ca,
            SERVER_COMMON_NAME,
            List.copyOf(serverNames),
            type,
            bits,
            notBefore,
            leafValidity,
            options.crlUrl());
    List<UserIdentity> identities = new ArrayList<>();
    List<Credential> devices = new ArrayList<>();
    for (String user : users) {
      progress.accept(
          "generating user " + user + ": signing and encryption keys (RSA-" + bits + ")...");
      identities.add(
          CertificateIssuer.issueUser(ca, user, bits, notBefore, leafValidity, options.crlUrl()));
      if (options.devices()) {
        progress.accept("generating user " + user + ": device key (ECDSA P-256)...");
        devices.add(
            CertificateIssuer.issueDevice(ca, user, notBefore, leafValidity, options.crlUrl()));
      }
    }

    boolean force = options.force();
    List<PkiFile> written = new ArrayList<>();
    PemFiles.writeCertificate(layout.caCertificate(), ca.certificate(), force);
    written.add(
        new PkiFile(
            layout.caCertificate(),
            "root CA certificate",
            "everyone: the server and every user",
            false));
    PemFiles.writePrivateKey(layout.caKey(), ca.privateKey(), force);
    written.add(
        new PkiFile(
            layout.caKey(), "root CA private key", "the PKI admin only; keep it offline", true));
    PkiRevocation.writeInitial(layout, ca, clock.instant());
    Files.deleteIfExists(layout.crlUrlFile());
    written.add(
        new PkiFile(
            layout.crl(),
            "root CA revocation list",
            "the server (serves it to users)",
            false,
            Optional.of(Remedy.of(Remedy.Kind.REISSUE_CRL_WEEKLY))));
    if (options.crlUrl() != null) {
      Files.writeString(layout.crlUrlFile(), options.crlUrl() + "\n", StandardCharsets.US_ASCII);
      written.add(
          new PkiFile(
              layout.crlUrlFile(),
              "where certificates say the CRL is",
              "stays here: pki issue and renew put it in new certificates",
              false));
    }
    PemFiles.writeCertificate(layout.serverCertificate(), server.certificate(), force);
    written.add(
        new PkiFile(layout.serverCertificate(), "relay TLS certificate", "the server", false));
    PemFiles.writePrivateKey(layout.serverKey(), server.privateKey(), force);
    written.add(new PkiFile(layout.serverKey(), "relay TLS private key", "the server only", true));
    for (int i = 0; i < identities.size(); i++) {
      UserIdentity id = identities.get(i);
      written.addAll(writeUser(layout, id, force));
      if (options.devices()) {
        written.addAll(writeDevice(layout, id.name(), devices.get(i), force));
      } else if (force) {
        removeDevice(layout, id.name());
      }
    }

    List<PkiWarning> warnings = new ArrayList<>();
    for (String stale : replacedUsers) {
      if (!users.contains(stale)) {
        warnings.add(
            new PkiWarning(
                layout.userDir(stale)
                    + " was issued by the replaced CA and is no longer trusted: re-issue it, or"
                    + " delete it",
                Optional.of(Remedy.forUser(Remedy.Kind.REISSUE_USER, stale))));
      }
    }
    return new PkiResult(written, warnings);
  }

  /**
   * Issues a new identity for {@code name} with a v2 device certificate: {@link #issue(String, int,
   * int, boolean, boolean)} with {@code device} true.
   */
  public PkiResult issue(String name, int keyBits, int days, boolean force)
      throws IOException, PkiException {
    return issue(name, keyBits, days, force, true);
  }

  /**
   * Issues a new identity for {@code name}, signed by the CA in this folder (needs {@code ca.key}):
   * the v1 RSA signing and encryption pair and, when {@code device}, a v2 device certificate (ECDSA
   * P-256). The certificates never outlive the CA: if it expires first they are shortened, with a
   * warning.
   *
   * @throws IllegalArgumentException for an invalid name, key size or lifetime
   * @throws PkiException when the CA is missing or unusable, or the user exists and not {@code
   *     force}
   */
  public PkiResult issue(String name, int keyBits, int days, boolean force, boolean device)
      throws IOException, PkiException {
    IdentityName.validate(name);
    CertificateIssuer.checkKeyBits(keyBits);
    PkiChecks.checkDays(days);
    Instant now = clock.instant();
    Credential ca = PkiChecks.loadCa(layout, now);
    if (!force) {
      refuseExistingUser(name);
    }
    Instant notBefore = now.minus(CLOCK_SKEW);
    List<PkiWarning> warnings = new ArrayList<>();
    Duration validity =
        validityWithinCa(ca, notBefore, days, name + "'s certificates expire", warnings);
    progress.accept("generating user " + name + ": signing key (RSA-" + keyBits + ")...");
    Credential signing =
        CertificateIssuer.issueLeaf(
            ca, name, CertificateRole.USER_SIGNING, keyBits, notBefore, validity, layout.crlUrl());
    progress.accept("generating user " + name + ": encryption key (RSA-" + keyBits + ")...");
    Credential encryption =
        CertificateIssuer.issueLeaf(
            ca,
            name,
            CertificateRole.USER_ENCRYPTION,
            keyBits,
            notBefore,
            validity,
            layout.crlUrl());
    Credential deviceCredential = null;
    if (device) {
      progress.accept("generating user " + name + ": device key (ECDSA P-256)...");
      deviceCredential =
          CertificateIssuer.issueDevice(ca, name, notBefore, validity, layout.crlUrl());
    }
    List<PkiFile> written =
        new ArrayList<>(writeUser(layout, new UserIdentity(name, signing, encryption), force));
    if (deviceCredential != null) {
      written.addAll(writeDevice(layout, name, deviceCredential, force));
    } else if (force) {
      removeDevice(layout, name); // a v1-only identity must not keep a device key of the old one
    }
    return new PkiResult(written, warnings);
  }

  /**
   * Gives the existing user {@code name} a v2 device certificate, leaving the RSA keys and
   * certificates untouched.
   *
   * @throws IllegalArgumentException for an invalid name or lifetime
   * @throws PkiException when the CA is missing or unusable, the user does not exist, or already
   *     has a device certificate
   */
  public PkiResult addDevice(String name, int days) throws IOException, PkiException {
    IdentityName.validate(name);
    PkiChecks.checkDays(days);
    Instant now = clock.instant();
    Credential ca = PkiChecks.loadCa(layout, now);
    if (!Files.isRegularFile(layout.signingCertificate(name))) {
      throw new PkiException(
          "no user '" + name + "' in " + layout.root() + " to add a device certificate to",
          Remedy.forUser(Remedy.Kind.ISSUE_USER, name));
    }
    if (Files.exists(layout.deviceCertificate(name)) || Files.exists(layout.deviceKey(name))) {
      throw new PkiException(
          "user "
              + name
              + " already has a device certificate ("
              + layout.deviceCertificate(name)
              + "): nothing was changed; renew the user to replace it",
          Remedy.forUser(Remedy.Kind.REISSUE_USER, name));
    }
    Instant notBefore = now.minus(CLOCK_SKEW);
    List<PkiWarning> warnings = new ArrayList<>();
    Duration validity =
        validityWithinCa(ca, notBefore, days, name + "'s device certificate expires", warnings);
    progress.accept("generating user " + name + ": device key (ECDSA P-256)...");
    Credential device =
        CertificateIssuer.issueDevice(ca, name, notBefore, validity, layout.crlUrl());
    return new PkiResult(writeDevice(layout, name, device, false), warnings);
  }

  /**
   * Issues a device certificate for {@code name}'s device {@code device} ({@code pki issue NAME
   * --device DEVICE}): the subject is {@code O=ztchat, OU=DEVICE, CN=NAME}, the files go to {@code
   * users/NAME/devices/DEVICE/} ({@code users/NAME/device.*} for {@value DeviceName#DEFAULT}). A
   * person who does not exist yet also gets the v1 RSA pair ({@code keyBits}), so that every user
   * in the folder has one; an existing person's other files are left byte for byte as they were.
   *
   * @throws IllegalArgumentException for an invalid name, device name, key size or lifetime
   * @throws PkiException when the CA is missing or unusable, or the person already has a device of
   *     that name
   */
  public PkiResult issueDevice(String name, String device, int keyBits, int days)
      throws IOException, PkiException {
    IdentityName.validate(name);
    DeviceName.validate(device);
    CertificateIssuer.checkKeyBits(keyBits);
    PkiChecks.checkDays(days);
    Instant now = clock.instant();
    Credential ca = PkiChecks.loadCa(layout, now);
    if (Files.exists(layout.deviceCertificate(name, device))
        || Files.exists(layout.deviceKey(name, device))) {
      throw new PkiException(
          name
              + " already has a device named '"
              + device
              + "' ("
              + layout.deviceCertificate(name, device)
              + "): nothing was changed; choose another device name, or revoke that device first"
              + " and remove its folder",
          Remedy.of(Remedy.Kind.LIST_USERS));
    }
    boolean newPerson = !Files.isRegularFile(layout.signingCertificate(name));
    if (newPerson) {
      refuseExistingUser(name);
    }
    Instant notBefore = now.minus(CLOCK_SKEW);
    List<PkiWarning> warnings = new ArrayList<>();
    Duration validity =
        validityWithinCa(ca, notBefore, days, name + "'s certificates expire", warnings);
    List<PkiFile> written = new ArrayList<>();
    if (newPerson) {
      progress.accept(
          "generating user " + name + ": signing and encryption keys (RSA-" + keyBits + ")...");
      written.addAll(
          writeUser(
              layout,
              CertificateIssuer.issueUser(ca, name, keyBits, notBefore, validity, layout.crlUrl()),
              false));
    }
    progress.accept("generating user " + name + ": key of device " + device + " (ECDSA P-256)...");
    Credential credential =
        CertificateIssuer.issueDevice(ca, name, device, notBefore, validity, layout.crlUrl());
    written.addAll(writeDevice(layout, name, device, credential, false));
    return new PkiResult(written, warnings);
  }

  /**
   * Issues a new certificate and key for {@code name}'s existing device {@code device} in place of
   * the current ones ({@code pki renew NAME --device DEVICE}; the caller moved the old files away
   * and revokes the old certificate). The person's other files are left as they are.
   *
   * @throws IllegalArgumentException for an invalid name, device name or lifetime
   * @throws PkiException when the CA is missing or unusable
   */
  PkiResult reissueDevice(String name, String device, int days) throws IOException, PkiException {
    IdentityName.validate(name);
    DeviceName.validate(device);
    PkiChecks.checkDays(days);
    Instant now = clock.instant();
    Credential ca = PkiChecks.loadCa(layout, now);
    Instant notBefore = now.minus(CLOCK_SKEW);
    List<PkiWarning> warnings = new ArrayList<>();
    Duration validity =
        validityWithinCa(
            ca, notBefore, days, name + "'s device " + device + " certificate expires", warnings);
    progress.accept(
        "generating user " + name + ": new key of device " + device + " (ECDSA P-256)...");
    String ou = DeviceName.DEFAULT.equals(device) ? null : device;
    Credential credential =
        CertificateIssuer.issueDevice(ca, name, ou, notBefore, validity, layout.crlUrl());
    return new PkiResult(writeDevice(layout, name, device, credential, true), warnings);
  }

  /**
   * {@code days} from {@code notBefore}, cut to the root CA's own expiry; when cut, a warning that
   * {@code what} (e.g. "bob's certificates expire") with the root CA is added to {@code warnings}.
   */
  private static Duration validityWithinCa(
      Credential ca, Instant notBefore, int days, String what, List<PkiWarning> warnings) {
    Instant caNotAfter = ca.certificate().getNotAfter().toInstant();
    Instant notAfter = notBefore.plus(Duration.ofDays(days));
    if (notAfter.isAfter(caNotAfter)) {
      notAfter = caNotAfter;
      warnings.add(PkiWarning.of(what + " with the root CA on " + caNotAfter));
    }
    return Duration.between(notBefore, notAfter);
  }

  /** Writes a user's device certificate and key into {@code target} and describes them. */
  static List<PkiFile> writeDevice(
      CertsLayout target, String name, Credential device, boolean force) throws IOException {
    target.writeDevice(name, device, force);
    return List.of(
        new PkiFile(
            target.deviceCertificate(name),
            name + "'s device certificate (v2)",
            name + " and the server (public directory)",
            false),
        new PkiFile(
            target.deviceKey(name), name + "'s device private key (v2)", name + " only", true));
  }

  /** Writes {@code name}'s device {@code device} into {@code target} and describes the files. */
  static List<PkiFile> writeDevice(
      CertsLayout target, String name, String device, Credential credential, boolean force)
      throws IOException {
    target.writeDevice(name, device, credential, force);
    return List.of(
        new PkiFile(
            target.deviceCertificate(name, device),
            name + "'s device certificate (v2, device " + device + ")",
            name + " and the server (public directory)",
            false),
        new PkiFile(
            target.deviceKey(name, device),
            name + "'s device private key (v2, device " + device + ")",
            "that device of " + name + " only",
            true));
  }

  private static void removeDevice(CertsLayout target, String name) throws IOException {
    Files.deleteIfExists(target.deviceCertificate(name));
    Files.deleteIfExists(target.deviceKey(name));
  }

  /** Writes a user's four files into {@code target} and describes them. */
  static List<PkiFile> writeUser(CertsLayout target, UserIdentity id, boolean force)
      throws IOException {
    target.writeUser(id, force);
    String name = id.name();
    String everyone = name + " and the server (public directory)";
    String owner = name + " only";
    return List.of(
        new PkiFile(
            target.signingCertificate(name), name + "'s signing certificate", everyone, false),
        new PkiFile(target.signingKey(name), name + "'s signing private key", owner, true),
        new PkiFile(
            target.encryptionCertificate(name),
            name + "'s encryption certificate",
            everyone,
            false),
        new PkiFile(target.encryptionKey(name), name + "'s encryption private key", owner, true));
  }

  private static List<String> checkUserNames(List<String> names) {
    Set<String> seen = new LinkedHashSet<>();
    for (String name : names) {
      IdentityName.validate(name);
      if (!seen.add(name)) {
        throw new IllegalArgumentException("user '" + name + "' is listed twice");
      }
    }
    return List.copyOf(seen);
  }

  private void refuseExistingUser(String name) throws PkiException {
    for (Path file :
        List.of(
            layout.signingCertificate(name),
            layout.signingKey(name),
            layout.encryptionCertificate(name),
            layout.encryptionKey(name),
            layout.deviceCertificate(name),
            layout.deviceKey(name))) {
      refuseExisting(file, "user " + name + " already has an identity");
    }
  }

  private static void refuseExisting(Path file, String what) throws PkiException {
    if (Files.exists(file)) {
      throw new PkiException(
          file + " already exists (" + what + "): nothing was changed",
          Remedy.of(Remedy.Kind.ALLOW_OVERWRITE));
    }
  }
}
