package dev.ztchat.core.remedy;

import java.util.Optional;

/**
 * A failure that knows what the local user can do about it. Its message says what happened; a front
 * end words {@link #remedy()} after it.
 */
public interface HasRemedy {
  /** The step that helps, if there is one the user can take. */
  Optional<Remedy> remedy();

  /** The remedy of {@code failure} or of the first of its causes that has one. */
  static Optional<Remedy> of(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof HasRemedy r && r.remedy().isPresent()) {
        return r.remedy();
      }
    }
    return Optional.empty();
  }
}
