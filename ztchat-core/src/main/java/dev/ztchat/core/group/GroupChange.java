package dev.ztchat.core.group;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.IdentityName;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * One membership change: what it does, to whom, and the whole state it leads to (docs/v2/groups.md
 * section 4.2). It travels as the content of a version-2 envelope of kind {@code GROUP_CHANGE}; its
 * author is that envelope's verified sender and is deliberately not part of these bytes, so no
 * member can claim that someone else made a change.
 *
 * <pre>
 * change = u8 format (=1) | u8 op (1 create, 2 add, 3 remove, 4 leave)
 *          | u8 k | k * (u8 len | subject) | state (to the end)
 * </pre>
 *
 * <p>Security guarantees: none by itself; {@link GroupRules} and {@link GroupTimeline} decide
 * whether its author may make it.
 */
public final class GroupChange {
  /** The only change format this code writes and reads. */
  public static final int FORMAT = 1;

  private final GroupOp op;
  private final List<String> subjects;
  private final GroupState newState;

  /**
   * A change; {@code subjects} are sorted here. Throws {@link IllegalArgumentException} when a
   * subject is named twice, when there is none, when a leave names more than one, or when the new
   * state plainly contradicts the operation (an added subject not a member of it, a removed or
   * leaving one still a member, a create that is not version 1).
   */
  public GroupChange(GroupOp op, Collection<String> subjects, GroupState newState) {
    this.op = requireNonNull(op, "op");
    this.newState = requireNonNull(newState, "newState");
    requireNonNull(subjects, "subjects");
    TreeSet<String> sorted = new TreeSet<>();
    for (String s : subjects) {
      IdentityName.validate(s);
      if (!sorted.add(s)) {
        throw new IllegalArgumentException("the subject " + s + " is named twice");
      }
    }
    this.subjects = List.copyOf(sorted);
    String problem = shapeProblem(op, this.subjects, newState);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** What is structurally wrong with this op, subjects and state together, or null. */
  private static String shapeProblem(GroupOp op, List<String> subjects, GroupState state) {
    if (subjects.isEmpty() || subjects.size() >= GroupState.MAX_MEMBERS) {
      return "a group change names 1 to " + (GroupState.MAX_MEMBERS - 1) + " subjects";
    }
    return switch (op) {
      case CREATE -> {
        if (state.version() != 1) {
          yield "a create is version 1 of the group";
        }
        if (!state.members().containsAll(subjects)
            || state.members().size() != subjects.size() + 1) {
          yield "a create's members are its subjects and its author";
        }
        yield null;
      }
      case ADD ->
          state.version() > 1 && state.members().containsAll(subjects)
              ? null
              : "an add's new state has a version above 1 and holds every added member";
      case REMOVE, LEAVE -> {
        if (op == GroupOp.LEAVE && subjects.size() != 1) {
          yield "a leave names exactly one subject, the member who leaves";
        }
        if (state.version() == 1 || subjects.stream().anyMatch(state::isMember)) {
          yield "a "
              + (op == GroupOp.LEAVE ? "leave" : "remove")
              + "'s new state has a version above 1 and none of its subjects";
        }
        yield null;
      }
    };
  }

  public GroupOp op() {
    return op;
  }

  /** The members added, removed or leaving (for a create: the members other than the author). */
  public List<String> subjects() {
    return subjects;
  }

  /** The whole state after this change. */
  public GroupState newState() {
    return newState;
  }

  /** The group this change is about. */
  public GroupId groupId() {
    return newState.id();
  }

  /** The canonical encoding (docs/v2/groups.md section 4.2). */
  public byte[] encode() {
    GroupBytes.Out out = new GroupBytes.Out().u8(FORMAT).u8(op.code()).u8(subjects.size());
    subjects.forEach(out::name);
    return out.raw(newState.encode()).bytes();
  }

  /**
   * Parses a change strictly: an unknown format or op, truncation, subjects unsorted, twice, none
   * or a leave with more than one, a state that does not decode (with its own rules, trailing bytes
   * included), or a state that contradicts the op are all {@link MalformedGroupException}.
   */
  public static GroupChange decode(byte[] encoded) throws MalformedGroupException {
    GroupBytes.In in = new GroupBytes.In(encoded, "the group change");
    int format = in.u8();
    if (format != FORMAT) {
      throw new MalformedGroupException("unknown group change format " + format);
    }
    int code = in.u8();
    GroupOp op = GroupOp.fromCode(code);
    if (op == null) {
      throw new MalformedGroupException("unknown group change operation " + code);
    }
    List<String> subjects = GroupState.readSortedNames(in, "subject", GroupState.MAX_MEMBERS - 1);
    GroupState state = GroupState.read(in);
    in.end();
    String problem = shapeProblem(op, subjects, state);
    if (problem != null) {
      throw new MalformedGroupException(problem);
    }
    return new GroupChange(op, subjects, state);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GroupChange c && Arrays.equals(encode(), c.encode());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encode());
  }

  @Override
  public String toString() {
    return "GroupChange[" + op + " " + subjects + " -> " + newState + "]";
  }
}
