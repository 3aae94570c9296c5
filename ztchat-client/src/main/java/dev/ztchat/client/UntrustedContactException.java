package dev.ztchat.client;

import dev.ztchat.core.remedy.HasRemedy;
import dev.ztchat.core.remedy.Remedy;
import java.util.Optional;

/** A contact's certificates could not be found or verified; nothing was sent. */
public class UntrustedContactException extends Exception implements HasRemedy {
  private final transient Remedy remedy;

  public UntrustedContactException(String message) {
    this(message, null);
  }

  UntrustedContactException(String message, Remedy remedy) {
    super(message);
    this.remedy = remedy;
  }

  @Override
  public Optional<Remedy> remedy() {
    return Optional.ofNullable(remedy);
  }
}
