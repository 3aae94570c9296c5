package dev.ztchat.cli;

import dev.ztchat.core.pki.CertsLayout;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options every {@code pki} subcommand shares: {@code --dir}, the certs folder to work on, and
 * {@code --help}.
 */
final class PkiDirOption {
  @Option(
      names = "--dir",
      paramLabel = "DIR",
      defaultValue = "certs",
      description = "The certs folder (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  CertsLayout layout() {
    return new CertsLayout(dir);
  }
}
