package dev.ztchat.cli;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.PkiAdmin;
import dev.ztchat.core.pki.PkiResult;
import dev.ztchat.core.pki.PkiRevocation;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ztchat pki renew NAME}: new keys and certificates; the old ones are revoked as superseded.
 */
@Command(
    name = "renew",
    description = {
      "Issue new keys and certificates for a user; the old ones are revoked as superseded and kept"
          + " in users/NAME/previous/ so the owner can still read old messages.",
      "Contacts see a key-change notice. With --device, only that device is renewed."
    })
final class PkiRenewCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin PkiDirOption dir;

  @Parameters(index = "0", paramLabel = "NAME", description = "The user to renew.")
  String name;

  @Option(
      names = "--key-size",
      paramLabel = "BITS",
      defaultValue = "" + CertificateIssuer.DEFAULT_KEY_BITS,
      description = "RSA key size (default: ${DEFAULT-VALUE}).")
  int keyBits;

  @Option(
      names = "--days",
      paramLabel = "N",
      defaultValue = "" + PkiAdmin.DEFAULT_DAYS,
      description = "Lifetime of the new certificates in days (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(
      names = "--device",
      paramLabel = "DEVICE",
      description =
          "Renew only this device's certificate and key (the old one is revoked as superseded);"
              + " the person's other devices and RSA certificates keep working.")
  String device;

  @Option(
      names = "--crl-days",
      defaultValue = "7",
      description = "Days until the CRL must be re-issued (default: ${DEFAULT-VALUE}).")
  int crlDays;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    PkiRevocation pki = new PkiRevocation(dir.layout(), Clock.systemUTC(), err::println);
    if (device != null) {
      return renewDevice(pki, out, err);
    }
    PkiResult result =
        PkiCommand.guard(() -> pki.renew(name, keyBits, days, PkiCrlCommand.checkCrlDays(crlDays)));
    PkiCommand.printWritten(out, err, dir.layout().root(), result);
    out.println();
    out.println(
        "Next: give "
            + name
            + " the new bundle (./ztchat pki export "
            + name
            + " --out DIR --force);"
            + " contacts are shown the new fingerprint and must accept it.");
    out.flush();
    return 0;
  }

  private int renewDevice(PkiRevocation pki, PrintWriter out, PrintWriter err) {
    PkiResult result =
        PkiCommand.guard(
            () -> pki.renewDevice(name, device, days, PkiCrlCommand.checkCrlDays(crlDays)));
    PkiCommand.printWritten(out, err, dir.layout().root(), result);
    out.println();
    out.println(
        "Next: put the new files on "
            + name
            + "'s device "
            + device
            + " (./ztchat pki export "
            + name
            + " --device "
            + device
            + " --out DIR --force) and restart its client; "
            + name
            + "'s other devices keep working. Contacts are shown the renewed device as a new"
            + " device of "
            + name
            + ", with its fingerprint, and must accept it.");
    out.flush();
    return 0;
  }
}
