package dev.ztchat.server.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A consistent-hash ring that assigns each recipient to one of several shards, as Signal-Server
 * assigns each account's messages to one shard of its message store. Each shard stands on the ring
 * at {@link #VIRTUAL_NODES} points, point {@code i} of shard {@code S} being the first 8 bytes
 * (big-endian, signed) of SHA-256 of the UTF-8 text {@code S#i}; a recipient belongs to the shard
 * of the first point at or after the first 8 bytes of SHA-256 of its name, wrapping around.
 *
 * <p>Only the set of shard names decides: their order does not, so every relay node computes the
 * same owner for every recipient whatever order its {@code --store} lists them in. Adding a shard
 * moves only the recipients whose nearest point becomes one of the new shard's (about 1/n of them);
 * the others keep their shard. Immutable and thread-safe.
 */
final class HashRing {
  /** Points per shard: enough that n shards each take close to 1/n of the names. */
  static final int VIRTUAL_NODES = 256;

  private final NavigableMap<Long, String> points = new TreeMap<>();
  private final SortedSet<String> shards;

  /** A ring of {@code shards} (their names; at least one, no duplicates). */
  HashRing(Set<String> shards) {
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("a hash ring needs at least one shard");
    }
    this.shards = new TreeSet<>(shards);
    for (String shard : this.shards) { // in name order: a tie goes to the smaller name
      for (int i = 0; i < VIRTUAL_NODES; i++) {
        points.putIfAbsent(position(shard + "#" + i), shard);
      }
    }
  }

  /** The shard that holds {@code recipient}'s queue. */
  String ownerOf(String recipient) {
    Map.Entry<Long, String> at = points.ceilingEntry(position(recipient));
    return at != null ? at.getValue() : points.firstEntry().getValue();
  }

  /** The shard names, in name order. */
  List<String> shards() {
    return List.copyOf(shards);
  }

  /** The shard names as recorded in each database: sorted, comma-separated. */
  String fingerprint() {
    return String.join(",", shards);
  }

  /** The ring a {@link #fingerprint} describes. */
  static HashRing ofFingerprint(String fingerprint) {
    return new HashRing(Set.of(fingerprint.split(",")));
  }

  static long position(String name) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest, 0, Long.BYTES).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
