package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class PkiCommandTest {
  /** What one in-process run of the CLI printed and returned. */
  record Run(int exit, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }

    List<String> outLines() {
      return out.lines().toList();
    }
  }

  /** Runs {@code ztchat args...} in-process through Main's command line, capturing its output. */
  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  /** {@code ztchat pki init --dir DIR --key-size 2048 extra...}: the quick PKI most tests need. */
  static Run init(Path dir, String... extra) {
    List<String> args =
        new ArrayList<>(List.of("pki", "init", "--dir", dir.toString(), "--key-size", "2048"));
    args.addAll(List.of(extra));
    return run(args.toArray(String[]::new));
  }

  @Test
  void pki_withoutSubcommand_namesTheSubcommandsAndExits2() {
    Run r = run("pki");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains(
            "choose a subcommand: init, issue, list, export, export-server, revoke, renew or crl")
        .contains("Try './ztchat pki --help'")
        .doesNotContain("Usage:");
  }

  @Test
  void pkiHelp_listsEverySubcommand() {
    Run r = run("pki", "--help");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("init", "issue", "list", "export", "export-server");
  }

  @Test
  void subcommandHelp_showsTheDefaults() {
    Run r = run("pki", "init", "--help");

    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains("--dir=DIR", "default: certs", "default: 3072", "default: alice,bob", "--san");
  }

  @Test
  void unknownOption_isAUsageError() {
    Run r = run("pki", "list", "--bogus");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown option: '--bogus'");
  }
}
