package dev.ztchat.client;

import static dev.ztchat.core.crypto.CipherParameters.GCM_NONCE_BYTES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testing.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtRestKeyTest {
  static TestPki pki;
  static UserIdentity alice;
  static UserIdentity mallory;

  @TempDir Path dir;

  @BeforeAll
  static void keys() {
    pki = TestPki.create("alice", "mallory");
    alice = pki.user("alice");
    mallory = pki.user("mallory");
  }

  @Test
  void recordSealedBeforeRestart_opensAfterReopeningWithTheSameIdentity() throws Exception {
    byte[] aad = AtRestKey.binding("test", "row-1");
    byte[] sealed;
    try (ClientStore store = ClientStore.open(dir)) {
      sealed = AtRestKey.openOrCreate(store, alice).seal(bytes("hello"), aad);
    }
    try (ClientStore store = ClientStore.open(dir)) {
      assertThat(AtRestKey.openOrCreate(store, alice).open(sealed, aad)).isEqualTo(bytes("hello"));
    }
  }

  @Test
  void storedKey_isOnlyTheRsaOaepWrappedForm_namingTheOwnersKey() throws Exception {
    try (ClientStore store = ClientStore.open(dir)) {
      AtRestKey.openOrCreate(store, alice);
      String[] parts = metaValue(store).split(":");
      assertThat(parts[0]).isEqualTo("v1");
      assertThat(parts[1]).isEqualTo(KeyFingerprints.ofKey(alice.encryption().certificate()));
      // RSA-2048 OAEP output is one 256-byte block, never the 32-byte key itself.
      assertThat(Base64.getDecoder().decode(parts[2])).hasSize(TestPki.TEST_KEY_BITS / 8);
    }
  }

  @Test
  void openingWithAnotherIdentitysKeys_failsSayingTheStoreBelongsToAnotherKey_andChangesNothing()
      throws Exception {
    String before;
    try (ClientStore store = ClientStore.open(dir)) {
      AtRestKey.openOrCreate(store, alice);
      before = metaValue(store);
    }
    try (ClientStore store = ClientStore.open(dir)) {
      assertThatThrownBy(() -> AtRestKey.openOrCreate(store, mallory))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("belongs to another key")
          .hasMessageContaining("move the folder")
          .hasMessageContaining("Nothing was changed");
      assertThat(metaValue(store)).isEqualTo(before);
    }
  }

  @Test
  void wrappedKeyForAnotherPrivateKeyUnderTheRightFingerprint_isRefusedAsDamaged()
      throws Exception {
    // Mallory's wrapped key relabelled with Alice's fingerprint: unwrapping with Alice's key fails.
    String mallorysValue;
    try (ClientStore other = ClientStore.open(dir.resolve("other"))) {
      AtRestKey.openOrCreate(other, mallory);
      mallorysValue = metaValue(other);
    }
    try (ClientStore store = ClientStore.open(dir)) {
      AtRestKey.openOrCreate(store, alice);
      String[] parts = metaValue(store).split(":");
      setMetaValue(store, parts[0] + ":" + parts[1] + ":" + mallorysValue.split(":")[2]);
      assertThatThrownBy(() -> AtRestKey.openOrCreate(store, alice))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("damaged or belongs to another key")
          .hasMessageContaining("cannot be unwrapped");
    }
  }

  @Test
  void garbledKeyRecord_isRefused_notReplaced() throws Exception {
    try (ClientStore store = ClientStore.open(dir)) {
      AtRestKey.openOrCreate(store, alice);
      setMetaValue(store, "v1:garbage");
      assertThatThrownBy(() -> AtRestKey.openOrCreate(store, alice))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("damaged or belongs to another key");
      assertThat(metaValue(store)).isEqualTo("v1:garbage");
    }
  }

  @Test
  void missingKeyRecordWhileEncryptedRowsExist_isRefused_neverANewKeyOverOldData()
      throws Exception {
    try (ClientStore store = ClientStore.open(dir)) {
      AtRestKey.openOrCreate(store, alice);
      try (Statement s = store.db().createStatement()) {
        s.execute(
            "INSERT INTO outbox(token, peer, created_at, body) VALUES ('t', 'bob', 1, x'00')");
        s.execute("DELETE FROM meta WHERE key = '" + AtRestKey.META_KEY + "'");
      }
      assertThatThrownBy(() -> AtRestKey.openOrCreate(store, alice))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("key record is missing");
      try (Statement s = store.db().createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT count(*) FROM meta WHERE key = '" + AtRestKey.META_KEY + "'")) {
        assertThat(rs.getInt(1)).isZero();
      }
    }
  }

  @Test
  void open_withAnotherBinding_isRejected() throws Exception {
    try (ClientStore store = ClientStore.open(dir)) {
      AtRestKey key = AtRestKey.openOrCreate(store, alice);
      byte[] sealed = key.seal(bytes("hello"), AtRestKey.binding("history", "row-1"));
      assertThatThrownBy(() -> key.open(sealed, AtRestKey.binding("history", "row-2")))
          .isInstanceOf(AEADBadTagException.class);
    }
  }

  @Test
  void open_everyByteFlipped_isRejected() throws Exception {
    try (ClientStore store = ClientStore.open(dir)) {
      AtRestKey key = AtRestKey.openOrCreate(store, alice);
      byte[] aad = AtRestKey.binding("history", "row-1");
      byte[] sealed = key.seal(bytes("hello"), aad);
      for (int i = 0; i < sealed.length; i++) {
        byte[] tampered = sealed.clone();
        tampered[i] ^= 0x01;
        assertThatThrownBy(() -> key.open(tampered, aad))
            .as("byte %d flipped", i)
            .isInstanceOf(AEADBadTagException.class);
      }
    }
  }

  @Test
  void open_truncatedOrEmpty_isRejected() throws Exception {
    try (ClientStore store = ClientStore.open(dir)) {
      AtRestKey key = AtRestKey.openOrCreate(store, alice);
      byte[] aad = AtRestKey.binding("t");
      byte[] sealed = key.seal(bytes("hello"), aad);
      assertThatThrownBy(() -> key.open(new byte[0], aad)).isInstanceOf(AEADBadTagException.class);
      assertThatThrownBy(() -> key.open(Arrays.copyOf(sealed, sealed.length - 1), aad))
          .isInstanceOf(AEADBadTagException.class);
    }
  }

  @Test
  void seal_emptyPlaintext_roundTrips_andEachSealUsesAFreshNonce() throws Exception {
    try (ClientStore store = ClientStore.open(dir)) {
      AtRestKey key = AtRestKey.openOrCreate(store, alice);
      byte[] aad = AtRestKey.binding("t");
      byte[] a = key.seal(new byte[0], aad);
      byte[] b = key.seal(new byte[0], aad);
      assertThat(a).hasSize(GCM_NONCE_BYTES + 16);
      assertThat(Arrays.copyOf(a, GCM_NONCE_BYTES)).isNotEqualTo(Arrays.copyOf(b, GCM_NONCE_BYTES));
      assertThat(key.open(a, aad)).isEmpty();
    }
  }

  @Test
  void binding_isUnambiguousAcrossFieldBoundaries() {
    assertThat(AtRestKey.binding("ab", "c")).isNotEqualTo(AtRestKey.binding("a", "bc"));
    assertThat(AtRestKey.binding("a", "")).isNotEqualTo(AtRestKey.binding("a"));
  }

  @Test
  void toString_namesOnlyTheOwnersFingerprint() throws Exception {
    try (ClientStore store = ClientStore.open(dir)) {
      assertThat(AtRestKey.openOrCreate(store, alice).toString())
          .matches("AtRestKey\\[owner=[0-9a-f]{16}…\\]");
    }
  }

  static String metaValue(ClientStore store) throws SQLException {
    try (PreparedStatement q =
        store.db().prepareStatement("SELECT value FROM meta WHERE key = ?")) {
      q.setString(1, AtRestKey.META_KEY);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  static void setMetaValue(ClientStore store, String value) throws SQLException {
    try (PreparedStatement u =
        store.db().prepareStatement("UPDATE meta SET value = ? WHERE key = ?")) {
      u.setString(1, value);
      u.setString(2, AtRestKey.META_KEY);
      u.executeUpdate();
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
