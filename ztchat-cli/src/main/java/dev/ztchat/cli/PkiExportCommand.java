package dev.ztchat.cli;

import dev.ztchat.core.pki.PkiExport;
import dev.ztchat.core.pki.PkiResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ztchat pki export NAME --out DIR}: the bundle one user needs, as a certs folder. */
@Command(
    name = "export",
    description = {
      "Write the bundle one user needs.",
      "DIR gets ca.crt and users/NAME/{signing,encryption}.{crt,key} (keys mode 0600), so it"
          + " works as that user's certs folder (ztchat client --certs DIR)."
    })
final class PkiExportCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin PkiDirOption dir;

  @Parameters(index = "0", paramLabel = "NAME", description = "The user to export.")
  String name;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      required = true,
      description = "Where to write the bundle (new or empty directory).")
  Path outDir;

  @Option(
      names = "--device",
      paramLabel = "DEVICE",
      description =
          "Put only this device's key in the bundle (for that device; without it the bundle holds"
              + " every device of NAME).")
  String device;

  @Option(names = "--force", description = "Write into a non-empty DIR, replacing files.")
  boolean force;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    PkiExport export = new PkiExport(dir.layout(), Clock.systemUTC());
    PkiResult result = PkiCommand.guard(() -> export.exportUser(name, device, outDir, force));
    PkiCommand.printWritten(out, err, outDir, result);
    out.println();
    out.println(
        "Give "
            + outDir
            + " to "
            + name
            + " only, over a channel you trust: it holds "
            + name
            + "'s private keys. "
            + name
            + " then runs: ./ztchat client --certs "
            + outDir
            + (device == null ? "" : " --device " + device));
    out.flush();
    return 0;
  }
}
