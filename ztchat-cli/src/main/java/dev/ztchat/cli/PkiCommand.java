package dev.ztchat.cli;

import dev.ztchat.core.pki.CrlIssuer;
import dev.ztchat.core.pki.PkiException;
import dev.ztchat.core.pki.PkiFile;
import dev.ztchat.core.pki.PkiResult;
import dev.ztchat.core.pki.PkiWarning;
import dev.ztchat.terminal.RemedyText;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ztchat pki}: issue and inspect the organisation's certificates. The subcommands parse
 * their options and delegate to {@link dev.ztchat.core.pki.PkiAdmin}, {@link
 * dev.ztchat.core.pki.PkiExport} and {@link dev.ztchat.core.pki.PkiListing}; this class holds what
 * they share: turning failures into one actionable line, and printing what was written.
 */
@Command(
    name = "pki",
    description =
        "Issue and inspect certificates (root CA, server, users); docs/PKI.md explains each step.",
    subcommands = {
      PkiInitCommand.class,
      PkiIssueCommand.class,
      PkiListCommand.class,
      PkiExportCommand.class,
      PkiExportServerCommand.class,
      PkiRevokeCommand.class,
      PkiRenewCommand.class,
      PkiCrlCommand.class
    })
final class PkiCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "choose a subcommand: init, issue, list, export, export-server, revoke, renew or crl (see"
            + " ztchat pki --help)");
  }

  /** One step of PKI administration, as the core runs it. */
  interface Step<T> {
    T run() throws IOException, PkiException;
  }

  /** The line that tells where a new CRL was written, its number and its next update. */
  static String wroteCrl(Path file, X509CRL crl) {
    return "wrote "
        + file
        + " (CRL number "
        + CrlIssuer.crlNumber(crl)
        + ", next update "
        + crl.getNextUpdate().toInstant()
        + ")";
  }

  /** Runs a core step, turning its failures into a {@link UserError} with one actionable line. */
  static <T> T guard(Step<T> step) {
    try {
      return step.run();
    } catch (PkiException | IllegalArgumentException e) {
      throw new UserError(RemedyText.explain(e));
    } catch (IOException e) {
      throw new UserError(describe(e));
    }
  }

  /** Says what went wrong with a file in words, where the JDK's message is only a path. */
  static String describe(IOException e) {
    return switch (e) {
      case AccessDeniedException a -> a.getFile() + ": permission denied";
      case NoSuchFileException n -> n.getFile() + ": not found";
      case FileAlreadyExistsException f -> f.getFile() + " already exists";
      case NotDirectoryException d -> d.getFile() + " is not a directory";
      case FileSystemException f -> f.getMessage();
      default -> e.getMessage() == null ? e.toString() : e.getMessage();
    };
  }

  /**
   * Prints each written file relative to {@code root}, marking private keys, with who gets it; then
   * the warnings, to stderr.
   */
  static void printWritten(PrintWriter out, PrintWriter err, Path root, PkiResult result) {
    out.println("wrote " + result.written().size() + " files in " + root + ":");
    int width = 0;
    for (PkiFile file : result.written()) {
      width = Math.max(width, relative(root, file).length());
    }
    for (PkiFile file : result.written()) {
      out.printf(
          "  %-" + width + "s  %-6s %-36s -> %s%n",
          relative(root, file),
          file.secret() ? "(0600)" : "",
          file.holds(),
          file.upkeep().map(r -> file.goesTo() + "; " + RemedyText.words(r)).orElse(file.goesTo()));
    }
    for (PkiWarning warning : result.warnings()) {
      err.println("warning: " + RemedyText.withRemedy(warning.text(), warning.remedy()));
    }
    out.flush();
    err.flush();
  }

  private static String relative(Path root, PkiFile file) {
    return root.relativize(file.path()).toString();
  }
}
