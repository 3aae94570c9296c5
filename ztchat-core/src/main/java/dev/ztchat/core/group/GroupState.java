package dev.ztchat.core.group;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.IdentityName;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;

/**
 * One version of a group's membership: its id, name, version, the hash of the version before, its
 * members and its admins (docs/v2/groups.md section 4.1). Immutable; the encoding is canonical
 * (sorted, unique names), so two clients that hold the same state hold the same bytes and the same
 * {@link #hash()}.
 *
 * <pre>
 * state = u8 format (=1) | 16B group_id | u8 name_len | name | u32 version (&gt;= 1)
 *         | 32B prev_hash | u8 n (1..64) | n * (u8 len | member)
 *         | u8 m (1..n) | m * (u8 len | admin)
 * hash  = SHA-256("ztchat v2 group state" || state)
 * </pre>
 *
 * <p>Security guarantees: none by itself. A state says nothing about who made it; only a change
 * carried by a verified envelope and checked by {@link GroupRules} does.
 */
public final class GroupState {
  /** The only state format this code writes and reads. */
  public static final int FORMAT = 1;

  /** Most members of a group, its creator included. */
  public static final int MAX_MEMBERS = 64;

  /** Length of {@link #hash()} and of {@link #prevHash()}. */
  public static final int HASH_BYTES = 32;

  /** Highest version: versions are u32 on the wire but this code keeps them in an int. */
  public static final int MAX_VERSION = Integer.MAX_VALUE;

  static final byte[] HASH_LABEL = "ztchat v2 group state".getBytes(StandardCharsets.US_ASCII);

  private final GroupId id;
  private final String name;
  private final int version;
  private final byte[] prevHash;
  private final List<String> members;
  private final List<String> admins;

  /**
   * A state; {@code members} and {@code admins} are sorted here. Throws {@link
   * IllegalArgumentException} on any rule of section 4.1 (a name twice, 0 or more than 64 members,
   * no admin, an admin who is not a member, version 1 with a non-zero prev_hash).
   */
  public GroupState(
      GroupId id,
      String name,
      int version,
      byte[] prevHash,
      Collection<String> members,
      Collection<String> admins) {
    this.id = requireNonNull(id, "id");
    this.name = GroupName.validate(name);
    requireNonNull(prevHash, "prevHash");
    if (version < 1) {
      throw new IllegalArgumentException("a group state's version is at least 1");
    }
    if (prevHash.length != HASH_BYTES) {
      throw new IllegalArgumentException("prev_hash is " + HASH_BYTES + " bytes");
    }
    if (version == 1 && !Arrays.equals(prevHash, new byte[HASH_BYTES])) {
      throw new IllegalArgumentException("version 1 has an all-zero prev_hash");
    }
    this.version = version;
    this.prevHash = prevHash.clone();
    this.members = sortedUnique(members, "member");
    this.admins = sortedUnique(admins, "admin");
    if (this.members.isEmpty() || this.members.size() > MAX_MEMBERS) {
      throw new IllegalArgumentException(
          "a group has 1 to " + MAX_MEMBERS + " members, not " + this.members.size());
    }
    if (this.admins.isEmpty()) {
      throw new IllegalArgumentException("a group has at least one admin");
    }
    if (!this.members.containsAll(this.admins)) {
      throw new IllegalArgumentException("every admin of a group is one of its members");
    }
  }

  private static List<String> sortedUnique(Collection<String> names, String what) {
    requireNonNull(names, what + "s");
    TreeSet<String> sorted = new TreeSet<>();
    for (String n : names) {
      IdentityName.validate(n);
      if (!sorted.add(n)) {
        throw new IllegalArgumentException("the " + what + " " + n + " is named twice");
      }
    }
    return List.copyOf(sorted);
  }

  /**
   * Version 1 of a new group: {@code creator} and {@code members} (the creator may be among them or
   * not) are the members, the creator the only admin.
   */
  public static GroupState created(
      GroupId id, String name, String creator, Collection<String> members) {
    IdentityName.validate(creator);
    TreeSet<String> all = new TreeSet<>(members);
    all.add(creator);
    return new GroupState(id, name, 1, new byte[HASH_BYTES], all, List.of(creator));
  }

  public GroupId id() {
    return id;
  }

  public String name() {
    return name;
  }

  public int version() {
    return version;
  }

  /** The hash of the state before this one; all zero for version 1. A copy. */
  public byte[] prevHash() {
    return prevHash.clone();
  }

  /** The members, sorted by their bytes, each once. */
  public List<String> members() {
    return members;
  }

  /** The admins, sorted, each a member. */
  public List<String> admins() {
    return admins;
  }

  public boolean isMember(String user) {
    return members.contains(user);
  }

  public boolean isAdmin(String user) {
    return admins.contains(user);
  }

  /** SHA-256 over the label "ztchat v2 group state" and {@link #encode()}. */
  public byte[] hash() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(HASH_LABEL);
      return sha.digest(encode());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** The hash as 64 lower-case hex digits. */
  public String hashHex() {
    return HexFormat.of().formatHex(hash());
  }

  /** The canonical encoding (docs/v2/groups.md section 4.1). */
  public byte[] encode() {
    GroupBytes.Out out =
        new GroupBytes.Out()
            .u8(FORMAT)
            .raw(id.bytes())
            .name(name)
            .u32(version)
            .raw(prevHash)
            .u8(members.size());
    members.forEach(out::name);
    out.u8(admins.size());
    admins.forEach(out::name);
    return out.bytes();
  }

  /**
   * Parses a state strictly: an unknown format, truncation, trailing bytes, a version of 0 or over
   * {@link #MAX_VERSION}, an invalid name, members or admins unsorted or twice, 0 or over 64
   * members, no admin, an admin who is not a member, or version 1 with a non-zero prev_hash are all
   * {@link MalformedGroupException}.
   */
  public static GroupState decode(byte[] encoded) throws MalformedGroupException {
    GroupBytes.In in = new GroupBytes.In(encoded, "the group state");
    GroupState state = read(in);
    in.end();
    return state;
  }

  static GroupState read(GroupBytes.In in) throws MalformedGroupException {
    int format = in.u8();
    if (format != FORMAT) {
      throw new MalformedGroupException("unknown group state format " + format);
    }
    GroupId id = GroupId.of(in.raw(GroupId.BYTES));
    String name = in.name("the group name");
    if (!GroupName.isValid(name)) {
      throw new MalformedGroupException("the group name is not a valid group name");
    }
    long version = in.u32();
    if (version < 1 || version > MAX_VERSION) {
      throw new MalformedGroupException("group state version " + version + " is out of range");
    }
    byte[] prevHash = in.raw(HASH_BYTES);
    List<String> members = readSortedNames(in, "member", MAX_MEMBERS);
    List<String> admins = readSortedNames(in, "admin", members.size());
    if (!members.containsAll(admins)) {
      throw new MalformedGroupException("an admin of the group is not one of its members");
    }
    if (version == 1 && !Arrays.equals(prevHash, new byte[HASH_BYTES])) {
      throw new MalformedGroupException("group state version 1 must have an all-zero prev_hash");
    }
    return new GroupState(id, name, (int) version, prevHash, members, admins);
  }

  /** A u8 count (1..max) of names, each valid, in strictly increasing order. */
  static List<String> readSortedNames(GroupBytes.In in, String what, int max)
      throws MalformedGroupException {
    int n = in.u8();
    if (n == 0 || n > max) {
      throw new MalformedGroupException("the group names " + n + " " + what + "s, not 1 to " + max);
    }
    List<String> names = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String name = in.name(what);
      if (!IdentityName.isValid(name)) {
        throw new MalformedGroupException("a " + what + " is not a valid user name");
      }
      if (!names.isEmpty() && names.getLast().compareTo(name) >= 0) {
        throw new MalformedGroupException(
            "the " + what + "s are not sorted, or one is named twice");
      }
      names.add(name);
    }
    return names;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GroupState s && Arrays.equals(encode(), s.encode());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encode());
  }

  @Override
  public String toString() {
    return "GroupState[#"
        + name
        + " "
        + id.hex()
        + " v"
        + version
        + " members="
        + members
        + " admins="
        + admins
        + "]";
  }
}
