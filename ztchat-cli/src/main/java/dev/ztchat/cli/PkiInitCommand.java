package dev.ztchat.cli;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.KeyType;
import dev.ztchat.core.pki.PkiAdmin;
import dev.ztchat.core.pki.PkiResult;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ztchat pki init}: creates the root CA, the server certificate and the first users. */
@Command(
    name = "init",
    description = {
      "Create a root CA, the server certificate and user identities.",
      "One identity (signing + encryption certificate) per user.",
      "Refuses to replace an existing CA unless --force is given."
    })
final class PkiInitCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin PkiDirOption dir;

  @Option(
      names = "--crl-url",
      paramLabel = "URL",
      defaultValue = DEFAULT_CRL_URL,
      description = {
        "Where certificates say the CA's CRL is published (their CRL distribution point);"
            + " ./ztchat server publishes it there by default. 'none' leaves it out.",
        "Default: ${DEFAULT-VALUE}"
      })
  String crlUrl;

  /** Where a relay with default settings publishes the CRL (its --crl-port on loopback). */
  static final String DEFAULT_CRL_URL = "http://localhost:8444/ca.crl";

  @Option(
      names = "--users",
      split = ",",
      paramLabel = "NAME",
      description = "Users to create (default: alice,bob).")
  List<String> users;

  @Option(
      names = "--key-size",
      paramLabel = "BITS",
      defaultValue = "" + CertificateIssuer.DEFAULT_KEY_BITS,
      description = "RSA key size for every RSA key (default: ${DEFAULT-VALUE}; at least 2048).")
  int keyBits;

  @Option(
      names = "--key-type",
      paramLabel = "rsa|ec",
      defaultValue = "rsa",
      description = {
        "Key type of the root CA and the relay's server certificate (default: ${DEFAULT-VALUE}).",
        "ec: ECDSA P-256, signed with SHA256withECDSA (faster TLS handshakes).",
        "User keys are RSA either way: messages need RSA-OAEP and RSA-PSS."
      })
  String keyType;

  @Option(
      names = "--san",
      paramLabel = "NAME",
      description =
          "Another DNS name or IP address for the server certificate (repeatable); "
              + "localhost and 127.0.0.1 are always included.")
  List<String> serverNames;

  @Option(
      names = "--days",
      paramLabel = "N",
      defaultValue = "" + PkiAdmin.DEFAULT_DAYS,
      description =
          "Lifetime of the server and user certificates in days (default: ${DEFAULT-VALUE});"
              + " the CA lives at least 10 years.")
  int days;

  @Option(
      names = "--force",
      description =
          "Replace an existing CA, server and users (old certificates stop being trusted).")
  boolean force;

  @Option(
      names = "--v1-only",
      description =
          "Users get no device certificate and speak protocol v1 only (the classroom flows).")
  boolean v1Only;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    CertsLayout layout = dir.layout();
    KeyType type = PkiCommand.guard(() -> KeyType.fromOption(keyType));
    PkiAdmin.InitOptions options =
        new PkiAdmin.InitOptions(
            users == null ? PkiAdmin.DEFAULT_USERS : users,
            keyBits,
            type,
            serverNames == null ? List.of() : serverNames,
            days,
            force,
            "none".equals(crlUrl) ? null : crlUrl,
            !v1Only);
    PkiAdmin admin = new PkiAdmin(layout, Clock.systemUTC(), err::println);
    PkiResult result = PkiCommand.guard(() -> admin.init(options));
    PkiCommand.printWritten(out, err, layout.root(), result);
    out.println();
    out.println("Next, give each party only what it needs (docs/PKI.md):");
    out.println(
        "  ./ztchat pki export-server --dir "
            + layout.root()
            + " --out server-bundle   # the relay");
    for (String user : options.users()) {
      out.println(
          "  ./ztchat pki export "
              + user
              + " --dir "
              + layout.root()
              + " --out "
              + user
              + "-bundle   # "
              + user
              + " only");
    }
    out.println("Keep " + layout.caKey() + " offline: it is only needed to issue certificates.");
    out.flush();
    return 0;
  }
}
