package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;

/**
 * The changes of a group's members (created, added, removed, left, and the warnings about changes
 * that arrived out of order or were undone), kept as lines of the group's conversation so they are
 * still there, in their place among the texts, after a restart.
 *
 * <p>A line is a row of the group's {@link ConversationHistory}, sealed with the {@link AtRestKey}
 * like the texts: stored as a group text with no sender ({@code ":"} then the line), which no text
 * can be, since every text is stored after its sender's name and a name is never empty. It gets a
 * fresh random id and the local time, so it is never taken for a redelivered message.
 *
 * <p>Thread-safe (the history is).
 */
final class GroupChangeLines {
  private static final int ID_BYTES = 16;

  private final ConversationHistory history;
  private final Clock clock;
  private final SecureRandom random;

  GroupChangeLines(ConversationHistory history, Clock clock, SecureRandom random) {
    this.history = requireNonNull(history, "history");
    this.clock = requireNonNull(clock, "clock");
    this.random = requireNonNull(random, "random");
  }

  /** Keeps {@code line}, a change of group {@code idHex} in words, after its latest message. */
  void record(String idHex, String line) throws IOException {
    byte[] id = new byte[ID_BYTES];
    random.nextBytes(id);
    history.recordIncoming(
        Groups.KEY_PREFIX + idHex,
        HexFormat.of().formatHex(id),
        clock.instant(),
        GroupConversations.stored("", requireNonNull(line, "line")));
  }

  /** Whether {@code e}, an entry of a group's history as read back, is a change line. */
  static boolean isChange(HistoryEntry e) {
    return e.peer().isEmpty();
  }
}
