package dev.ztchat.core.pki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509CRL;

/**
 * Reads and writes {@code ca.crl}; writes replace the file atomically, so a reader never sees half
 * a list.
 */
public final class CrlFiles {
  private CrlFiles() {}

  /** The CRL in {@code file}, or null if there is none. */
  public static X509CRL read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    return PemFiles.parseCrl(Files.readString(file, StandardCharsets.US_ASCII));
  }

  public static void write(Path file, X509CRL crl) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, PemFiles.toPem(crl), StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
