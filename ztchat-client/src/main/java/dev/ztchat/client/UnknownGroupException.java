package dev.ztchat.client;

import java.util.List;

/** No group on this device fits the name the user gave (or several do). */
public final class UnknownGroupException extends Exception {
  private static final long serialVersionUID = 1L;

  UnknownGroupException(String ref, List<String> candidates) {
    super(
        candidates.isEmpty()
            ? "no group '"
                + ref
                + "' on this device: see the list of groups (group list), or ask a member"
                + " to add you"
            : "several groups are called '"
                + ref
                + "': say which one ("
                + String.join(", ", candidates)
                + ")");
  }
}
