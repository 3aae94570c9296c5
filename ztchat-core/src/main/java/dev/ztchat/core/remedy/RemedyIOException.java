package dev.ztchat.core.remedy;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.Optional;

/** An I/O failure the local user can do something about; the front end words {@link #remedy()}. */
public class RemedyIOException extends IOException implements HasRemedy {
  private static final long serialVersionUID = 1L;

  private final transient Remedy remedy;

  public RemedyIOException(String message, Remedy remedy, Throwable cause) {
    super(message, cause);
    this.remedy = requireNonNull(remedy, "remedy");
  }

  @Override
  public Optional<Remedy> remedy() {
    return Optional.of(remedy);
  }
}
