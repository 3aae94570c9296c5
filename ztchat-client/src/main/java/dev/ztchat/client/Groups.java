package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.group.GroupId;
import dev.ztchat.core.group.GroupTimeline;
import dev.ztchat.core.group.MalformedGroupException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The groups this device knows, by id, with the name each is shown under: kept in memory and
 * written through to the {@link GroupStore} (sealed at rest). A timeline handed out is a copy, so a
 * change applied to it counts only once {@link #save}d.
 *
 * <p>Thread-safe.
 */
final class Groups {
  /** A conversation key that names a group in the history and the outbox: '#' then the id. */
  static final String KEY_PREFIX = "#";

  private final GroupStore store;
  private final Map<String, byte[]> encoded = new LinkedHashMap<>(); // id hex -> timeline

  Groups(GroupStore store) throws IOException {
    this.store = requireNonNull(store, "store");
    for (GroupStore.Stored s : store.all()) {
      encoded.put(s.groupIdHex(), s.timeline());
    }
  }

  /** The history and outbox key of group {@code id}: never a user name (they cannot hold '#'). */
  static String key(GroupId id) {
    return KEY_PREFIX + id.hex();
  }

  /** Whether an outbox or history key names a group. */
  static boolean isGroupKey(String key) {
    return key.startsWith(KEY_PREFIX);
  }

  /** The outbox key of a change to a group waiting to be sent: '!' then the group's key. */
  private static final String CHANGE_PREFIX = "!";

  /** The outbox key of my waiting changes to group {@code id}. */
  static String changeKey(GroupId id) {
    return changeKeyOf(key(id));
  }

  /** The outbox key of my waiting changes to the group whose key ({@link #key}) is {@code key}. */
  static String changeKeyOf(String key) {
    return CHANGE_PREFIX + key;
  }

  /** Whether an outbox key is that of a group change waiting to be sent. */
  static boolean isChangeKey(String key) {
    return key.startsWith(CHANGE_PREFIX + KEY_PREFIX);
  }

  /**
   * The conversation an outbox key belongs to: the group's key for a waiting change (so a change
   * and the group's texts keep one order), the key itself otherwise.
   */
  static String conversationOf(String key) {
    return isChangeKey(key) ? key.substring(CHANGE_PREFIX.length()) : key;
  }

  /** A copy of the timeline of group {@code idHex}, if known. */
  synchronized Optional<GroupTimeline> timeline(String idHex) throws IOException {
    byte[] b = encoded.get(idHex.toLowerCase(Locale.ROOT));
    return b == null ? Optional.empty() : Optional.of(decode(idHex, b));
  }

  /** Stores {@code t} as the group's timeline. */
  synchronized void save(GroupTimeline t) throws IOException {
    byte[] b = t.encode();
    store.put(t.groupId().hex(), b);
    encoded.put(t.groupId().hex(), b);
  }

  /** Every known group, in the order this device learnt them, with the names they are shown by. */
  synchronized List<GroupView> views() throws IOException {
    List<GroupView> out = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (Map.Entry<String, byte[]> e : encoded.entrySet()) {
      GroupTimeline t = decode(e.getKey(), e.getValue());
      String name = t.state().name();
      int n = seen.merge(name, 1, Integer::sum);
      String shown = "#" + name + (n == 1 ? "" : "~" + n);
      out.add(
          new GroupView(
              e.getKey(),
              name,
              shown,
              t.state().members(),
              t.state().admins(),
              t.state().version(),
              t.removed()));
    }
    return out;
  }

  /** The view of group {@code idHex}. */
  synchronized GroupView view(String idHex) throws IOException {
    return views().stream()
        .filter(v -> v.idHex().equalsIgnoreCase(idHex))
        .findFirst()
        .orElseThrow(() -> new IOException("no group " + idHex + " on this device"));
  }

  /**
   * The group {@code ref} names: its shown name ({@code #team}, {@code #team~2}), its name without
   * the '#' when only one group has it, or its id in hex.
   *
   * @throws UnknownGroupException when no group, or more than one, fits
   */
  synchronized GroupView resolve(String ref) throws IOException, UnknownGroupException {
    requireNonNull(ref, "ref");
    List<GroupView> all = views();
    String bare = ref.startsWith("#") ? ref.substring(1) : ref;
    for (GroupView v : all) {
      if (v.shown().equals("#" + bare) || v.idHex().equalsIgnoreCase(bare)) {
        return v;
      }
    }
    List<GroupView> named = all.stream().filter(v -> v.name().equals(bare)).toList();
    if (named.size() == 1) {
      return named.getFirst();
    }
    throw new UnknownGroupException(ref, named.stream().map(GroupView::shown).toList());
  }

  private static GroupTimeline decode(String idHex, byte[] b) throws IOException {
    try {
      return GroupTimeline.decode(b);
    } catch (MalformedGroupException e) {
      throw new IOException(
          "the stored state of group " + idHex + " cannot be read: " + e.getMessage(), e);
    }
  }
}
