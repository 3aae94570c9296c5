package dev.ztchat.cli;

import dev.ztchat.client.ChatClientConfig;
import dev.ztchat.client.ClientStore;
import dev.ztchat.client.KeyReload;
import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.IdentityName;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.pki.UserIdentity;
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
      names = "--server",
      defaultValue = "localhost:8443",
      description = "Relay address HOST:PORT (default: ${DEFAULT-VALUE}).")
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
    HostPort hp = HostPort.parse(server);
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
    // users/NAME/device.crt|key: present unless the user was made --v1-only (version 1 only).
    Credential device = layout.hasDevice(name) ? layout.readDevice(name) : null;
    return new ChatClientConfig(
            hp.host(), hp.port(), me, ca, dataDir, policy, Clock.systemUTC(), previous)
        .withKeyReload(KeyReload.fromCertsFolder(certs, name)) // carries on after pki renew
        .withDevice(device);
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

  /** HOST:PORT, validated. */
  record HostPort(String host, int port) {
    static HostPort parse(String s) {
      int colon = s.lastIndexOf(':');
      if (colon <= 0 || colon == s.length() - 1) {
        throw new UserError("--server '" + s + "' must be HOST:PORT, e.g. localhost:8443", 2);
      }
      try {
        int port = Integer.parseInt(s.substring(colon + 1));
        if (port < 1 || port > 65535) {
          throw new NumberFormatException();
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
          host = host.substring(1, host.length() - 1);
        }
        return new HostPort(host, port);
      } catch (NumberFormatException e) {
        throw new UserError("--server '" + s + "': the port must be a number from 1 to 65535", 2);
      }
    }
  }
}
