package dev.ztchat.core.pki;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * One file a {@link PkiAdmin} or {@link PkiExport} step wrote: what it holds and who should get a
 * copy in a real deployment. Never carries the file's contents.
 *
 * @param path where the file was written
 * @param holds what is in it, e.g. "root CA certificate"
 * @param goesTo who should receive it, e.g. "the server" or "alice only"
 * @param secret true for private keys (written with mode 0600)
 */
public record PkiFile(Path path, String holds, String goesTo, boolean secret) {
  public PkiFile {
    requireNonNull(path, "path");
    requireNonNull(holds, "holds");
    requireNonNull(goesTo, "goesTo");
  }
}
