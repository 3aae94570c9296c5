package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.conversation.ForwardedChange;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.group.GroupChange;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.Frame;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Sends one of my group changes kept in the {@link Outbox} (docs/v2/groups.md section 7.2): sealed,
 * unless sealed before, to the members of the states before and after it and to my other devices,
 * in as many parts as it needs, then settled. A change the relay stored for some members only is
 * applied all the same (they have it): the parts for the others stay in the outbox when sending
 * them again can help (the relay was busy, or their mailbox full), else they are dropped, and the
 * user is told whom it did not reach (section 7.1, item 9, as for texts).
 *
 * <p>The record of a change sealed here is one of the envelopes it is sent in, its smallest, with
 * the content key it was sealed under (section 6.6): kept in the {@link GroupRecords} as soon as
 * the envelopes are kept in the outbox, since they are sent as those very bytes, and forgotten by
 * the caller when nothing of the change was stored. The key never enters the outbox.
 *
 * <p>Called under the outbox's flush lock.
 */
final class GroupChangeSending {
  private final Outbox outbox;
  private final V2Sending v2;
  private final GroupDelivery delivery;
  private final ChatListener listener;
  private final Supplier<String> me;

  /** Outbox rows whose shortfall the user was told of, with the message id; one notice each. */
  private final Map<Long, String> shortfallTold = new HashMap<>();

  /** Where the records of my changes are kept; none until set. */
  private volatile GroupRecords records;

  GroupChangeSending(
      Outbox outbox,
      V2Sending v2,
      GroupDelivery delivery,
      ChatListener listener,
      Supplier<String> me) {
    this.outbox = requireNonNull(outbox, "outbox");
    this.v2 = requireNonNull(v2, "v2");
    this.delivery = requireNonNull(delivery, "delivery");
    this.listener = requireNonNull(listener, "listener");
    this.me = requireNonNull(me, "me");
  }

  /** Keeps the records of the changes sealed from now on in {@code kept}. */
  void keepRecordsIn(GroupRecords kept) {
    this.records = requireNonNull(kept, "kept");
  }

  /**
   * What sending a change gave: its message id, every part's per-recipient results, and whether it
   * stays in the outbox (for members it did not reach yet, or for all of them).
   */
  record Result(String messageIdHex, List<Frame.Delivery> results, boolean waits) {}

  /**
   * Seals (unless sealed before) and sends the waiting change {@code p}, shown to the user as
   * {@code shown}, and settles its outbox row.
   *
   * @throws RelayConnection.RelayException when the relay refused its first part (nothing of it was
   *     stored); {@code stale_devices} when it refused its devices too often (the row stays)
   * @throws IOException when the connection failed: the row stays, to be sent as the same bytes
   * @throws PeerKeysWithheldException when a member has no version-2 keys now: the row stays
   */
  Result send(RelayConnection conn, PendingMessage p, GroupChange change, String shown)
      throws IOException, UntrustedContactException, MessageTooLongException {
    MessageContent content = MessageContent.groupChange(change);
    List<V2Envelope> parts = p.sealed() ? GroupParts.decode(p.envelope()) : seal(p, change);
    GroupDelivery.Sent sent;
    try {
      sent =
          delivery.sendText(
              conn,
              shown,
              parts,
              () -> content,
              kept -> outbox.replaceEnvelope(p.id(), GroupParts.encode(kept)));
    } catch (OutgoingMessages.NotAMemberException e) {
      throw new IllegalStateException("a change's content needs no group state", e);
    }
    String id = parts.getFirst().prefix().messageIdHex();
    if (sent.shortfall().isEmpty()) {
      // Stored for every member, or for none because every mailbox was full: then it all goes
      // again.
      boolean waits =
          sent.results().stream().noneMatch(d -> d.status().accepted())
              && sent.results().stream().anyMatch(d -> d.status() == DeliveryStatus.FULL);
      if (!waits) {
        outbox.remove(p.id());
        shortfallTold.remove(p.id());
      }
      return new Result(id, sent.results(), waits);
    }
    GroupShortfall s = sent.shortfall().get();
    boolean toldBefore;
    if (s.retry()) {
      outbox.replaceEnvelope(p.id(), GroupParts.encode(s.unsent()));
      toldBefore = id.equals(shortfallTold.put(p.id(), id));
    } else {
      outbox.remove(p.id());
      shortfallTold.remove(p.id());
      toldBefore = false;
    }
    if (!toldBefore) {
      listener.onNotice("[!] " + shown + ": " + s.changeExplanation());
    }
    return new Result(id, sent.results(), s.retry());
  }

  /**
   * Seals {@code change} to the old members (a removed one included: it learns its removal), the
   * new ones and my other devices, and keeps the parts with row {@code p}, and its record.
   */
  private List<V2Envelope> seal(PendingMessage p, GroupChange change)
      throws IOException, UntrustedContactException, MessageTooLongException {
    Set<String> to = new TreeSet<>(change.newState().members());
    to.addAll(change.subjects());
    to.remove(me.get());
    V2Sending.Choice choice = v2.chooseGroup(List.copyOf(to), MessageContent.groupChange(change));
    if (!(choice instanceof V2Sending.SealedGroup sealed)) {
      throw new PeerKeysWithheldException(
          (choice instanceof V2Sending.Withheld w
                  ? w.explanation()
                  : "group changes are sent in version 2 only.")
              + " Nothing was changed.");
    }
    List<V2Envelope> parts = sealed.parts();
    try {
      outbox.attachEnvelope(
          p.id(), parts.getFirst().prefix().messageIdHex(), GroupParts.encode(parts));
      GroupRecords kept = records;
      Optional<ForwardedChange> record = sealed.changeRecord();
      if (kept != null && record.isPresent()) {
        kept.sealed(change, record.get());
      }
    } finally {
      sealed.destroyRecord();
    }
    return parts;
  }

  /** Forgets the record of my {@code change}, of which the relay stored nothing: not applied. */
  void forgetRecord(GroupChange change) throws IOException {
    GroupRecords kept = records;
    if (kept != null) {
      kept.unsent(change);
    }
  }
}
