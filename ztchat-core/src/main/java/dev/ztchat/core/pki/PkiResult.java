package dev.ztchat.core.pki;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What a PKI administration step did: the files it wrote, in order, and warnings the operator
 * should read (a stale user left behind by a new CA, a certificate shortened to the CA's expiry).
 */
public record PkiResult(List<PkiFile> written, List<PkiWarning> warnings) {
  public PkiResult {
    written = List.copyOf(requireNonNull(written, "written"));
    warnings = List.copyOf(requireNonNull(warnings, "warnings"));
  }
}
