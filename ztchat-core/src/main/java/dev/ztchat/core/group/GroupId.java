package dev.ztchat.core.group;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A group's identity: 16 random bytes chosen by its creator (docs/v2/groups.md section 2). The
 * group's name is a label that two groups may share; the id is what every check compares.
 */
public final class GroupId {
  /** Length of a group id in bytes. */
  public static final int BYTES = 16;

  private final byte[] id;

  private GroupId(byte[] id) {
    this.id = id;
  }

  /** The group id {@code id} (16 bytes; copied). */
  public static GroupId of(byte[] id) {
    requireNonNull(id, "id");
    if (id.length != BYTES) {
      throw new IllegalArgumentException("a group id is " + BYTES + " bytes, not " + id.length);
    }
    return new GroupId(id.clone());
  }

  /** A fresh group id from {@code random}. */
  public static GroupId random(SecureRandom random) {
    byte[] id = new byte[BYTES];
    random.nextBytes(id);
    return new GroupId(id);
  }

  /** Parses 32 lower- or upper-case hex digits. */
  public static GroupId fromHex(String hex) {
    requireNonNull(hex, "hex");
    if (hex.length() != BYTES * 2) {
      throw new IllegalArgumentException("a group id is " + BYTES * 2 + " hex digits");
    }
    try {
      return new GroupId(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a group id is " + BYTES * 2 + " hex digits", e);
    }
  }

  /** The 16 bytes (a copy). */
  public byte[] bytes() {
    return id.clone();
  }

  /** 32 lower-case hex digits. */
  public String hex() {
    return HexFormat.of().formatHex(id);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GroupId g && Arrays.equals(id, g.id);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(id);
  }

  @Override
  public String toString() {
    return "GroupId[" + hex() + "]";
  }
}
