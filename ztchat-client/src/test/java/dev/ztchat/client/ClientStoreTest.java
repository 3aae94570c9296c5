package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testing.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientStoreTest {
  static UserIdentity alice;

  @TempDir Path dir;

  @BeforeAll
  static void keys() {
    alice = TestPki.create("alice").user("alice");
  }

  @Test
  void messageText_neverReachesTheDatabaseFileOrItsWriteAheadLog() throws Exception {
    String incoming = "incoming-plaintext-7f3a the eagle lands at dawn";
    String outgoing = "outgoing-plaintext-91c2 meet at the old mill";
    String queued = "queued-plaintext-55d0 bring the blue folder";
    List<Path> files;
    try (ClientStore store = ClientStore.open(dir)) {
      AtRestKey key = AtRestKey.openOrCreate(store, alice);
      ConversationHistory history = new ConversationHistory(store, key, Clock.systemUTC());
      history.recordIncoming("bob", "00112233445566778899aabbccddeeff", Instant.now(), incoming);
      history.recordOutgoing("bob", "ffeeddccbbaa99887766554433221100", Instant.now(), outgoing);
      new Outbox(store, key, Clock.systemUTC()).enqueue("bob", queued);

      files = storeFiles();
      assertThat(files)
          .extracting(p -> p.getFileName().toString())
          .contains("client.db", "client.db-wal");
      assertNoPlaintext(files, incoming, outgoing, queued);
    }
    // Closing checkpoints the log into the main file.
    assertNoPlaintext(storeFiles(), incoming, outgoing, queued);
  }

  @Test
  void databaseFileAndItsCompanions_stayOwnerOnly() throws Exception {
    try (ClientStore store = ClientStore.open(dir)) {
      new Outbox(store, AtRestKey.openOrCreate(store, alice), Clock.systemUTC())
          .enqueue("bob", "x");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
          .isEqualTo("rwx------");
      for (Path f : storeFiles()) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
            .as(f.getFileName().toString())
            .isEqualTo("rw-------");
      }
    }
    Files.setPosixFilePermissions(
        dir.resolve("client.db"), PosixFilePermissions.fromString("rw-r--r--"));
    try (ClientStore store = ClientStore.open(dir)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())))
          .isEqualTo("rw-------");
    }
  }

  @Test
  void versionOneStore_isMigrated_keepingItsPins() throws Exception {
    Files.createDirectories(dir);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("client.db"));
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
      s.execute(
          "CREATE TABLE pins (name TEXT PRIMARY KEY, signing_key TEXT NOT NULL,"
              + " encryption_key TEXT NOT NULL, pinned_at INTEGER NOT NULL)");
      s.execute("INSERT INTO pins VALUES ('bob', 'aa', 'bb', 1)");
      s.execute("INSERT INTO meta VALUES ('schema_version', '1')");
    }

    try (ClientStore store = ClientStore.open(dir);
        Statement s = store.db().createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE key = 'schema_version'")) {
        assertThat(rs.getString(1)).isEqualTo(String.valueOf(ClientStore.SCHEMA_VERSION));
      }
      try (ResultSet rs = s.executeQuery("SELECT name, signing_key, encryption_key FROM pins")) {
        assertThat(rs.getString(1) + rs.getString(2) + rs.getString(3)).isEqualTo("bobaabb");
      }
      ConversationHistory history =
          new ConversationHistory(store, AtRestKey.openOrCreate(store, alice), Clock.systemUTC());
      assertThat(history.recordIncoming("bob", "0011", Instant.now(), "works")).isTrue();
    }
  }

  @Test
  void storeFromANewerVersion_isRefused() throws Exception {
    try (ClientStore store = ClientStore.open(dir);
        Statement s = store.db().createStatement()) {
      s.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'");
    }

    assertThatThrownBy(() -> ClientStore.open(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("newer ztchat");
  }

  @Test
  void stateFoldersLeftWideByAnOlderVersion_areTightenedTo0700_andTheirFilesTo0600()
      throws Exception {
    Path top = dir.resolve(".ztchat");
    Path caFolder = top.resolve("0123456789abcdef");
    Path state = caFolder.resolve("bob");
    Files.createDirectories(state);
    for (Path p : List.of(top, caFolder, state)) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Path old = Files.writeString(state.resolve("history.txt"), "x");
    Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rw-r--r--"));

    ClientStore.ensurePrivateFolders(top, state);
    try (ClientStore store = ClientStore.open(state, "bob")) {
      for (Path p : List.of(top, caFolder, state)) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
            .as("%s", p)
            .isEqualTo("rwx------");
      }
      try (var files = Files.list(state)) {
        for (Path f : files.toList()) {
          assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
              .as("%s", f)
              .isEqualTo("rw-------");
        }
      }
    }
  }

  @Test
  void foldersTheStoreCreates_areAll0700() throws Exception {
    Path state = dir.resolve("a").resolve("b").resolve("bob");
    try (ClientStore store = ClientStore.open(state, "bob")) {
      for (Path p : List.of(dir.resolve("a"), dir.resolve("a").resolve("b"), state)) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
            .as("%s", p)
            .isEqualTo("rwx------");
      }
    }
  }

  private List<Path> storeFiles() throws IOException {
    List<Path> out = new ArrayList<>();
    try (var files = Files.list(dir)) {
      files.filter(p -> p.getFileName().toString().startsWith("client.db")).forEach(out::add);
    }
    return out;
  }

  private static void assertNoPlaintext(List<Path> files, String... texts) throws IOException {
    for (Path f : files) {
      String raw = HexFormat.of().formatHex(Files.readAllBytes(f));
      for (String t : texts) {
        assertThat(raw)
            .as("%s must not hold the text", f.getFileName())
            .doesNotContain(HexFormat.of().formatHex(t.getBytes(StandardCharsets.UTF_8)))
            .doesNotContain(
                HexFormat.of().formatHex(t.substring(0, 16).getBytes(StandardCharsets.UTF_8)));
      }
    }
  }
}
