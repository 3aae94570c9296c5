package dev.ztchat.core.group;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.IdentityName;

/**
 * A group change with its author: the verified sender of the envelope that carried it (never a
 * field of the change itself).
 */
public record AuthoredChange(String author, GroupChange change) {
  public AuthoredChange {
    IdentityName.validate(author);
    requireNonNull(change, "change");
  }
}
