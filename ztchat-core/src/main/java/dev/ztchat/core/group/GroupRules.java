package dev.ztchat.core.group;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.IdentityName;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Who may change a group, and what the state after a change is (docs/v2/groups.md section 5). The
 * creator is the first and only admin; admins add and remove; any member may leave; an admin who is
 * removed or leaves stops being admin, and when no admin remains the first remaining member in sort
 * order becomes the admin. Every client computes the same next state from the same state, author,
 * operation and subjects, so a received change is checked by computing it again.
 */
public final class GroupRules {
  private GroupRules() {}

  /**
   * The change that creates group {@code id} named {@code name}, with {@code creator} as its only
   * admin and {@code members} (others than the creator, at least one) as the other members.
   */
  public static GroupChange create(
      GroupId id, String name, String creator, Collection<String> members)
      throws GroupChangeRefusedException {
    requireNonNull(id, "id");
    GroupName.validate(name);
    IdentityName.validate(creator);
    TreeSet<String> others = new TreeSet<>(members);
    others.remove(creator);
    if (others.isEmpty()) {
      throw new GroupChangeRefusedException("a group needs at least one member besides you");
    }
    if (others.size() + 1 > GroupState.MAX_MEMBERS) {
      throw new GroupChangeRefusedException(
          "a group has at most "
              + GroupState.MAX_MEMBERS
              + " members including you, not "
              + (others.size() + 1));
    }
    return new GroupChange(GroupOp.CREATE, others, GroupState.created(id, name, creator, others));
  }

  /**
   * The change {@code author} makes by {@code op} on {@code subjects} when the group is {@code
   * current}, or {@link GroupChangeRefusedException} saying why the rule does not allow it. A leave
   * names the author as its only subject. Use {@link #create} for a new group.
   */
  public static GroupChange propose(
      GroupState current, String author, GroupOp op, List<String> subjects)
      throws GroupChangeRefusedException {
    requireNonNull(current, "current");
    requireNonNull(author, "author");
    requireNonNull(op, "op");
    requireNonNull(subjects, "subjects");
    String group = "#" + current.name();
    if (op == GroupOp.CREATE) {
      throw new GroupChangeRefusedException(group + " exists already: a create makes a new group");
    }
    if (!current.isMember(author)) {
      throw new GroupChangeRefusedException(author + " is not a member of " + group);
    }
    if (subjects.isEmpty()) {
      throw new GroupChangeRefusedException("a group change names at least one member");
    }
    TreeSet<String> named = new TreeSet<>();
    for (String s : subjects) {
      if (!IdentityName.isValid(s)) {
        throw new GroupChangeRefusedException("'" + s + "' is not a valid user name");
      }
      if (!named.add(s)) {
        throw new GroupChangeRefusedException(s + " is named twice");
      }
    }
    if (current.version() == GroupState.MAX_VERSION) {
      throw new GroupChangeRefusedException(group + " has reached its last version");
    }
    TreeSet<String> members = new TreeSet<>(current.members());
    TreeSet<String> admins = new TreeSet<>(current.admins());
    switch (op) {
      case ADD -> {
        requireAdmin(current, author, "add members to");
        for (String s : named) {
          if (current.isMember(s)) {
            throw new GroupChangeRefusedException(s + " is already a member of " + group);
          }
        }
        members.addAll(named);
        if (members.size() > GroupState.MAX_MEMBERS) {
          throw new GroupChangeRefusedException(
              group
                  + " would have "
                  + members.size()
                  + " members; at most "
                  + GroupState.MAX_MEMBERS
                  + " are allowed");
        }
      }
      case REMOVE -> {
        requireAdmin(current, author, "remove members from");
        if (named.contains(author)) {
          throw new GroupChangeRefusedException(
              "an admin does not remove itself: leave " + group + " instead");
        }
        for (String s : named) {
          if (!current.isMember(s)) {
            throw new GroupChangeRefusedException(s + " is not a member of " + group);
          }
        }
        members.removeAll(named);
        admins.removeAll(named);
      }
      case LEAVE -> {
        if (named.size() != 1 || !named.first().equals(author)) {
          throw new GroupChangeRefusedException(
              "a member can only leave "
                  + group
                  + " itself; "
                  + author
                  + " cannot make "
                  + named
                  + " leave");
        }
        if (current.members().size() == 1) {
          throw new GroupChangeRefusedException(
              "you are the last member of " + group + ": there is no one to tell; delete it");
        }
        members.remove(author);
        admins.remove(author);
      }
      case CREATE -> throw new AssertionError("refused above");
    }
    if (admins.isEmpty()) {
      admins.add(members.first());
    }
    GroupState next =
        new GroupState(
            current.id(),
            current.name(),
            current.version() + 1,
            current.hash(),
            members,
            new ArrayList<>(admins));
    return new GroupChange(op, named, next);
  }

  private static void requireAdmin(GroupState current, String author, String what)
      throws GroupChangeRefusedException {
    if (!current.isAdmin(author)) {
      throw new GroupChangeRefusedException(
          author
              + " is not an admin of #"
              + current.name()
              + " and cannot "
              + what
              + " it; ask "
              + String.join(" or ", current.admins()));
    }
  }

  /**
   * Checks that {@code change}, made by {@code author}, follows from {@code current} by the rule:
   * same group, the next version, prev_hash the hash of {@code current}, an author allowed to make
   * it, and exactly the state {@link #propose} computes. Throws the refusal otherwise.
   */
  public static void check(GroupState current, String author, GroupChange change)
      throws GroupChangeRefusedException {
    GroupState next = change.newState();
    if (!next.id().equals(current.id())) {
      throw new GroupChangeRefusedException("the change is about another group");
    }
    if (next.version() != current.version() + 1) {
      throw new GroupChangeRefusedException(
          "the change leads to version " + next.version() + ", not " + (current.version() + 1));
    }
    if (!MessageDigest.isEqual(next.prevHash(), current.hash())) {
      throw new GroupChangeRefusedException(
          "the change does not follow from version " + current.version() + " (prev_hash differs)");
    }
    GroupChange expected = propose(current, author, change.op(), change.subjects());
    if (!expected.newState().equals(next)) {
      throw new GroupChangeRefusedException(
          "the change's new state of #"
              + current.name()
              + " is not what the rule gives for "
              + author
              + " "
              + change.op().name().toLowerCase(Locale.ROOT)
              + " "
              + change.subjects());
    }
  }

  /**
   * Checks a create received from {@code author} by {@code me}: version 1, the author the only
   * admin and a member, the subjects the other members, and {@code me} a member.
   */
  static void checkCreate(String me, String author, GroupChange change)
      throws GroupChangeRefusedException {
    GroupState s = change.newState();
    if (change.op() != GroupOp.CREATE) {
      throw new GroupChangeRefusedException("not a create");
    }
    if (!s.admins().equals(List.of(author)) || !s.isMember(author)) {
      throw new GroupChangeRefusedException(
          "a new group's only admin is its creator, and " + author + " is not");
    }
    if (change.subjects().contains(author)) {
      throw new GroupChangeRefusedException("a create names its creator among the subjects");
    }
    if (!s.isMember(me)) {
      throw new GroupChangeRefusedException(
          author + " sent the creation of #" + s.name() + " to " + me + ", who is not a member");
    }
  }
}
