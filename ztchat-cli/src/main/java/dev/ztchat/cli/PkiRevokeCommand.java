package dev.ztchat.cli;

import dev.ztchat.core.pki.PkiRevocation;
import dev.ztchat.core.pki.RevocationReason;
import java.io.PrintWriter;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ztchat pki revoke NAME}: put a user's certificates on the CA's revocation list. */
@Command(
    name = "revoke",
    description = {
      "Revoke a user's certificates (a lost or stolen device): adds them to the CA's CRL (ca.crl).",
      "A relay using this certs folder notices within a second and disconnects the user;"
          + " elsewhere, copy ca.crl to the server's certs folder. Needs ca.key."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:revoked; or already revoked, which it says (since when, why) without changing ca.crl",
      "1:error (no such user, no CA key, a CRL not signed by this CA, ...)",
      "2:bad usage",
    })
final class PkiRevokeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin PkiDirOption dir;

  @Parameters(index = "0", paramLabel = "NAME", description = "The user to revoke.")
  String name;

  @Option(
      names = "--reason",
      defaultValue = "keyCompromise",
      description =
          "keyCompromise, superseded, affiliationChanged, cessationOfOperation or unspecified"
              + " (default: ${DEFAULT-VALUE}).")
  String reason;

  @Option(
      names = "--device",
      paramLabel = "DEVICE",
      description =
          "Revoke only this device's certificate (a lost phone); the person's other devices and"
              + " RSA certificates keep working. `pki list` shows the device names.")
  String device;

  @Option(
      names = "--crl-days",
      defaultValue = "7",
      description = "Days until the CRL must be re-issued (default: ${DEFAULT-VALUE}).")
  int crlDays;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    RevocationReason why = PkiCommand.guard(() -> RevocationReason.parse(reason));
    Duration next = PkiCrlCommand.checkCrlDays(crlDays);
    PkiRevocation pki =
        new PkiRevocation(dir.layout(), Clock.systemUTC(), spec.commandLine().getErr()::println);
    if (device != null) {
      return revokeDevice(pki, why, next);
    }
    Optional<PkiRevocation.Revoked> already = PkiCommand.guard(() -> pki.alreadyRevoked(name));
    if (already.isPresent()) {
      out.println(
          name
              + " is already revoked: since "
              + already.get().at()
              + " ("
              + already.get().reason()
              + ")."
              + " Nothing changed: "
              + dir.layout().crl()
              + " was left as it is.");
      out.println(
          "To give "
              + name
              + " new certificates: ./ztchat pki issue "
              + name
              + " --dir "
              + dir.layout().root()
              + " --force");
      out.flush();
      return 0;
    }
    X509CRL crl = PkiCommand.guard(() -> pki.revoke(name, why, next));
    out.println(
        "revoked "
            + name
            + "'s signing and encryption certificates"
            + (dir.layout().hasDevice(name) ? " and device certificate" : "")
            + " ("
            + why.cliName()
            + ")");
    out.println(PkiCommand.wroteCrl(dir.layout().crl(), crl));
    out.println(
        "Check it: openssl crl -in "
            + dir.layout().crl()
            + " -CAfile "
            + dir.layout().caCertificate()
            + " -noout -text");
    out.flush();
    return 0;
  }

  private int revokeDevice(PkiRevocation pki, RevocationReason why, Duration next) {
    PrintWriter out = spec.commandLine().getOut();
    Optional<PkiRevocation.Revoked> already =
        PkiCommand.guard(() -> pki.alreadyRevoked(name, device));
    if (already.isPresent()) {
      out.println(
          "device "
              + device
              + " of "
              + name
              + " is already revoked: since "
              + already.get().at()
              + " ("
              + already.get().reason()
              + "). Nothing changed: "
              + dir.layout().crl()
              + " was left as it is.");
      out.flush();
      return 0;
    }
    X509CRL crl = PkiCommand.guard(() -> pki.revoke(name, device, why, next));
    out.println(
        "revoked the certificate of "
            + name
            + "'s device "
            + device
            + " ("
            + why.cliName()
            + "); "
            + name
            + "'s other devices keep working");
    out.println(PkiCommand.wroteCrl(dir.layout().crl(), crl));
    out.flush();
    return 0;
  }
}
