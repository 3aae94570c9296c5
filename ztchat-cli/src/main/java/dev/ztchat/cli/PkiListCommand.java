package dev.ztchat.cli;

import dev.ztchat.core.pki.PkiListing;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ztchat pki list}: one line per certificate with fingerprint, expiry and status. */
@Command(
    name = "list",
    description = {
      "List every certificate with its fingerprint, expiry and status.",
      "One line per certificate: name, role, SHA-256 fingerprint, expiry date (UTC), status"
          + " (valid, expires in N days, EXPIRED, NOT YET VALID, INVALID: reason)."
    })
final class PkiListCommand implements Callable<Integer> {
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin PkiDirOption dir;

  @Override
  public Integer call() {
    List<PkiListing.Entry> entries =
        PkiCommand.guard(() -> PkiListing.list(dir.layout(), Instant.now()));
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NAME", "ROLE", "SHA-256 FINGERPRINT", "EXPIRES", "STATUS"});
    for (PkiListing.Entry e : entries) {
      rows.add(
          new String[] {
            e.name(),
            e.role(),
            e.fingerprint() == null ? "-" : e.fingerprint(),
            e.notAfter() == null ? "-" : DATE.format(e.notAfter()),
            e.status()
          });
    }
    int[] widths = new int[4];
    for (String[] row : rows) {
      for (int i = 0; i < widths.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < widths.length; i++) {
        line.append(String.format("%-" + widths[i] + "s  ", row[i]));
      }
      out.println(line.append(row[4]));
    }
    out.flush();
    return 0;
  }
}
