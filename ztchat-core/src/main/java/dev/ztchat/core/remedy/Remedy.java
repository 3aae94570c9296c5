package dev.ztchat.core.remedy;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.IdentityName;
import java.time.Duration;
import java.util.Optional;

/**
 * What the local user can do about a failure, as a value: the libraries say which step helps and
 * each front end words it (the command line names its commands and options, a web client its own
 * buttons). A library message says what happened; it never spells a command or a flag.
 *
 * @param kind the step that helps
 * @param subject the user the step is about (for {@link Kind#ISSUE_USER}, {@link Kind#REISSUE_USER}
 *     and {@link Kind#RENEW_USER}), otherwise empty
 * @param duration the length the step needs (for {@link Kind#LONGER_WINDOW}), otherwise empty
 */
public record Remedy(Kind kind, Optional<String> subject, Optional<Duration> duration) {
  /** The steps a front end words. */
  public enum Kind {
    /** There is no PKI yet: create the root CA, the server identity and the first users. */
    CREATE_PKI,
    /** The CA cannot be used any more: create a new one and re-issue every identity. */
    REPLACE_CA,
    /**
     * The server certificate is missing or invalid: issue a new one (a new PKI or server identity).
     */
    REISSUE_SERVER,
    /** The user has no identity: issue one. */
    ISSUE_USER,
    /** The user's identity is unusable: issue it again, replacing the old one. */
    REISSUE_USER,
    /**
     * The user's certificate was refused or expires soon: the administrator renews it and hands
     * over the new keys.
     */
    RENEW_USER,
    /** The revocation list is out of date: the administrator issues a fresh one. */
    ISSUE_CRL,
    /** The named user is not known: list the users of the CA. */
    LIST_USERS,
    /** A file already exists: run the step again allowing it to be replaced. */
    ALLOW_OVERWRITE,
    /** The certs folder given cannot be used: choose another. */
    OTHER_CERTS_FOLDER,
    /** The export target cannot be used: choose another folder. */
    OTHER_EXPORT_FOLDER,
    /** The export target is not empty: choose a new folder, or allow files in it to be replaced. */
    EMPTY_EXPORT_FOLDER,
    /**
     * A file the relay needs is missing: create the PKI, or point the relay at the folder that
     * holds it.
     */
    FIND_CERTS_FOLDER,
    /** The relay's port is taken: choose another port. */
    OTHER_PORT,
    /** The port for publishing the CRL is taken: choose another, or do not publish it. */
    OTHER_CRL_PORT,
    /** Nothing answers at the relay's address: start the relay (or check the address). */
    START_RELAY,
    /**
     * The client's acceptance window is shorter than the relay keeps messages: accept messages at
     * least {@link Remedy#duration()} old.
     */
    LONGER_WINDOW,
    /** The CA's revocation list expires in a week: the administrator issues it again, weekly. */
    REISSUE_CRL_WEEKLY
  }

  public Remedy {
    requireNonNull(kind, "kind");
    requireNonNull(subject, "subject");
    requireNonNull(duration, "duration");
    subject.ifPresent(IdentityName::validate);
    duration.ifPresent(
        d -> {
          if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("a remedy's duration must be positive: " + d);
          }
        });
  }

  /** A remedy about no user in particular. */
  public static Remedy of(Kind kind) {
    return new Remedy(kind, Optional.empty(), Optional.empty());
  }

  /** A remedy about the user {@code name} (a valid identity name). */
  public static Remedy forUser(Kind kind, String name) {
    return new Remedy(kind, Optional.of(name), Optional.empty());
  }

  /** A remedy that needs a length of time, e.g. a window at least {@code duration} long. */
  public static Remedy forDuration(Kind kind, Duration duration) {
    return new Remedy(kind, Optional.empty(), Optional.of(duration));
  }
}
