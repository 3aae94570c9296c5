package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Sends the envelopes of one group message in order (docs/v2/groups.md section 7.1). When the relay
 * refuses one as sealed to a stale device set, the device sets are refreshed and the persons of
 * that envelope and of the ones after it are sealed again under the same message id (the envelopes
 * before it are stored already, for other persons), at most {@link OutgoingMessages#STALE_ROUNDS}
 * times per message.
 */
final class GroupDelivery {
  /** Where the envelopes are kept durably before they are sent (or sent again). */
  interface Keep {
    void parts(List<V2Envelope> parts) throws IOException;
  }

  /** The content to seal again: built when needed (a group text from my current state). */
  interface Content {
    MessageContent get() throws IOException, OutgoingMessages.NotAMemberException;
  }

  private final V2Sending v2;

  GroupDelivery(V2Sending v2) {
    this.v2 = requireNonNull(v2, "v2");
  }

  /**
   * Sends {@code parts} to {@code conn} and returns every part's per-recipient results, in order.
   *
   * @throws RelayConnection.RelayException when the relay refused a part; {@code stale_devices}
   *     when it refused its device set too often (the parts kept may be sent again later)
   * @throws IOException when the connection failed: the caller cannot tell what was stored
   * @throws PeerKeysWithheldException when a part sealed again cannot be sealed now
   */
  List<Frame.Delivery> send(
      RelayConnection conn, String shown, List<V2Envelope> parts, Content content, Keep keep)
      throws IOException,
          UntrustedContactException,
          MessageTooLongException,
          OutgoingMessages.NotAMemberException {
    return send(conn, shown, parts, content, keep, false).results();
  }

  /** A group text's results, and the members it did not reach although others got it. */
  record Sent(List<Frame.Delivery> results, Optional<GroupShortfall> shortfall) {}

  /**
   * As {@link #send(RelayConnection, String, List, Content, Keep)} for a group text or one of my
   * changes, which may reach some members only (docs/v2/groups.md sections 7.1, item 9, and 7.2): a
   * part refused after earlier ones were stored, and the members of any part whose mailbox was
   * full, make a {@link GroupShortfall} instead of an exception; the full members are sealed again
   * (same message id, to them alone) so that sending the shortfall's parts again reaches only them.
   */
  Sent sendText(
      RelayConnection conn, String shown, List<V2Envelope> parts, Content content, Keep keep)
      throws IOException,
          UntrustedContactException,
          MessageTooLongException,
          OutgoingMessages.NotAMemberException {
    return send(conn, shown, parts, content, keep, true);
  }

  private Sent send(
      RelayConnection conn,
      String shown,
      List<V2Envelope> parts,
      Content content,
      Keep keep,
      boolean partial)
      throws IOException,
          UntrustedContactException,
          MessageTooLongException,
          OutgoingMessages.NotAMemberException {
    List<V2Envelope> todo = new ArrayList<>(parts);
    List<Frame.Delivery> results = new ArrayList<>();
    Set<String> full = new TreeSet<>();
    int round = 1;
    for (int i = 0; i < todo.size(); ) {
      V2Envelope part = todo.get(i);
      try {
        Frame.Sent sent =
            OutgoingMessages.deliver(conn, part.encode(), conn.nextRef(), v2.announcedPart(part));
        results.addAll(sent.results());
        full.addAll(GroupShortfall.full(part, sent.results()));
        i++;
      } catch (RelayConnection.RelayException e) {
        if (e.code() != ErrorCode.STALE_DEVICES) {
          if (!partial || i == 0) {
            throw e; // nothing of it was stored
          }
          return refusedAfter(todo.subList(i, todo.size()), results, full, e, content);
        }
        try {
          OutgoingMessages.staleRefused(v2, shown, e, round++);
        } catch (RelayConnection.RelayException gaveUp) {
          throw gaveUp;
        } catch (IOException gaveUp) {
          throw new RelayConnection.RelayException(ErrorCode.STALE_DEVICES, gaveUp.getMessage());
        }
        List<V2Envelope> resealed = reseal(todo.subList(i, todo.size()), i == 0, content);
        List<V2Envelope> next = new ArrayList<>(todo.subList(0, i));
        next.addAll(resealed);
        if (next.isEmpty()) {
          return new Sent(results, Optional.empty());
        }
        keep.parts(next);
        todo = next;
      }
    }
    List<String> unknown = GroupShortfall.unknown(results);
    if (!partial
        || (full.isEmpty() && unknown.isEmpty())
        || results.stream().noneMatch(d -> d.status().accepted())) {
      return new Sent(results, Optional.empty()); // all stored, or none (the outbox keeps it)
    }
    // The full members go again, alone; those the relay does not know would be answered the same.
    List<V2Envelope> again =
        full.isEmpty() ? List.of() : resealFor(full, todo.getFirst(), true, content);
    Set<String> persons = new TreeSet<>(full);
    persons.addAll(unknown);
    return new Sent(
        results,
        Optional.of(
            new GroupShortfall(
                again, List.copyOf(persons), reason(full, unknown), !full.isEmpty())));
  }

  /** Why the members {@code full} and {@code unknown} were not reached, for the user. */
  private static String reason(Set<String> full, List<String> unknown) {
    if (unknown.isEmpty()) {
      return GroupShortfall.MAILBOX_FULL;
    }
    if (full.isEmpty()) {
      return GroupShortfall.UNKNOWN_TO_SERVER;
    }
    return GroupShortfall.MAILBOX_FULL
        + ": "
        + String.join(", ", full)
        + "; "
        + GroupShortfall.UNKNOWN_TO_SERVER
        + ": "
        + String.join(", ", unknown);
  }

  /**
   * The shortfall of a text whose part {@code unsent.getFirst()} the relay refused with {@code e}
   * after earlier parts were stored: those parts and the full members go again when the refusal may
   * pass, else nothing goes again.
   */
  private Sent refusedAfter(
      List<V2Envelope> unsent,
      List<Frame.Delivery> results,
      Set<String> full,
      RelayConnection.RelayException e,
      Content content)
      throws IOException,
          UntrustedContactException,
          MessageTooLongException,
          OutgoingMessages.NotAMemberException {
    Set<String> persons = new TreeSet<>(full);
    persons.addAll(GroupShortfall.unknown(results));
    unsent.forEach(p -> persons.addAll(p.prefix().recipients()));
    boolean retry = GroupShortfall.retryable(e.code());
    List<V2Envelope> again = new ArrayList<>();
    if (retry) {
      if (!full.isEmpty()) {
        again.addAll(resealFor(full, unsent.getFirst(), true, content));
      }
      again.addAll(unsent);
    }
    String reason = "the server refused part of it: " + e.getMessage();
    return new Sent(
        results, Optional.of(new GroupShortfall(again, List.copyOf(persons), reason, retry)));
  }

  /**
   * {@code persons} (my name: my other devices) sealed again under {@code like}'s message id, as
   * parts of a split message when {@code asParts}. A change's record made by sealing again is not
   * kept: the one made when it was first sealed proves the change as well.
   */
  private List<V2Envelope> resealFor(
      Set<String> persons, V2Envelope like, boolean asParts, Content content)
      throws IOException,
          UntrustedContactException,
          MessageTooLongException,
          OutgoingMessages.NotAMemberException {
    Set<String> others = new LinkedHashSet<>(persons);
    boolean own = others.remove(like.prefix().sender());
    byte[] id = HexFormat.of().parseHex(like.prefix().messageIdHex());
    V2Sending.SealedGroup again =
        sealed(v2.chooseGroup(List.copyOf(others), own, content.get(), id, asParts));
    again.destroyRecord();
    return again.parts();
  }

  /**
   * The persons {@code refused} were sealed to, sealed again under their message id; from the
   * {@code first} part on (nothing of the message was stored), my other devices too, as they are
   * now: the first part carries their copy (docs/v2/groups.md section 7.1, item 3), and the refusal
   * may just have revealed one of them, which then gets the message after the group's changes
   * forwarded to it (section 6.6).
   */
  private List<V2Envelope> reseal(List<V2Envelope> refused, boolean first, Content content)
      throws IOException,
          UntrustedContactException,
          MessageTooLongException,
          OutgoingMessages.NotAMemberException {
    Set<String> persons = new LinkedHashSet<>();
    V2Envelope like = refused.getFirst();
    if (first) {
      persons.add(like.prefix().sender());
    }
    refused.forEach(p -> persons.addAll(p.prefix().recipients()));
    return resealFor(persons, like, !first, content);
  }

  private static V2Sending.SealedGroup sealed(V2Sending.Choice choice)
      throws PeerKeysWithheldException {
    if (choice instanceof V2Sending.SealedGroup g) {
      return g;
    }
    throw new PeerKeysWithheldException(
        choice instanceof V2Sending.Withheld w
            ? w.explanation()
            : "group messages are sent in version 2 only");
  }
}
