package dev.ztchat.cli;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.CrlRejectedException;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.pki.RevocationList;
import dev.ztchat.server.CrlFreshnessPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;

/**
 * {@code ztchat server --check-config FILE}: validates a configuration file without starting the
 * relay and lists every problem, not only the first: the file's shape and keys, each value alone
 * (so that every out-of-range value is named with its line), the settings together, and the files
 * they name (CA and server certificates, server key, data folder). Exit 0 when all is well, 2
 * otherwise.
 */
final class ServerConfigCheck {
  private ServerConfigCheck() {}

  /** Checks {@code file} as applied to {@code command} (whose command-line options win). */
  static int run(ServerCommand command, Path file) {
    PrintWriter out = command.spec.commandLine().getOut();
    PrintWriter err = command.spec.commandLine().getErr();
    if (file == null) {
      err.println("ztchat server: --check-config needs a file: --check-config relay.yaml");
      return 2;
    }
    List<String> problems = problems(command, file, System.getenv());
    if (problems.isEmpty()) {
      out.println(file + ": OK");
      out.flush();
      return 0;
    }
    for (String p : problems) {
      err.println(p);
    }
    err.println(
        problems.size() + (problems.size() == 1 ? " problem" : " problems") + " in " + file);
    err.flush();
    return 2;
  }

  static List<String> problems(ServerCommand command, Path file, Map<String, String> env) {
    RelayConfigFile.Contents contents;
    try {
      contents = RelayConfigFile.read(file);
    } catch (IOException e) {
      return List.of(e.getMessage() == null ? file + ": cannot be read" : e.getMessage());
    }
    ServerConfigApplier applier = new ServerConfigApplier(ServerCommand::new, env);
    Set<String> problems = new LinkedHashSet<>(applier.apply(contents, command.spec));
    Set<String> ranges = new LinkedHashSet<>();
    for (RelayConfigFile.Entry e : contents.entries()) {
      ServerCommand alone = defaults();
      RelayConfigFile.Contents one = new RelayConfigFile.Contents(file, List.of(e), List.of());
      if (!applier.apply(one, alone.spec).isEmpty()) {
        continue; // already listed
      }
      try {
        alone.relayConfig();
      } catch (IllegalArgumentException ex) {
        ranges.add(file + ":" + e.line() + ": " + e.key() + ": " + ex.getMessage());
      }
    }
    problems.addAll(ranges);
    if (ranges.isEmpty()) {
      try {
        command.relayConfig();
      } catch (IllegalArgumentException ex) {
        problems.add(atLineOfNamedKey(contents, ex.getMessage()));
      }
    }
    problems.addAll(files(command));
    return new ArrayList<>(problems);
  }

  /** A command with every option at its default, as if run without arguments. */
  private static ServerCommand defaults() {
    ServerCommand c = new ServerCommand();
    new CommandLine(c).parseArgs();
    return c;
  }

  /** A problem of several settings together, placed at the line of the first key it names. */
  private static String atLineOfNamedKey(RelayConfigFile.Contents contents, String message) {
    for (RelayConfigFile.Entry e : contents.entries()) {
      if (message.startsWith("--" + e.key() + " ")) {
        return contents.file() + ":" + e.line() + ": " + e.key() + ": " + message;
      }
    }
    return contents.file() + ": " + message;
  }

  /** The certificates, key and data folder the settings name: present, readable, usable. */
  private static List<String> files(ServerCommand command) {
    List<String> problems = new ArrayList<>();
    CertsLayout certs = new CertsLayout(command.certs);
    readable(problems, "certs: the CA certificate", certs.caCertificate(), true);
    readable(problems, "certs: the server certificate", certs.serverCertificate(), true);
    readable(problems, "certs: the server private key", certs.serverKey(), false);
    revocationList(problems, certs, command);
    Path data = command.data.toAbsolutePath();
    Path existing = data;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
      problems.add(
          "data: "
              + data
              + " cannot be created or written by this user; create it and give the relay's user"
              + " write access");
    }
    return problems;
  }

  /**
   * The revocation list, when there is one: issued by the CA, and fresh unless crl-when-stale is
   * warn (a stale one would lock every new client out under the default fail-closed policy; under
   * warn the relay runs with it, logging errors, as the operator chose).
   */
  private static void revocationList(
      List<String> problems, CertsLayout certs, ServerCommand command) {
    Path file = certs.crl();
    X509Certificate ca;
    try {
      ca = PemFiles.readCertificate(certs.caCertificate());
    } catch (IOException | RuntimeException e) {
      return; // listed with the CA certificate
    }
    if (!Files.exists(file)) {
      return; // none yet: the relay runs without one, and /readyz says so
    }
    try {
      X509CRL crl = CrlFiles.read(file);
      Instant now = Instant.now();
      boolean staleAllowed = command.crlWhenStale.equals("warn");
      // under warn, check all but freshness: the list as of its own issue date
      RevocationList.verify(
          crl,
          ca,
          staleAllowed && CrlFreshnessPolicy.isStale(crl, now)
              ? crl.getThisUpdate().toInstant()
              : now);
    } catch (CrlRejectedException e) {
      problems.add(
          "certs: the revocation list "
              + file
              + " is refused: "
              + e.getMessage()
              + "; copy the CA's current ca.crl (./ztchat pki crl). With crl-when-stale"
              + " fail-closed (the default) a stale list makes the relay refuse every new client");
    } catch (IOException | RuntimeException e) {
      problems.add(
          "certs: the revocation list "
              + file
              + " cannot be read ("
              + e.getClass().getSimpleName()
              + "): copy the CA's current ca.crl (./ztchat pki crl)");
    }
  }

  private static void readable(List<String> problems, String what, Path file, boolean cert) {
    try {
      if (cert) {
        PemFiles.readCertificate(file);
      } else {
        PemFiles.readPrivateKey(file);
      }
    } catch (IOException | RuntimeException e) {
      problems.add(
          what
              + " "
              + file
              + " cannot be read ("
              + e.getClass().getSimpleName()
              + "): run ./ztchat pki export-server, or fix --certs");
    }
  }
}
