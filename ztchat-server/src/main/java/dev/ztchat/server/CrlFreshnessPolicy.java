package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the relay does when the CA's revocation list in use passes its next-update, and how early it
 * warns. Fail-closed by default: a stale list can no longer say who was revoked since, so new
 * connections are refused (existing ones stay) until a fresh list is published and reloaded. {@link
 * WhenStale#WARN} keeps accepting and logs an error every hour instead. Either way the relay warns
 * {@link #warnBefore()} ahead, and /metrics carries the time left, so it never happens silently.
 */
public final class CrlFreshnessPolicy {
  private static final Logger LOG = LoggerFactory.getLogger(CrlFreshnessPolicy.class);

  /** How long before the next-update the relay starts warning by default. */
  public static final Duration DEFAULT_WARN_BEFORE = Duration.ofDays(3);

  private static final Duration REPEAT = Duration.ofHours(1);

  /** What happens to new connections once the list is stale. */
  public enum WhenStale {
    /** Refuse new connections (the default). */
    FAIL_CLOSED,
    /** Keep accepting, logging an error every hour. */
    WARN
  }

  private volatile WhenStale whenStale = WhenStale.FAIL_CLOSED;
  private volatile Duration warnBefore = DEFAULT_WARN_BEFORE;
  private Instant lastWarned = Instant.MIN; // guarded by this
  private String lastTold = ""; // what lastWarned was about (guarded by this)

  /** Fail-closed, warning {@link #DEFAULT_WARN_BEFORE} ahead. */
  public CrlFreshnessPolicy() {}

  /** Sets the policy (the relay's configuration). */
  public void set(WhenStale whenStale, Duration warnBefore) {
    this.whenStale = requireNonNull(whenStale, "whenStale");
    requireNonNull(warnBefore, "warnBefore");
    if (warnBefore.isNegative()) {
      throw new IllegalArgumentException("--crl-warn-before must not be negative");
    }
    this.warnBefore = warnBefore;
  }

  public WhenStale whenStale() {
    return whenStale;
  }

  public Duration warnBefore() {
    return warnBefore;
  }

  /** True when {@code crl} is past its next-update at {@code now} (false without a list). */
  public static boolean isStale(X509CRL crl, Instant now) {
    return crl != null && !now.isBefore(crl.getNextUpdate().toInstant());
  }

  /** Why new connections are refused now, or null when they are not. */
  String refusal(X509CRL crl, Instant now) {
    if (whenStale == WhenStale.FAIL_CLOSED && isStale(crl, now)) {
      return "the relay's revocation list is stale (next update was "
          + crl.getNextUpdate().toInstant()
          + ")";
    }
    return null;
  }

  /**
   * Logs a warning when {@code crl} will be stale within {@link #warnBefore()}, an error once it
   * is; the same again at most once an hour, but at once when the list goes stale or another list
   * is loaded. Returns what it logged, or null.
   */
  synchronized String check(X509CRL crl, Instant now) {
    if (crl == null) {
      return null;
    }
    Instant next = crl.getNextUpdate().toInstant();
    String about = next + (isStale(crl, now) ? " stale" : " soon");
    if (about.equals(lastTold) && now.isBefore(lastWarned.plus(REPEAT))) {
      return null;
    }
    String line;
    if (!now.isBefore(next)) {
      line =
          "the revocation list is STALE since "
              + next
              + (whenStale == WhenStale.FAIL_CLOSED
                  ? ": new connections are refused"
                  : ": still accepting connections (--crl-when-stale warn)")
              + "; publish a new list (./ztchat pki crl) and reload the relay (SIGHUP)";
      LOG.error(line);
    } else if (!now.plus(warnBefore).isBefore(next)) {
      line =
          "the revocation list goes stale on "
              + next
              + " (in "
              + Duration.between(now, next).toHours()
              + " hours)"
              + (whenStale == WhenStale.FAIL_CLOSED ? "; then new connections are refused" : "")
              + ": publish a new list (./ztchat pki crl) before then";
      LOG.warn(line);
    } else {
      return null;
    }
    lastWarned = now;
    lastTold = about;
    return line;
  }
}
