package dev.ztchat.cli;

import dev.ztchat.client.ChatClientConfig;
import dev.ztchat.client.ClientStore;
import dev.ztchat.client.KeyReload;
import dev.ztchat.client.RelayEndpoints;
import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.DeviceName;
import dev.ztchat.core.pki.IdentityName;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.terminal.TerminalText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * Options shared by {@code client}, {@code send} and {@code recv}: who I am, where the relay is.
 */
final class ClientOptions {
  @Option(names = "--identity", description = "Your user name (an identity in the certs folder).")
  String identity;

  @Option(
      names = "--device",
      paramLabel = "DEVICE",
      description =
          "Which of your devices this is (`pki issue NAME --device DEVICE`); needed only when"
              + " the certs folder holds several of your devices.")
  String device;

  @Option(
      names = "--new-devices",
      paramLabel = "hold|send",
      defaultValue = "hold",
      description =
          "Whether your messages go to a contact's new device before you accept it (/accept"
              + " NAME): hold (default: a device the server or a thief added gets nothing until you"
              + " checked its fingerprint) or send.")
  String newDevices;

  @Option(
      names = "--server",
      defaultValue = "localhost:8443",
      paramLabel = "HOST:PORT[,HOST:PORT...]",
      description =
          "Relay address HOST:PORT (default: ${DEFAULT-VALUE}). Several relay nodes sharing one"
              + " store, comma-separated: the first one that answers is used, and when it fails"
              + " the client moves on to the next (a refusal of your certificate stops it).")
  String server;

  @Option(
      names = "--certs",
      defaultValue = "certs",
      description = "Certs folder holding ca.crt and users/NAME/ (default: ${DEFAULT-VALUE}).")
  Path certs;

  @Option(
      names = "--data",
      description =
          "Folder for your local state (pinned keys, seen messages, history), one per CA and"
              + " identity. Default: the folder CA-ID/NAME in ~/.ztchat")
  Path data;

  @Option(
      names = "--window",
      defaultValue = "7d",
      converter = DurationConverter.class,
      description =
          "Acceptance window: older messages are rejected as stale; keep it at least the server's"
              + " --ttl (default: ${DEFAULT-VALUE}).")
  Duration window;

  @Option(
      names = "--max-skew",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "How far in the future a message may be dated (clock skew) (default: ${DEFAULT-VALUE}).")
  Duration maxSkew;

  /**
   * Resolves the identity: --identity if given; the only one in the folder; else {@code chooser}
   * picks among several (null chooser: error listing them).
   */
  String resolveIdentity(Function<List<String>, String> chooser) throws IOException {
    CertsLayout layout = new CertsLayout(certs);
    if (identity != null) {
      try {
        IdentityName.validate(identity);
      } catch (IllegalArgumentException e) {
        throw new UserError("--identity: " + e.getMessage(), 2);
      }
      return identity;
    }
    List<String> found = layout.localIdentities();
    if (found.isEmpty()) {
      throw new UserError(
          "no identities with private keys in "
              + certs.toAbsolutePath()
              + ": run ./ztchat pki init (or pki issue NAME), or point --certs at your bundle",
          2);
    }
    if (found.size() == 1) {
      return found.getFirst();
    }
    if (chooser == null) {
      throw new UserError(
          "several identities in "
              + certs
              + " ("
              + String.join(", ", found)
              + "): choose one with --identity",
          2);
    }
    return chooser.apply(found);
  }

  ChatClientConfig config(String name) throws IOException {
    RelayEndpoints relays = relays(); // a mistyped list is reported before anything is read
    CertsLayout layout = new CertsLayout(certs);
    UserIdentity me;
    try {
      me = layout.readUser(name);
    } catch (NoSuchFileException e) {
      throw new UserError(
          "no identity '"
              + name
              + "' in "
              + certs.toAbsolutePath()
              + " (missing "
              + e.getFile()
              + "): run ./ztchat pki issue "
              + name
              + ", or use --certs to point at the folder holding it",
          2);
    }
    if (!Files.isRegularFile(layout.caCertificate())) {
      throw new UserError(
          "no CA certificate at " + layout.caCertificate() + ": your bundle must contain ca.crt",
          2);
    }
    var ca = PemFiles.readCertificate(layout.caCertificate());
    AcceptancePolicy policy;
    try {
      policy = new AcceptancePolicy(window, maxSkew);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage(), 2);
    }
    Path dataDir = data != null ? data : defaultDataDir(ca, name);
    if (data == null) {
      // ~/.ztchat and ~/.ztchat/CA-ID as well: their names say which identities use this account.
      ClientStore.ensurePrivateFolders(dataDir.getParent().getParent(), dataDir);
    }
    List<Credential> previous = new ArrayList<>();
    for (Path old : layout.previousIdentityDirs(name)) {
      try {
        previous.add(
            new Credential(
                PemFiles.readCertificate(old.resolve("encryption.crt")),
                PemFiles.readPrivateKey(old.resolve("encryption.key"))));
      } catch (IOException e) {
        // an incomplete previous identity cannot help; skip it
      }
    }
    // users/NAME/device.crt|key or devices/DEVICE/: none for a --v1-only user (version 1 only).
    String deviceName = resolveDevice(layout, name);
    Credential device = deviceName == null ? null : layout.readDevice(name, deviceName);
    if (data == null && deviceName != null && !DeviceName.DEFAULT.equals(deviceName)) {
      dataDir = deviceDataDir(dataDir, deviceName);
      ClientStore.ensurePrivateFolders(dataDir.getParent().getParent(), dataDir);
    }
    return new ChatClientConfig(
            relays.first().host(),
            relays.first().port(),
            me,
            ca,
            dataDir,
            policy,
            Clock.systemUTC(),
            previous)
        .withRelays(relays)
        .withKeyReload(KeyReload.fromCertsFolder(certs, name)) // carries on after pki renew
        .withDevice(device)
        .withSendToNewDevices(sendToNewDevices());
  }

  /** {@code --new-devices}, checked. */
  private boolean sendToNewDevices() {
    return switch (newDevices == null ? "hold" : newDevices) {
      case "hold" -> false;
      case "send" -> true;
      default ->
          throw new UserError(
              "--new-devices must be hold or send, not '" + TerminalText.oneLine(newDevices) + "'",
              2);
    };
  }

  /**
   * The device this client acts as: {@code --device} when given (it must be here, with its key);
   * otherwise the only device of {@code name} whose key is in the certs folder; null when there is
   * none (a version-1-only user).
   *
   * @throws UserError when {@code --device} names no device here, or several are here and none was
   *     chosen: the message lists them
   */
  String resolveDevice(CertsLayout layout, String name) throws IOException {
    List<String> here = layout.localDeviceNames(name);
    if (device != null) {
      try {
        DeviceName.validate(device);
      } catch (IllegalArgumentException e) {
        throw new UserError("--device: " + e.getMessage(), 2);
      }
      if (!here.contains(device)) {
        throw new UserError(
            "--device "
                + device
                + ": "
                + name
                + " has no device of that name with its key in "
                + certs.toAbsolutePath()
                + (here.isEmpty()
                    ? " (no device at all: run ./ztchat pki issue " + name + " --device " + device
                    : " (devices here: " + String.join(", ", here))
                + ")",
            2);
      }
      return device;
    }
    if (here.size() > 1) {
      throw new UserError(
          name
              + " has several devices in "
              + certs.toAbsolutePath()
              + " ("
              + String.join(", ", here)
              + "): choose one with --device, e.g. --device "
              + here.getLast(),
          2);
    }
    return here.isEmpty() ? null : here.getFirst();
  }

  /**
   * ~/.ztchat/CA-ID/NAME: pins and history only mean something under one CA, so a new PKI starts
   * fresh state instead of reporting every contact's key as changed. $HOME wins over the JVM's idea
   * of the home folder.
   */
  static Path defaultDataDir(X509Certificate ca, String name) {
    String home = System.getenv("HOME");
    Path base =
        home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"));
    return defaultDataDir(base, ca, name);
  }

  /** HOME/.ztchat/CA-ID/NAME. */
  static Path defaultDataDir(Path base, X509Certificate ca, String name) {
    String caId = HexFormat.of().formatHex(Certificates.sha256(ca), 0, 8);
    return base.resolve(".ztchat").resolve(caId).resolve(name);
  }

  /**
   * The default state folder of the named device {@code device} beside its person's folder {@code
   * personDir} ({@code ~/.ztchat/CA-ID/NAME+DEVICE}): every device has its own sessions and state,
   * and the device {@value DeviceName#DEFAULT} keeps {@code NAME}, the folder it had before devices
   * had names. '+' is in no user or device name, so no two folders can be the same.
   */
  static Path deviceDataDir(Path personDir, String device) {
    return DeviceName.DEFAULT.equals(device)
        ? personDir
        : personDir.resolveSibling(personDir.getFileName() + "+" + DeviceName.validate(device));
  }

  /** {@code --server}, checked: one relay or several, comma-separated. */
  RelayEndpoints relays() {
    try {
      return RelayEndpoints.parse(server);
    } catch (IllegalArgumentException e) {
      throw new UserError("--server: " + e.getMessage(), 2);
    }
  }
}
