package dev.ztchat.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.testkit.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteSeenMessageStoreTest {
  @TempDir Path dir;

  private static byte[] id(int n) {
    byte[] id = new byte[16];
    id[0] = (byte) n;
    return id;
  }

  @Test
  void newFile_isCreatedOwnerReadWriteOnly_andSoAreItsWalFiles() throws Exception {
    Path file = dir.resolve("state/seen.db");
    try (SqliteSeenMessageStore store = SqliteSeenMessageStore.open(file)) {
      store.recordIfAbsent("alice", id(1), 1);

      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      Path wal = dir.resolve("state/seen.db-wal");
      assertThat(wal).exists();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(wal)))
          .isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
          .isEqualTo("rwx------");
    }
  }

  @Test
  void existingWorldReadableFile_isTightenedTo0600() throws Exception {
    Path file = dir.resolve("seen.db");
    Files.createFile(file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));

    try (SqliteSeenMessageStore store = SqliteSeenMessageStore.open(file)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
    }
  }

  @Test
  void symlinkInPlaceOfTheFile_isRefused() throws Exception {
    Path file = dir.resolve("seen.db");
    Files.createSymbolicLink(file, dir.resolve("elsewhere.db"));

    assertThatThrownBy(() -> SqliteSeenMessageStore.open(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a regular file");
  }

  @Test
  void recordedIds_surviveReopening() throws Exception {
    Path file = dir.resolve("seen.db");
    try (SqliteSeenMessageStore store = SqliteSeenMessageStore.open(file)) {
      assertThat(store.recordIfAbsent("alice", id(1), 10)).isTrue();
      store.raiseFloor(5);
    }

    try (SqliteSeenMessageStore store = SqliteSeenMessageStore.open(file)) {
      assertThat(store.recordIfAbsent("alice", id(1), 10)).isFalse();
      assertThat(store.recordIfAbsent("alice", id(2), 10)).isTrue();
      assertThat(store.floorMillis()).isEqualTo(5);
    }
  }

  @Test
  void evictOlderThan_removesOnlyOlderEntries() throws Exception {
    try (SqliteSeenMessageStore store = SqliteSeenMessageStore.open(dir.resolve("seen.db"))) {
      store.recordIfAbsent("alice", id(1), 100);
      store.recordIfAbsent("alice", id(2), 200);

      store.evictOlderThan(200);

      assertThat(store.size()).isEqualTo(1);
      assertThat(store.recordIfAbsent("alice", id(2), 200)).isFalse();
      assertThat(store.recordIfAbsent("alice", id(1), 100)).isTrue();
    }
  }

  @Test
  void evictOldest_returnsNewestDroppedTimestamp_andFloorOnlyRises() throws Exception {
    try (SqliteSeenMessageStore store = SqliteSeenMessageStore.open(dir.resolve("seen.db"))) {
      assertThat(store.floorMillis()).isEqualTo(Long.MIN_VALUE);
      assertThat(store.evictOldest(1)).isEqualTo(Long.MIN_VALUE);
      for (int i = 1; i <= 4; i++) {
        store.recordIfAbsent("alice", id(i), i * 10L);
      }

      assertThat(store.evictOldest(2)).isEqualTo(20);
      assertThat(store.size()).isEqualTo(2);
      store.raiseFloor(20);
      store.raiseFloor(10);
      assertThat(store.floorMillis()).isEqualTo(20);
    }
  }

  @Test
  void replayGuardOverSqlite_staysBoundedAsTimePasses() throws Exception {
    MutableClock clock = MutableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    try (ReplayGuard guard =
        ReplayGuard.persistent(dir.resolve("seen.db"), AcceptancePolicy.DEFAULT, clock)) {
      for (int i = 0; i < 20; i++) {
        guard.firstSighting("alice", id(i), clock.millis());
      }
      clock.advance(AcceptancePolicy.DEFAULT.retention().plusMillis(1));
      guard.firstSighting("alice", id(100), clock.millis());

      assertThat(guard.size()).isEqualTo(1);
    }
  }
}
