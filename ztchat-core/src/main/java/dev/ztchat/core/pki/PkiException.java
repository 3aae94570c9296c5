package dev.ztchat.core.pki;

import dev.ztchat.core.remedy.HasRemedy;
import dev.ztchat.core.remedy.Remedy;
import java.util.Optional;

/**
 * A PKI administration step cannot go ahead in the certs folder as it is (a CA already exists, the
 * CA key is missing, a user is unknown...). The message names the file; {@link #remedy()} says
 * which step helps, for the front end to word.
 */
public final class PkiException extends Exception implements HasRemedy {
  private static final long serialVersionUID = 1L;

  private final transient Remedy remedy;

  public PkiException(String message) {
    this(message, null);
  }

  public PkiException(String message, Remedy remedy) {
    super(message);
    this.remedy = remedy;
  }

  @Override
  public Optional<Remedy> remedy() {
    return Optional.ofNullable(remedy);
  }
}
