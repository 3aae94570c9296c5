package dev.ztchat.core.group;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.IdentityName;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One client's view of one group: its current state, the last few states before it (to judge a
 * concurrent change) and the changes that arrived before the ones they follow (docs/v2/groups.md
 * section 6). {@link #apply} takes each received change with its verified author and says what it
 * did; every client that receives the same changes, in any order, ends at the same state.
 *
 * <p>Not thread-safe: one owner applies changes one at a time. {@link #encode()} is the form to
 * store (sealed at rest by the caller: it names the members).
 */
public final class GroupTimeline {
  /** Most changes kept waiting for the chain to connect; the oldest goes first. */
  public static final int MAX_PENDING = 16;

  /** Most states kept (the current one included) to judge concurrent changes. */
  public static final int MAX_HISTORY = 16;

  private static final int FORMAT = 1;

  private final String me;
  private final List<GroupState> history;
  private final List<AuthoredChange> pending;

  private GroupTimeline(String me, List<GroupState> history, List<AuthoredChange> pending) {
    this.me = me;
    this.history = new ArrayList<>(history);
    this.pending = new ArrayList<>(pending);
  }

  /**
   * The timeline that starts with {@code change}, received by {@code me} from {@code author} for a
   * group {@code me} does not know: a create that names {@code me} (also how the creator starts its
   * own timeline), or an add that names {@code me} made by an admin of the state it leads to (a
   * welcome: the state is adopted as the admin states it). Anything else is refused.
   */
  public static GroupTimeline start(String me, String author, GroupChange change)
      throws GroupChangeRefusedException {
    IdentityName.validate(me);
    IdentityName.validate(author);
    requireNonNull(change, "change");
    switch (change.op()) {
      case CREATE -> GroupRules.checkCreate(me, author, change);
      case ADD -> checkWelcome(me, author, change);
      case REMOVE, LEAVE ->
          throw new GroupChangeRefusedException(
              author
                  + " sent a change to #"
                  + change.newState().name()
                  + ", a group this client does not know");
    }
    return new GroupTimeline(me, List.of(change.newState()), List.of());
  }

  private static void checkWelcome(String me, String author, GroupChange change)
      throws GroupChangeRefusedException {
    GroupState s = change.newState();
    if (!change.subjects().contains(me)) {
      throw new GroupChangeRefusedException(
          author
              + " sent an addition to #"
              + s.name()
              + ", a group this client does not know,"
              + " that does not add "
              + me);
    }
    if (!s.isAdmin(author) || change.subjects().contains(author)) {
      throw new GroupChangeRefusedException(
          author + " added " + me + " to #" + s.name() + " without being one of its admins");
    }
  }

  public String me() {
    return me;
  }

  public GroupId groupId() {
    return state().id();
  }

  /** The current state. */
  public GroupState state() {
    return history.getLast();
  }

  /** True when {@link #me()} is no longer a member (removed, or left): do not send to it. */
  public boolean removed() {
    return !state().isMember(me);
  }

  /** The changes waiting for the chain to connect, oldest first. */
  public List<AuthoredChange> pending() {
    return List.copyOf(pending);
  }

  /** Applies {@code change}, whose verified author is {@code author} (section 6). */
  public ApplyOutcome apply(String author, GroupChange change) {
    requireNonNull(author, "author");
    requireNonNull(change, "change");
    if (!IdentityName.isValid(author)) {
      return new ApplyOutcome.Refused("the author's name is not a valid user name");
    }
    if (!change.groupId().equals(groupId())) {
      return new ApplyOutcome.Refused("the change is about another group");
    }
    AuthoredChange incoming = new AuthoredChange(author, change);
    ApplyOutcome outcome = applyOne(incoming);
    return switch (outcome) {
      case ApplyOutcome.Applied a -> new ApplyOutcome.Applied(state(), connect(a.applied()));
      case ApplyOutcome.Replaced r ->
          new ApplyOutcome.Replaced(state(), r.undone(), connect(r.applied()));
      default -> outcome;
    };
  }

  private ApplyOutcome applyOne(AuthoredChange incoming) {
    GroupState current = state();
    GroupState next = incoming.change().newState();
    int v = next.version();
    if (v <= current.version()) {
      return concurrent(incoming);
    }
    if (!current.isMember(me)) {
      if (incoming.change().op() == GroupOp.ADD && incoming.change().subjects().contains(me)) {
        try {
          checkWelcome(me, incoming.author(), incoming.change());
          history.clear();
          history.add(next);
          pending.clear();
          return new ApplyOutcome.Welcome(next);
        } catch (GroupChangeRefusedException e) {
          return new ApplyOutcome.Refused(e.getMessage());
        }
      }
      return new ApplyOutcome.Refused(
          me + " is no longer a member of #" + current.name() + "; the change is ignored");
    }
    if (v == current.version() + 1 && MessageDigest.isEqual(next.prevHash(), current.hash())) {
      try {
        GroupRules.check(current, incoming.author(), incoming.change());
      } catch (GroupChangeRefusedException e) {
        return new ApplyOutcome.Refused(e.getMessage());
      }
      push(next);
      return new ApplyOutcome.Applied(next, List.of(incoming));
    }
    if (pending.contains(incoming)) {
      return new ApplyOutcome.Duplicate();
    }
    pending.add(incoming);
    Optional<AuthoredChange> dropped = Optional.empty();
    if (pending.size() > MAX_PENDING) {
      dropped = Optional.of(pending.removeFirst());
    }
    return new ApplyOutcome.Pending(pending.size(), dropped);
  }

  /** A change for a version this timeline holds already: a duplicate, or a concurrent change. */
  private ApplyOutcome concurrent(AuthoredChange incoming) {
    GroupState next = incoming.change().newState();
    int v = next.version();
    int index = indexOf(v);
    if (index >= 0 && history.get(index).equals(next)) {
      return new ApplyOutcome.Duplicate();
    }
    if (v == 1) {
      return new ApplyOutcome.Refused(
          "a second creation of #" + state().name() + " with the same group id is ignored");
    }
    int parent = indexOf(v - 1);
    if (index < 0 || parent < 0) {
      return new ApplyOutcome.Refused(
          "the change is for version " + v + ", older than the versions this client keeps");
    }
    try {
      GroupRules.check(history.get(parent), incoming.author(), incoming.change());
    } catch (GroupChangeRefusedException e) {
      return new ApplyOutcome.Refused(e.getMessage());
    }
    GroupState held = history.get(index);
    if (Arrays.compareUnsigned(next.hash(), held.hash()) >= 0) {
      return new ApplyOutcome.Refused(
          "a concurrent change to version "
              + v
              + " of #"
              + held.name()
              + " won (the lower hash wins at every member); this one is ignored");
    }
    List<GroupState> undone = List.copyOf(history.subList(index, history.size()));
    history.subList(index, history.size()).clear();
    push(next);
    return new ApplyOutcome.Replaced(next, undone, List.of(incoming));
  }

  /** Applies the pending changes that now chain; returns {@code first} followed by them. */
  private List<AuthoredChange> connect(List<AuthoredChange> first) {
    List<AuthoredChange> applied = new ArrayList<>(first);
    boolean progress = true;
    while (progress) {
      progress = false;
      for (AuthoredChange p : List.copyOf(pending)) {
        GroupState next = p.change().newState();
        GroupState current = state();
        boolean chains =
            next.version() == current.version() + 1
                && MessageDigest.isEqual(next.prevHash(), current.hash());
        if (chains || next.version() <= current.version()) {
          pending.remove(p);
          ApplyOutcome o = applyOne(p);
          if (o instanceof ApplyOutcome.Applied || o instanceof ApplyOutcome.Replaced) {
            applied.add(p);
            progress = true;
            break;
          }
        }
      }
    }
    return applied;
  }

  private int indexOf(int version) {
    int offset = version - history.getFirst().version();
    return offset >= 0 && offset < history.size() ? offset : -1;
  }

  private void push(GroupState next) {
    history.add(next);
    while (history.size() > MAX_HISTORY) {
      history.removeFirst();
    }
  }

  /**
   * The stored form: {@code u8 format (=1) | u8 len | me | u8 h (1..16) | h * (u32 len | state) |
   * u8 p (0..16) | p * (u8 len | author | u32 len | change)}; states oldest first.
   */
  public byte[] encode() {
    GroupBytes.Out out = new GroupBytes.Out().u8(FORMAT).name(me).u8(history.size());
    history.forEach(s -> out.block(s.encode()));
    out.u8(pending.size());
    for (AuthoredChange p : pending) {
      out.name(p.author()).block(p.change().encode());
    }
    return out.bytes();
  }

  /**
   * Parses a stored timeline strictly: besides the rules of each state and change, the states must
   * be one group's consecutive versions, each chained to the one before by its prev_hash, and every
   * pending change about the same group.
   */
  public static GroupTimeline decode(byte[] encoded) throws MalformedGroupException {
    GroupBytes.In in = new GroupBytes.In(encoded, "the stored group timeline");
    int format = in.u8();
    if (format != FORMAT) {
      throw new MalformedGroupException("unknown group timeline format " + format);
    }
    String me = in.name("the owner");
    if (!IdentityName.isValid(me)) {
      throw new MalformedGroupException("the timeline's owner is not a valid user name");
    }
    int h = in.u8();
    if (h == 0 || h > MAX_HISTORY) {
      throw new MalformedGroupException("a timeline holds 1 to " + MAX_HISTORY + " states");
    }
    List<GroupState> history = new ArrayList<>(h);
    for (int i = 0; i < h; i++) {
      GroupState s = GroupState.decode(in.block());
      if (!history.isEmpty()) {
        GroupState before = history.getLast();
        if (!s.id().equals(before.id())
            || s.version() != before.version() + 1
            || !MessageDigest.isEqual(s.prevHash(), before.hash())) {
          throw new MalformedGroupException("the timeline's states do not chain");
        }
      }
      history.add(s);
    }
    int p = in.u8();
    if (p > MAX_PENDING) {
      throw new MalformedGroupException("a timeline holds at most " + MAX_PENDING + " pending");
    }
    List<AuthoredChange> pending = new ArrayList<>(p);
    for (int i = 0; i < p; i++) {
      String author = in.name("a pending change's author");
      if (!IdentityName.isValid(author)) {
        throw new MalformedGroupException("a pending change's author is not a valid user name");
      }
      GroupChange c = GroupChange.decode(in.block());
      if (!c.groupId().equals(history.getFirst().id())) {
        throw new MalformedGroupException("a pending change is about another group");
      }
      pending.add(new AuthoredChange(author, c));
    }
    in.end();
    return new GroupTimeline(me, history, pending);
  }
}
