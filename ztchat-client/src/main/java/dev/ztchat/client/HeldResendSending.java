package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.group.GroupState;
import dev.ztchat.core.group.GroupTimeline;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Re-sends to a contact's device, accepted after it was held, what this device sent while it was
 * held (docs/v2/devices.md section 6.3): the direct texts to the contact and the texts of every
 * group the contact is still a member of, each kept in the {@link Outbox} under a {@link
 * HeldResends} key, then sealed to that device alone under a new message id and sent without {@code
 * devices}. Called under the outbox's flush lock.
 */
final class HeldResendSending {
  /** How many of a conversation's latest messages a newly accepted device is sent at most. */
  static final int HELD_MESSAGES = 500;

  private final Outbox outbox;
  private final ConversationHistory history;
  private final V2Sending v2;
  private final ChatListener listener;
  private final Supplier<String> me;
  private final Supplier<Groups> groups;

  HeldResendSending(
      Outbox outbox,
      ConversationHistory history,
      V2Sending v2,
      ChatListener listener,
      Supplier<String> me,
      Supplier<Groups> groups) {
    this.outbox = requireNonNull(outbox, "outbox");
    this.history = requireNonNull(history, "history");
    this.v2 = requireNonNull(v2, "v2");
    this.listener = requireNonNull(listener, "listener");
    this.me = requireNonNull(me, "me");
    this.groups = requireNonNull(groups, "groups");
  }

  /** One text to re-send: its outbox key, the text, and when it was first sent. */
  private record Resend(String key, String text, Instant sentAt) {}

  /**
   * Keeps in the outbox, oldest first, each text recorded as sent since {@code heldSince} (among
   * each conversation's last {@link #HELD_MESSAGES}) to {@code person} directly or to a group
   * {@code person} is a member of now, for {@code person}'s device {@code deviceHex} alone.
   */
  void keep(String person, String deviceHex, Instant heldSince) throws IOException {
    List<Resend> all = new ArrayList<>();
    for (HistoryEntry e : sentSince(person, heldSince)) {
      all.add(new Resend(HeldResends.key(person, deviceHex), e.text(), e.sentAt()));
    }
    String prefix = me.get() + ":"; // a group text of mine is kept as "me:text"
    for (String group : groupsWith(person)) {
      for (HistoryEntry e : sentSince(group, heldSince)) {
        if (e.text().startsWith(prefix)) {
          all.add(
              new Resend(
                  HeldResends.groupKey(group, person, deviceHex),
                  e.text().substring(prefix.length()),
                  e.sentAt()));
        }
      }
    }
    all.sort(Comparator.comparing(Resend::sentAt));
    for (Resend r : all) {
      outbox.enqueue(r.key(), r.text());
    }
  }

  /** My texts of conversation {@code key} recorded as sent at or after {@code since}. */
  private List<HistoryEntry> sentSince(String key, Instant since) throws IOException {
    return history.recent(key, HELD_MESSAGES).stream()
        .filter(e -> e.direction() == HistoryEntry.Direction.OUT)
        .filter(e -> e.state() != HistoryEntry.State.PENDING) // still in the outbox: to all
        .filter(e -> !e.sentAt().isBefore(since))
        .toList();
  }

  /** The keys of the groups I and {@code person} are both members of now. */
  private List<String> groupsWith(String person) throws IOException {
    Groups all = groups.get();
    if (all == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (GroupView v : all.views()) {
      if (!v.removed() && v.members().contains(person)) {
        out.add(Groups.KEY_PREFIX + v.idHex());
      }
    }
    return out;
  }

  /**
   * Seals (unless sealed before) and sends the waiting re-send {@code p} to its one device; false
   * when it stays for a later flush (no keys for the device now, or the relay's queue is full). A
   * group text whose group no longer has the person (or me) as a member is dropped unsent.
   */
  boolean send(RelayConnection conn, PendingMessage p) throws IOException {
    String person = HeldResends.person(p.peer());
    return OneDeviceDelivery.send(
        outbox,
        conn,
        p,
        person,
        () -> {
          Optional<MessageContent> content = contentOf(p, person);
          if (content.isEmpty()) {
            return new OneDeviceDelivery.Sealing.Drop();
          }
          try {
            return v2.sealToDevice(person, HeldResends.device(p.peer()), content.get())
                .<OneDeviceDelivery.Sealing>map(
                    s -> new OneDeviceDelivery.Sealing.Ready(s.envelope()))
                .orElseGet(OneDeviceDelivery.Sealing.Wait::new);
          } catch (UntrustedContactException | MessageTooLongException e) {
            listener.onNotice(
                "[!] What you sent to "
                    + person
                    + " while their new device was held could not be sent to it ("
                    + e.getMessage()
                    + "); it gets your messages from now on.");
            return new OneDeviceDelivery.Sealing.Drop();
          }
        });
  }

  /**
   * What to seal for re-send {@code p}: its text, or for a group's text the group text of my
   * current state (marked as a part: it names one member), empty when the group no longer has both
   * of us.
   */
  private Optional<MessageContent> contentOf(PendingMessage p, String person) throws IOException {
    Optional<String> group = HeldResends.group(p.peer());
    if (group.isEmpty()) {
      return Optional.of(MessageContent.text(p.text()));
    }
    Groups all = groups.get();
    Optional<GroupTimeline> t =
        all == null
            ? Optional.empty()
            : all.timeline(group.get().substring(Groups.KEY_PREFIX.length()));
    if (t.isEmpty() || t.get().removed() || !t.get().state().isMember(person)) {
      return Optional.empty();
    }
    GroupState state = t.get().state();
    return Optional.of(
        MessageContent.groupText(state.id(), state.version(), p.text()).asGroupTextPart());
  }
}
