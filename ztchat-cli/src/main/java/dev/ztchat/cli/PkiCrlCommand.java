package dev.ztchat.cli;

import dev.ztchat.core.pki.PkiRevocation;
import java.io.PrintWriter;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ztchat pki crl}: re-issue the CRL before it runs out (clients refuse a stale one). */
@Command(
    name = "crl",
    description = {
      "Re-issue the CA's revocation list with a new next-update date.",
      "Clients refuse to start conversations with new contacts once it is out of date: run this"
          + " weekly."
    })
final class PkiCrlCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin PkiDirOption dir;

  @Option(
      names = "--crl-days",
      defaultValue = "7",
      description = "Days until the CRL must be re-issued (default: ${DEFAULT-VALUE}).")
  int crlDays;

  static Duration checkCrlDays(int days) {
    if (days < 1 || days > 366) {
      throw new UserError("--crl-days " + days + " is out of range: use 1 to 366", 2);
    }
    return Duration.ofDays(days);
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PkiRevocation pki =
        new PkiRevocation(dir.layout(), Clock.systemUTC(), spec.commandLine().getErr()::println);
    X509CRL crl = PkiCommand.guard(() -> pki.refresh(checkCrlDays(crlDays)));
    out.println(PkiCommand.wroteCrl(dir.layout().crl(), crl));
    out.flush();
    return 0;
  }
}
