package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.conversation.ForwardedChange;
import dev.ztchat.core.envelope.ContentKind;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.group.ApplyOutcome;
import dev.ztchat.core.group.AuthoredChange;
import dev.ztchat.core.group.GroupChange;
import dev.ztchat.core.group.GroupChangeRefusedException;
import dev.ztchat.core.group.GroupId;
import dev.ztchat.core.group.GroupOp;
import dev.ztchat.core.group.GroupRules;
import dev.ztchat.core.group.GroupState;
import dev.ztchat.core.group.GroupTimeline;
import dev.ztchat.core.pki.IdentityName;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The group side of a chat session (docs/v2/groups.md): makes my changes (create, add, remove,
 * leave) and sends them to the members, sends group texts, and applies what arrives: changes
 * through the group's {@link GroupTimeline}, texts only from members of my current state, receipts
 * per member. Everything told to the user goes through the {@link ChatListener}.
 *
 * <p>My changes and received changes are applied one at a time (one lock), so a change I make and
 * one that arrives meanwhile are ordered by the timeline's rule, never lost.
 */
final class GroupConversations {
  private final String me;
  private final Groups groups;
  private final GroupStore store;
  private final ConversationHistory history;
  private final GroupChangeLines lines;
  private final GroupTextFit fit;
  private final OutgoingMessages outgoing;
  private final ChatListener listener;
  private final SecureRandom random;
  private final GroupRecords records;
  private final Object changes = new Object();
  private final Set<String> driftTold = new HashSet<>(); // group ids; receive thread only

  GroupConversations(
      String me,
      Groups groups,
      GroupStore store,
      ConversationHistory history,
      GroupChangeLines lines,
      GroupTextFit fit,
      OutgoingMessages outgoing,
      ChatListener listener,
      SecureRandom random,
      GroupRecords records) {
    this.me = requireNonNull(me, "me");
    this.groups = requireNonNull(groups, "groups");
    this.store = requireNonNull(store, "store");
    this.history = requireNonNull(history, "history");
    this.lines = requireNonNull(lines, "lines");
    this.fit = requireNonNull(fit, "fit");
    this.outgoing = requireNonNull(outgoing, "outgoing");
    this.listener = requireNonNull(listener, "listener");
    this.random = requireNonNull(random, "random");
    this.records = requireNonNull(records, "records");
  }

  /** How a group text is kept in the history: its sender, a colon (never in a name), the text. */
  static String stored(String sender, String text) {
    return sender + ":" + text;
  }

  // ---- my changes ----

  /** Creates group {@code name} with me as its admin and {@code members}, and tells them. */
  GroupView create(String name, Collection<String> members)
      throws IOException,
          GroupChangeRefusedException,
          UntrustedContactException,
          MessageTooLongException {
    for (String m : members) {
      if (!IdentityName.isValid(m)) {
        throw new GroupChangeRefusedException("'" + m + "' is not a valid user name");
      }
    }
    synchronized (changes) {
      GroupChange change = GroupRules.create(GroupId.random(random), name, me, members);
      GroupTimeline t = GroupTimeline.start(me, me, change);
      send(change);
      groups.save(t);
      records.made(t.state());
      return mine(t, change);
    }
  }

  /** Makes and sends my change {@code op} on {@code subjects} to the group {@code ref} names. */
  GroupView change(String ref, GroupOp op, List<String> subjects)
      throws IOException,
          UnknownGroupException,
          GroupChangeRefusedException,
          UntrustedContactException,
          MessageTooLongException {
    synchronized (changes) {
      GroupView v = groups.resolve(ref);
      GroupTimeline t = groups.timeline(v.idHex()).orElseThrow();
      if (t.removed()) {
        throw new GroupChangeRefusedException(
            "you are no longer a member of " + v.shown() + ": nothing was changed");
      }
      GroupChange change = GroupRules.propose(t.state(), me, op, subjects);
      send(change);
      ApplyOutcome outcome = t.apply(me, change);
      if (outcome instanceof ApplyOutcome.Refused r) {
        throw new IllegalStateException("my own change does not apply: " + r.reason());
      }
      groups.save(t);
      records.made(t.state());
      return mine(t, change);
    }
  }

  /** The group after my change, which is kept as a line of its conversation. */
  private GroupView mine(GroupTimeline t, GroupChange change) throws IOException {
    GroupView v = groups.view(t.groupId().hex());
    lines.record(v.idHex(), describe(me, change, v));
    return v;
  }

  /**
   * Sends my change to the members of the states before and after it now, or keeps it in the outbox
   * when it cannot go now (offline, or the connection failed): it goes out on reconnect, before the
   * group's later texts. Either way the caller applies it here.
   */
  private void send(GroupChange change)
      throws IOException, UntrustedContactException, MessageTooLongException {
    if (outgoing.sendChange(change).isEmpty()) {
      listener.onNotice(
          "[!] your change to #"
              + change.newState().name()
              + " was made here and waits to be sent: it goes to the members, before your later"
              + " messages to the group, once connected.");
    }
  }

  // ---- my texts ----

  /**
   * Sends {@code text} to the group {@code ref} names now; the relay's answer. Kept behind a change
   * of mine to the group that still waits ({@link GroupTextQueuedException}).
   */
  SendResult sendNow(String ref, String text)
      throws IOException,
          UnknownGroupException,
          OutgoingMessages.NotAMemberException,
          UntrustedContactException,
          MessageTooLongException {
    GroupView v = groups.resolve(ref);
    return outgoing.sendGroupNow(
        Groups.KEY_PREFIX + v.idHex(), text, () -> fit.check(v.members(), text));
  }

  /**
   * Keeps {@code text} for the group {@code ref} names in the durable outbox; refuses at once one
   * longer than {@link #maxTextBytes}.
   */
  String keep(String ref, String text)
      throws IOException, UnknownGroupException, MessageTooLongException {
    GroupView v = groups.resolve(ref);
    if (v.removed()) {
      throw new IOException("you are no longer a member of " + v.shown() + ": nothing was sent");
    }
    fit.check(v.members(), text);
    outgoing.keepForGroup(Groups.KEY_PREFIX + v.idHex(), text);
    return v.shown();
  }

  /** The most UTF-8 bytes of text a message to the group {@code ref} names can hold now. */
  int maxTextBytes(String ref) throws IOException, UnknownGroupException {
    return fit.maxTextBytes(groups.resolve(ref).members());
  }

  // ---- views ----

  List<GroupView> views() throws IOException {
    return groups.views();
  }

  GroupView resolve(String ref) throws IOException, UnknownGroupException {
    return groups.resolve(ref);
  }

  /**
   * The last {@code limit} texts of the group, oldest first; an entry's peer is its sender. The
   * change lines between them are left out.
   */
  List<HistoryEntry> history(String ref, int limit) throws IOException, UnknownGroupException {
    GroupView v = groups.resolve(ref);
    int window = limit;
    while (true) {
      List<HistoryEntry> all = conversation(v, window);
      List<HistoryEntry> texts = all.stream().filter(e -> !GroupChangeLines.isChange(e)).toList();
      if (texts.size() >= limit
          || all.size() < window
          || window == ConversationHistory.MAX_RECENT) {
        return texts.subList(Math.max(0, texts.size() - limit), texts.size());
      }
      window = (int) Math.min(ConversationHistory.MAX_RECENT, 2L * window);
    }
  }

  /**
   * The last {@code limit} lines of the group's conversation, oldest first, in the order this
   * device stored them: its texts (an entry's peer is its sender) and the changes of its members
   * (an entry with an empty peer, its text the change in words).
   */
  List<HistoryEntry> conversation(String ref, int limit) throws IOException, UnknownGroupException {
    return conversation(groups.resolve(ref), limit);
  }

  private List<HistoryEntry> conversation(GroupView v, int limit) throws IOException {
    List<HistoryEntry> out = new ArrayList<>();
    for (HistoryEntry e : history.recent(Groups.KEY_PREFIX + v.idHex(), limit)) {
      out.add(read(e));
    }
    return out;
  }

  /** An entry as {@link #stored} keeps it, read back: its peer the sender, its text the text. */
  static HistoryEntry read(HistoryEntry e) {
    int colon = e.text().indexOf(':');
    return new HistoryEntry(
        e.text().substring(0, Math.max(0, colon)),
        e.direction(),
        e.messageIdHex(),
        e.sentAt(),
        e.state(),
        e.text().substring(colon + 1),
        e.partial());
  }

  /** My current state of group {@code idHex}. */
  GroupState state(String idHex) throws IOException {
    return groups
        .timeline(idHex)
        .orElseThrow(() -> new IOException("no group " + idHex + " on this device"))
        .state();
  }

  /** Who confirmed receiving my group message {@code messageIdHex}, in that order. */
  List<String> receipts(String messageIdHex) throws IOException {
    return store.receipts(messageIdHex);
  }

  // ---- receiving ----

  /**
   * Records {@code member}'s receipt for my message {@code messageIdHex} if it is one of my group
   * messages and {@code member} is in that group: true when it is newly recorded.
   */
  boolean receipt(String member, String messageIdHex) throws IOException {
    Optional<String> key = history.peerOfOutgoing(messageIdHex);
    if (key.isEmpty() || !Groups.isGroupKey(key.get())) {
      return false;
    }
    Optional<GroupTimeline> t = groups.timeline(key.get().substring(Groups.KEY_PREFIX.length()));
    if (t.isEmpty() || !t.get().state().isMember(member)) {
      return false;
    }
    boolean fresh = store.recordReceipt(messageIdHex, member);
    if (fresh) {
      history.markDelivered(key.get(), messageIdHex);
    }
    return fresh;
  }

  /**
   * Applies an opened group text or change from {@code m.sender()} (me for a copy from another of
   * my devices), which arrived as {@code envelope}, stores it (a change with its record, to forward
   * to a device that joins late), and tells the listener. True when a group text was shown (it gets
   * a receipt).
   */
  boolean receive(OpenedMessage m, byte[] envelope) throws IOException {
    MessageContent content = m.content();
    if (content.kind() == ContentKind.GROUP_CHANGE) {
      synchronized (changes) {
        receiveChange(
            m.sender(),
            content.groupChange(),
            state -> records.received(m, envelope, state),
            why -> refusedChange(m.sender(), content.groupChange(), why));
      }
      return false;
    }
    return receiveText(m);
  }

  /**
   * Applies a change that a device joining late was forwarded by {@code forwarder} (docs/v2/
   * groups.md section 6.6), its author verified by {@link GroupSync}: by the same rules, in the
   * same order and with the same words as a change that arrived live, and keeps its {@code record}.
   */
  void receiveForwarded(String forwarder, AuthoredChange change, ForwardedChange record)
      throws IOException {
    synchronized (changes) {
      receiveChange(
          change.author(),
          change.change(),
          state -> records.keep(change.change(), record, state),
          why ->
              GroupSync.refusal(
                  "#" + change.change().newState().name(),
                  forwarder,
                  "its author "
                      + change.author()
                      + " may not make it ("
                      + why
                      + "); if "
                      + change.author()
                      + " should be able to make it, ask an admin of the group"));
    }
  }

  /** Keeps the record of a change once applied (or pending), given my state after it. */
  @FunctionalInterface
  private interface Keeper {
    void keep(GroupState now) throws IOException;
  }

  private void receiveChange(
      String author,
      GroupChange change,
      Keeper keeper,
      java.util.function.Function<String, String> refusal)
      throws IOException {
    String idHex = change.groupId().hex();
    Optional<GroupTimeline> known = groups.timeline(idHex);
    if (known.isEmpty()) {
      GroupTimeline t;
      try {
        t = GroupTimeline.start(me, author, change);
      } catch (GroupChangeRefusedException e) {
        listener.onGroupRejected(author, refusal.apply(e.getMessage()));
        return;
      }
      groups.save(t);
      keeper.keep(t.state());
      GroupView v = groups.view(idHex);
      told(v, describe(author, change, v));
      return;
    }
    GroupTimeline t = known.get();
    GroupView before = groups.view(idHex);
    ApplyOutcome outcome = t.apply(author, change);
    if (!(outcome instanceof ApplyOutcome.Refused)) {
      groups.save(t);
      keeper.keep(t.state());
    }
    switch (outcome) {
      case ApplyOutcome.Duplicate d -> {
        // a copy of a change applied before: nothing to tell
      }
      case ApplyOutcome.Refused r -> listener.onGroupRejected(author, refusal.apply(r.reason()));
      case ApplyOutcome.Pending p -> {
        told(
            before,
            "[!] a change to "
                + before.shown()
                + " by "
                + author
                + " arrived before an earlier one; it is applied when that one arrives");
        if (p.dropped().isPresent()) {
          told(
              before,
              "[!] "
                  + before.shown()
                  + ": too many changes wait for an earlier one; the oldest, by "
                  + p.dropped().get().author()
                  + ", was dropped. Ask an admin to make it again if it is missing.");
        }
      }
      case ApplyOutcome.Welcome w -> {
        GroupView v = groups.view(idHex);
        told(v, describe(author, change, v));
      }
      case ApplyOutcome.Applied a -> {
        GroupView v = groups.view(idHex);
        for (AuthoredChange c : a.applied()) {
          told(v, describe(c.author(), c.change(), v));
        }
      }
      case ApplyOutcome.Replaced r -> {
        GroupView v = groups.view(idHex);
        told(
            v,
            "[!] two changes to "
                + v.shown()
                + " were made at the same time; every member keeps the same one, so "
                + r.undone().size()
                + " change(s) seen here before were undone. Members now: "
                + String.join(", ", v.members()));
        for (AuthoredChange c : r.applied()) {
          told(v, describe(c.author(), c.change(), v));
        }
      }
    }
  }

  /** Keeps {@code line} in the group's conversation, then tells the user. */
  private void told(GroupView v, String line) throws IOException {
    lines.record(v.idHex(), line);
    listener.onGroupChange(v, line);
  }

  private static String refusedChange(String author, GroupChange change, String why) {
    return "a change to group #"
        + change.newState().name()
        + " from "
        + author
        + " was refused: "
        + why
        + ". The group was left as it was; if "
        + author
        + " should be able to make it, ask an admin of the group.";
  }

  /** A change in words: {@code alice added dave to #team}. */
  private String describe(String author, GroupChange change, GroupView v) {
    String who = author.equals(me) ? "you" : author;
    List<String> subjects = change.subjects().stream().map(s -> s.equals(me) ? "you" : s).toList();
    return switch (change.op()) {
      case CREATE ->
          who
              + " created "
              + v.shown()
              + " with "
              + String.join(", ", v.members().stream().filter(m -> !m.equals(author)).toList());
      case ADD ->
          who
              + " added "
              + String.join(", ", subjects)
              + " to "
              + v.shown()
              + (change.subjects().contains(me)
                  ? " (members: " + String.join(", ", v.members()) + ")"
                  : "");
      case REMOVE ->
          who
              + " removed "
              + String.join(", ", subjects)
              + " from "
              + v.shown()
              + (change.subjects().contains(me) ? ": you no longer receive its messages" : "");
      case LEAVE -> who + " left " + v.shown();
    };
  }

  private boolean receiveText(OpenedMessage m) throws IOException {
    MessageContent content = m.content();
    String sender = m.sender();
    String idHex = content.groupId().hex();
    Optional<GroupTimeline> t = groups.timeline(idHex);
    if (t.isEmpty()) {
      listener.onGroupRejected(
          sender,
          "a group message from "
              + sender
              + " was dropped: it is for a group this device does not know (ask "
              + sender
              + " or an admin to add you; messages sent before you joined are never readable)");
      return false;
    }
    GroupState state = t.get().state();
    GroupView v = groups.view(idHex);
    if (!state.isMember(sender)) {
      listener.onGroupRejected(
          sender,
          "a message to "
              + v.shown()
              + " from "
              + sender
              + " was dropped: "
              + sender
              + " is not a member of the group as this device knows it");
      return false;
    }
    if (t.get().removed()) {
      listener.onGroupRejected(
          sender,
          "a message to "
              + v.shown()
              + " from "
              + sender
              + " was dropped: you are no longer a member ("
              + sender
              + " has not yet learnt it)");
      return false;
    }
    String key = Groups.KEY_PREFIX + idHex;
    boolean own = sender.equals(me);
    if (own) {
      history.recordOutgoing(key, m.messageIdHex(), m.timestamp(), stored(me, m.text()));
      history.markSent(key, m.messageIdHex());
    } else {
      history.recordIncoming(key, m.messageIdHex(), m.timestamp(), stored(sender, m.text()));
    }
    listener.onGroupMessage(v, sender, m);
    if (!own) {
      tellDrift(
          v, state, sender, content.groupStateVersion(), m.recipients(), content.isGroupTextPart());
    }
    return !own;
  }

  /**
   * Tells the user once per group and run when a member sealed to another member list than mine
   * (their state version differs, or the envelope names others than my members): one of us missed a
   * change. A part of a split message names only some members: then only names that are not my
   * members count (docs/v2/groups.md section 8).
   */
  private void tellDrift(
      GroupView v,
      GroupState state,
      String sender,
      int theirVersion,
      List<String> recipients,
      boolean part) {
    Set<String> named = new TreeSet<>(recipients);
    named.add(sender);
    named.add(me);
    Set<String> members = new TreeSet<>(state.members());
    boolean differs =
        theirVersion != state.version()
            || (part ? !members.containsAll(named) : !named.equals(members));
    if (differs && driftTold.add(v.idHex())) {
      listener.onNotice(
          "[!] "
              + sender
              + "'s member list of "
              + v.shown()
              + " differs from yours (their version "
              + theirVersion
              + ", yours "
              + state.version()
              + "): one of you has not received a change yet. The message was shown; if this"
              + " lasts, compare the member lists (group list) with "
              + sender
              + ".");
    }
  }
}
