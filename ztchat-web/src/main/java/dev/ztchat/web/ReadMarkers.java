package dev.ztchat.web;

import static java.util.Objects.requireNonNull;

import dev.ztchat.client.ClientStore;
import dev.ztchat.client.HistoryEntry;
import dev.ztchat.core.pki.IdentityName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Which message of each conversation the user last saw, kept in the client's state folder so that
 * unread counts survive a restart: the unread count of a conversation is the number of received
 * messages in its history after the marker.
 *
 * <p>What it stores: one line per conversation, the peer's name (for a group, {@code #} and its id)
 * and the id of the last message seen, in {@code web-read} (0600, in the client's 0700 folder,
 * written whole and moved into place). Those are names and ids that {@code client.db} already holds
 * in clear (see the client's conversation history), so the file tells a reader of the folder
 * nothing new; no text is stored.
 *
 * <p>Not thread-safe: used by the {@link PageWorker}'s thread.
 */
final class ReadMarkers {
  static final String FILE = "web-read";

  private final Path file;
  private final Map<String, String> lastSeen = new TreeMap<>();
  private final boolean existed;

  private ReadMarkers(Path file, boolean existed) {
    this.file = file;
    this.existed = existed;
  }

  /**
   * The markers kept in {@code stateDir}; none if there are none yet. A file that is not what this
   * class writes (a link, or lines it did not write) is ignored and rewritten on the next change.
   */
  static ReadMarkers in(Path stateDir) {
    Path file = requireNonNull(stateDir, "stateDir").resolve(FILE);
    ReadMarkers m = new ReadMarkers(file, Files.exists(file, LinkOption.NOFOLLOW_LINKS));
    if (!m.existed || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return m;
    }
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] f = line.split(" ", -1);
        if (f.length == 2 && isConversation(f[0]) && isId(f[1])) {
          m.lastSeen.put(f[0], f[1]);
        }
      }
    } catch (NoSuchFileException e) {
      // removed meanwhile: none
    } catch (IOException e) {
      m.lastSeen.clear();
    }
    return m;
  }

  /** Whether markers were kept before (false on the first run of the window). */
  boolean existed() {
    return existed;
  }

  /** The received messages of {@code recent} (oldest first) after the one last seen. */
  int unread(String peer, List<HistoryEntry> recent) {
    String seen = lastSeen.get(peer);
    int count = 0;
    for (HistoryEntry e : recent) {
      if (e.messageIdHex().equals(seen)) {
        count = 0;
      } else if (e.direction() == HistoryEntry.Direction.IN) {
        count++;
      }
    }
    return count;
  }

  /**
   * Marks everything in {@code recent} (oldest first) as seen; keeps it on disk when it changed.
   */
  void seen(String peer, List<HistoryEntry> recent) throws IOException {
    if (recent.isEmpty()) {
      return;
    }
    seen(peer, recent.getLast().messageIdHex());
  }

  /** Marks the messages of {@code peer} up to {@code messageIdHex} as seen. */
  void seen(String peer, String messageIdHex) throws IOException {
    if (!isConversation(peer) || !isId(messageIdHex)) {
      return;
    }
    if (!messageIdHex.equals(lastSeen.put(peer, messageIdHex))) {
      save();
    }
  }

  /** Writes the markers, even none: from now on, a message not seen yet is unread. */
  void save() throws IOException {
    StringBuilder b = new StringBuilder();
    lastSeen.forEach((p, id) -> b.append(p).append(' ').append(id).append('\n'));
    Path dir = file.getParent();
    ClientStore.ensurePrivateFolders(dir, dir);
    Path tmp =
        Files.createTempFile(
            dir,
            FILE,
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(tmp, b, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** A person's name, or {@code #} and a group's id (32 hex digits). */
  private static boolean isConversation(String key) {
    return IdentityName.isValid(key) || GROUP_KEY.matcher(key).matches();
  }

  private static final Pattern GROUP_KEY = Pattern.compile("#[0-9a-f]{32}");

  private static boolean isId(String s) {
    if (s.isEmpty() || s.length() > 128) {
      return false;
    }
    try {
      HexFormat.of().parseHex(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
