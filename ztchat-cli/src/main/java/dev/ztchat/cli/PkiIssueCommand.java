package dev.ztchat.cli;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.PkiAdmin;
import dev.ztchat.core.pki.PkiResult;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ztchat pki issue NAME}: a new user identity signed by the existing CA. */
@Command(
    name = "issue",
    description = {
      "Issue a new user identity signed by the CA.",
      "A signing and an encryption certificate (RSA, protocol v1) and a device certificate"
          + " (ECDSA P-256, protocol v2) with their keys, in users/NAME/.",
      "Needs the CA's private key (ca.key) in the certs folder."
    })
final class PkiIssueCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin PkiDirOption dir;

  @Parameters(
      index = "0",
      paramLabel = "NAME",
      description = "The user name: 1 to 32 characters from a-z 0-9 . _ -")
  String name;

  @Option(
      names = "--key-size",
      paramLabel = "BITS",
      defaultValue = "" + CertificateIssuer.DEFAULT_KEY_BITS,
      description = "RSA key size (default: ${DEFAULT-VALUE}; at least 2048).")
  int keyBits;

  @Option(
      names = "--days",
      paramLabel = "N",
      defaultValue = "" + PkiAdmin.DEFAULT_DAYS,
      description = "Lifetime of the certificates in days (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(names = "--force", description = "Replace the user's existing identity.")
  boolean force;

  @Option(
      names = "--v1-only",
      description = "No device certificate: the user speaks protocol v1 only (RSA keys).")
  boolean v1Only;

  @Option(
      names = "--add-device",
      description =
          "Give an existing user a device certificate (protocol v2) and leave the RSA keys as"
              + " they are.")
  boolean addDevice;

  @Option(
      names = "--device",
      paramLabel = "DEVICE",
      description =
          "Issue a device certificate for the device DEVICE (laptop, phone, ...) of the person"
              + " NAME, in users/NAME/devices/DEVICE/; a person may have several. A new person"
              + " also gets the RSA keys; an existing person's other files are left as they are.")
  String device;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    CertsLayout layout = dir.layout();
    PkiAdmin admin = new PkiAdmin(layout, Clock.systemUTC(), err::println);
    if (addDevice && (v1Only || force)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--add-device cannot be combined with "
              + (v1Only ? "--v1-only" : "--force")
              + ": it only adds a device certificate to an existing user");
    }
    if (device != null && (addDevice || v1Only || force)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--device cannot be combined with "
              + (addDevice ? "--add-device" : v1Only ? "--v1-only" : "--force")
              + ": it adds one device certificate to a new or existing person");
    }
    PkiResult result =
        PkiCommand.guard(
            () ->
                device != null
                    ? admin.issueDevice(name, device, keyBits, days)
                    : addDevice
                        ? admin.addDevice(name, days)
                        : admin.issue(name, keyBits, days, force, !v1Only));
    PkiCommand.printWritten(out, err, layout.root(), result);
    out.println();
    if (device != null) {
      out.println(
          "Next: give the files of device "
              + device
              + " (users/"
              + name
              + "/devices/"
              + device
              + "/) to that device only, re-run export-server so the relay knows it, and start"
              + " the client there with --device "
              + device
              + ".");
      out.flush();
      return 0;
    }
    out.println(
        "Next: ./ztchat pki export "
            + name
            + " --dir "
            + layout.root()
            + " --out "
            + name
            + "-bundle (for "
            + name
            + "), and re-run export-server so the relay's directory knows "
            + name
            + ".");
    out.flush();
    return 0;
  }
}
