package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import java.util.List;
import java.util.TreeSet;

/**
 * The members a group text did not reach although the relay stored it for others (docs/v2/groups.md
 * section 7.1, item 9): the parts to send again, or none when sending again cannot help, and why.
 *
 * @param unsent the parts not stored for some or all of the persons they name, in order
 * @param persons the members (and my own name, for my other devices) those parts did not reach
 * @param reason what the relay said, for the user
 * @param retry whether the parts stay in the outbox and go again on a later flush
 */
record GroupShortfall(List<V2Envelope> unsent, List<String> persons, String reason, boolean retry) {
  GroupShortfall {
    unsent = List.copyOf(unsent);
    persons = List.copyOf(persons);
    requireNonNull(reason, "reason");
  }

  /** The reason given for members whose mailbox at the relay is full. */
  static final String MAILBOX_FULL = "their mailbox on the server is full";

  /**
   * Whether a part refused with {@code code} is worth sending again later: the relay was busy or
   * limited this sender's rate; anything else (a malformed or refused envelope, an unknown user)
   * would be refused again.
   */
  static boolean retryable(ErrorCode code) {
    return code == ErrorCode.RATE_LIMITED || code == ErrorCode.INTERNAL;
  }

  /**
   * The reason given for members the relay answered {@code unknown} for: its directory has no
   * certificate for them (it never saw them, or its store was replaced), so it stored nothing for
   * them, and sending again would be answered the same.
   */
  static final String UNKNOWN_TO_SERVER = "the server does not know them";

  /** The persons whose status in {@code results} is unknown: the relay stored nothing for them. */
  static List<String> unknown(List<Frame.Delivery> results) {
    TreeSet<String> out = new TreeSet<>();
    for (Frame.Delivery d : results) {
      if (d.status() == DeliveryStatus.UNKNOWN) {
        out.add(d.user());
      }
    }
    return List.copyOf(out);
  }

  /** The persons {@code part} names whose status in {@code results} is full. */
  static List<String> full(V2Envelope part, List<Frame.Delivery> results) {
    TreeSet<String> out = new TreeSet<>();
    for (Frame.Delivery d : results) {
      if (d.status() == DeliveryStatus.FULL && part.prefix().recipients().contains(d.user())) {
        out.add(d.user());
      }
    }
    return List.copyOf(out);
  }

  /** What the user is told: which members the message did not reach, why, and what happens next. */
  String explanation() {
    return notReached("message")
        + (retry
            ? "it is sent to them again when you next send or reconnect."
            : "it will not be sent to them: send it again to them directly if it matters.");
  }

  /**
   * What the user is told of a change of theirs (docs/v2/groups.md section 7.2): it was made, since
   * members have it, and whom it did not reach, why, and what happens next.
   */
  String changeExplanation() {
    return notReached("change")
        + (retry
            ? "it was made, and is sent to them again, before your later messages to the group,"
                + " when you next send or reconnect."
            : "it was made, since the others have it, but will not be sent to them: they keep"
                + " the member list they had, which you are told of when they next write.");
  }

  private String notReached(String what) {
    return "your "
        + what
        + " reached some members but not "
        + String.join(", ", persons)
        + " ("
        + reason
        + "); ";
  }
}
