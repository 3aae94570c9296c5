package dev.ztchat.core.pki;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.remedy.Remedy;
import java.util.Optional;

/**
 * Something the operator should read after a PKI step that succeeded, and the step that helps if
 * there is one (worded by the front end).
 */
public record PkiWarning(String text, Optional<Remedy> remedy) {
  public PkiWarning {
    requireNonNull(text, "text");
    requireNonNull(remedy, "remedy");
  }

  static PkiWarning of(String text) {
    return new PkiWarning(text, Optional.empty());
  }

  @Override
  public String toString() {
    return text;
  }
}
