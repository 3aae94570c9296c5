package dev.ztchat.attacks;

import dev.ztchat.client.ChatListener;
import dev.ztchat.client.GroupView;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** What a real client's user would see: messages shown, and messages dropped with their reason. */
final class VictimScreen implements ChatListener {
  /** A dropped message; {@code reason} is null when the envelope did not even parse. */
  record Rejection(String claimedSender, RejectionReason reason, String explanation) {
    String label() {
      return reason == null ? "MALFORMED_ENVELOPE" : reason.name();
    }
  }

  /**
   * A group message shown: to the group shown as {@code group}, from the verified {@code sender}.
   */
  record GroupShown(String group, String sender, String text) {}

  private final BlockingQueue<OpenedMessage> shown = new LinkedBlockingQueue<>();
  private final BlockingQueue<GroupShown> groupShown = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> groupChanges = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> groupRefused = new LinkedBlockingQueue<>();
  private final BlockingQueue<Rejection> rejected = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> notices = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> notProcessed = new LinkedBlockingQueue<>();

  @Override
  public void onMessage(OpenedMessage message) {
    shown.add(message);
  }

  @Override
  public void onGroupMessage(GroupView group, String sender, OpenedMessage message) {
    groupShown.add(new GroupShown(group.shown(), sender, message.text()));
  }

  @Override
  public void onGroupChange(GroupView group, String description) {
    groupChanges.add(description);
  }

  /** A group message or change refused by the group's rule: kept apart from envelope refusals. */
  @Override
  public void onGroupRejected(String claimedSender, String explanation) {
    groupRefused.add(explanation);
  }

  @Override
  public void onRejected(String claimedSender, RejectionReason reason, String explanation) {
    rejected.add(new Rejection(claimedSender, reason, explanation));
  }

  @Override
  public void onNotProcessed(String claimedSender, String explanation) {
    notProcessed.add(explanation);
  }

  @Override
  public void onNotice(String notice) {
    notices.add(notice);
  }

  /** A key change or a contact's new device, kept with the notices. */
  @Override
  public void onSendBlocked(dev.ztchat.client.KeyChangedException change) {
    notices.add(change.getMessage());
  }

  /** The next notice that contains {@code part}, skipping others, or null after {@code timeout}. */
  String nextNotice(String part, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String n;
    while ((n = notices.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
        != null) {
      if (n.contains(part)) {
        return n;
      }
    }
    return null;
  }

  /**
   * The next group message shown with {@code text}, skipping others (they stay counted in {@link
   * #groupShownTexts}), or null after {@code timeout}.
   */
  GroupShown nextGroupShown(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    GroupShown g;
    while ((g = groupShown.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
        != null) {
      if (g.text().equals(text)) {
        return g;
      }
      seenGroupTexts.add(g);
    }
    return null;
  }

  private final List<GroupShown> seenGroupTexts = new CopyOnWriteArrayList<>();

  /** Every group message shown and not yet taken by {@link #nextGroupShown}, or skipped by it. */
  List<GroupShown> groupShownTexts() {
    List<GroupShown> all = new ArrayList<>(seenGroupTexts);
    all.addAll(groupShown);
    return all;
  }

  /** The next group change told that contains {@code part}, skipping others, or null. */
  String nextGroupChange(String part, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String c;
    while ((c = groupChanges.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
        != null) {
      if (c.contains(part)) {
        return c;
      }
    }
    return null;
  }

  /** The next group refusal, or null if none within {@code timeout}. */
  String nextGroupRefused(Duration timeout) throws InterruptedException {
    return groupRefused.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether a group message was shown or a group message or change refused, and not yet taken. */
  boolean anyGroupOutcomePending() {
    return !groupShown.isEmpty() || !groupRefused.isEmpty();
  }

  /** Forgets group refusals and group changes told so far (shown group messages stay). */
  void clearGroupRefusalsAndChanges() {
    groupRefused.clear();
    groupChanges.clear();
  }

  /** The next message shown, or null if none within {@code timeout}. */
  OpenedMessage nextShown(Duration timeout) throws InterruptedException {
    return shown.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The next rejection, or null if none within {@code timeout}. */
  Rejection nextRejection(Duration timeout) throws InterruptedException {
    return rejected.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Forgets the notices given so far. */
  void clearNotices() {
    notices.clear();
  }

  /** Forgets the rejections and notices given so far; returns how many rejections there were. */
  int clearRejectionsAndNotices() {
    int n = rejected.size();
    rejected.clear();
    notices.clear();
    notProcessed.clear();
    return n;
  }

  /**
   * Whether a message was shown, refused, or kept unopened (not processed), and not yet taken;
   * notices (a ledger gap, refused prekeys) do not count: they come at any time.
   */
  boolean anythingPending() {
    return !shown.isEmpty() || !rejected.isEmpty() || !notProcessed.isEmpty();
  }

  /** The next message kept unopened, or null if none within {@code timeout}. */
  String nextNotProcessed(Duration timeout) throws InterruptedException {
    return notProcessed.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** How many messages were shown and not yet taken. */
  int shownCount() {
    return shown.size();
  }
}
