package dev.ztchat.core.pki;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.remedy.Remedy;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One file a {@link PkiAdmin} or {@link PkiExport} step wrote: what it holds and who should get a
 * copy in a real deployment. Never carries the file's contents.
 *
 * @param path where the file was written
 * @param holds what is in it, e.g. "root CA certificate"
 * @param goesTo who should receive it, e.g. "the server" or "alice only"
 * @param secret true for private keys (written with mode 0600)
 * @param upkeep what the administrator must keep doing with the file (the CRL expires), if anything
 */
public record PkiFile(
    Path path, String holds, String goesTo, boolean secret, Optional<Remedy> upkeep) {
  public PkiFile {
    requireNonNull(path, "path");
    requireNonNull(holds, "holds");
    requireNonNull(goesTo, "goesTo");
    requireNonNull(upkeep, "upkeep");
  }

  /** A file that needs no upkeep. */
  public PkiFile(Path path, String holds, String goesTo, boolean secret) {
    this(path, holds, goesTo, secret, Optional.empty());
  }
}
