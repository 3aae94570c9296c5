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

/** {@code ztchat pki export-server --out DIR}: what the relay needs, and nothing it does not. */
@Command(
    name = "export-server",
    description = {
      "Write the bundle the relay server needs.",
      "DIR gets ca.crt, server.{crt,key} and every user's public certificates"
          + " users/NAME/*.crt (for the directory); never ca.key, never a user's private key."
    })
final class PkiExportServerCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin PkiDirOption dir;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      required = true,
      description = "Where to write the bundle (new or empty directory).")
  Path outDir;

  @Option(names = "--force", description = "Write into a non-empty DIR, replacing files.")
  boolean force;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    PkiExport export = new PkiExport(dir.layout(), Clock.systemUTC());
    PkiResult result = PkiCommand.guard(() -> export.exportServer(outDir, force));
    PkiCommand.printWritten(out, err, outDir, result);
    out.println();
    out.println(
        "Copy "
            + outDir
            + " to the relay host and use it as the server's certs folder"
            + " (export again after issuing new users).");
    out.flush();
    return 0;
  }
}
