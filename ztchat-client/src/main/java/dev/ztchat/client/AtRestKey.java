package dev.ztchat.client;

import static dev.ztchat.core.crypto.CipherParameters.AES_GCM;
import static dev.ztchat.core.crypto.CipherParameters.AES_KEY_BYTES;
import static dev.ztchat.core.crypto.CipherParameters.GCM_NONCE_BYTES;
import static dev.ztchat.core.crypto.CipherParameters.GCM_TAG_BITS;
import static dev.ztchat.core.crypto.CipherParameters.OAEP_PARAMS;
import static dev.ztchat.core.crypto.CipherParameters.RSA_OAEP;
import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.UserIdentity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key that encrypts the client's local state at rest (conversation history, outbox): a random
 * AES-256 key, created on first use and kept in the store's {@code meta} table only wrapped with
 * RSA-OAEP (SHA-256, MGF1-SHA-256, empty label) for the user's own encryption key, so the records
 * it seals are readable only with that private key. The parameters are the envelope's, from {@link
 * dev.ztchat.core.crypto.CipherParameters}.
 *
 * <p>Security guarantees: each record is sealed with AES-256-GCM under a fresh random 96-bit nonce
 * and a 128-bit tag; its associated data ({@link #binding}) names the table and the row the record
 * belongs to, so a body copied into another row, or a row whose bound fields were edited, fails to
 * open. A store whose key was wrapped for another identity, or whose wrapped key is damaged, is
 * refused with an explanation; a new key is never created over existing encrypted rows.
 *
 * <p>Not guaranteed: metadata (peer names, message ids, times, delivery states, the number and size
 * of rows) is stored in clear. Someone who can write the file can delete rows or put back an older
 * copy of the whole file; that is not detected. The protection is as strong as the protection of
 * the encryption private key: a copy of {@code client.db} alone reveals no message text, a copy of
 * the data folder together with the user's key files does.
 *
 * <p>The raw key never leaves this class; {@link #toString()} names only the owner's key
 * fingerprint. Thread-safe.
 */
final class AtRestKey {
  /** The {@code meta} row holding {@code v1:<owner key fingerprint>:<base64 wrapped key>}. */
  static final String META_KEY = "at_rest_key";

  private static final String FORMAT = "v1";
  private static final byte[] DOMAIN = "ztchat at-rest v1".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKey key;
  private final String ownerFingerprint;

  private AtRestKey(SecretKey key, String ownerFingerprint) {
    this.key = key;
    this.ownerFingerprint = ownerFingerprint;
  }

  /**
   * Unwraps the store's at-rest key with {@code me}'s encryption private key, creating and storing
   * (wrapped) a new one if the store has none yet and holds no encrypted rows.
   *
   * @throws IOException if the key was wrapped for another identity's key, cannot be unwrapped, or
   *     is missing while encrypted rows exist; the message says what to do
   */
  public static AtRestKey openOrCreate(ClientStore store, UserIdentity me) throws IOException {
    return openOrCreate(store, me, List.of());
  }

  /**
   * As {@link #openOrCreate(ClientStore, UserIdentity)}, and after a key renewal: when the store's
   * key was wrapped for one of {@code previousEncryption} (the identity's earlier encryption keys,
   * kept by {@code pki renew}), it is unwrapped with that key and re-wrapped for the current one,
   * so the history stays readable with the new key alone.
   */
  public static AtRestKey openOrCreate(
      ClientStore store, UserIdentity me, List<Credential> previousEncryption) throws IOException {
    requireNonNull(store, "store");
    synchronized (store) { // the shared connection's rule (ClientStore#db)
      return openOrCreateHoldingStore(store, me, previousEncryption);
    }
  }

  private static AtRestKey openOrCreateHoldingStore(
      ClientStore store, UserIdentity me, List<Credential> previousEncryption) throws IOException {
    rewrapIfRenewed(store, me, previousEncryption);
    requireNonNull(me, "me");
    PublicKey publicKey = me.encryption().certificate().getPublicKey();
    String mine = KeyFingerprints.ofKey(me.encryption().certificate());
    try {
      String stored = readMeta(store);
      if (stored == null) {
        refuseIfEncryptedRowsExist(store);
        byte[] fresh = new byte[AES_KEY_BYTES];
        RANDOM.nextBytes(fresh);
        try {
          String value =
              FORMAT
                  + ":"
                  + mine
                  + ":"
                  + Base64.getEncoder().encodeToString(wrap(publicKey, fresh));
          // OR IGNORE: if another process created a key meanwhile, that one wins and is read below.
          try (PreparedStatement u =
              store.db().prepareStatement("INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)")) {
            u.setString(1, META_KEY);
            u.setString(2, value);
            u.executeUpdate();
          }
        } finally {
          Arrays.fill(fresh, (byte) 0);
        }
        stored = readMeta(store);
      }
      return unwrapStored(store, stored, me.encryption().privateKey(), mine);
    } catch (SQLException e) {
      throw new IOException(
          "cannot read the at-rest key from " + store.file() + ": " + e.getMessage(), e);
    }
  }

  private static void rewrapIfRenewed(ClientStore store, UserIdentity me, List<Credential> previous)
      throws IOException {
    String mine = KeyFingerprints.ofKey(me.encryption().certificate());
    String stored;
    try {
      stored = readMeta(store);
    } catch (SQLException e) {
      throw new IOException(
          "cannot read the at-rest key from " + store.file() + ": " + e.getMessage(), e);
    }
    String[] parts = stored == null ? new String[0] : stored.split(":", -1);
    if (parts.length != 3 || !FORMAT.equals(parts[0]) || parts[1].equals(mine)) {
      return;
    }
    for (Credential old : previous) {
      if (!KeyFingerprints.ofKey(old.certificate()).equals(parts[1])) {
        continue;
      }
      byte[] raw = null;
      try {
        raw = unwrap(old.privateKey(), Base64.getDecoder().decode(parts[2]));
        String value =
            FORMAT
                + ":"
                + mine
                + ":"
                + Base64.getEncoder()
                    .encodeToString(wrap(me.encryption().certificate().getPublicKey(), raw));
        try (PreparedStatement u =
            store.db().prepareStatement("UPDATE meta SET value = ? WHERE key = ? AND value = ?")) {
          u.setString(1, value);
          u.setString(2, META_KEY);
          u.setString(3, stored);
          u.executeUpdate();
        }
        return;
      } catch (IllegalArgumentException | GeneralSecurityException e) {
        throw damaged(
            store, "its at-rest key cannot be unwrapped with the previous encryption key either");
      } catch (SQLException e) {
        throw new IOException(
            "cannot re-wrap the at-rest key in " + store.file() + ": " + e.getMessage(), e);
      } finally {
        if (raw != null) {
          Arrays.fill(raw, (byte) 0);
        }
      }
    }
  }

  private static AtRestKey unwrapStored(
      ClientStore store, String stored, PrivateKey privateKey, String mine) throws IOException {
    String[] parts = stored == null ? new String[0] : stored.split(":", -1);
    if (parts.length != 3 || !FORMAT.equals(parts[0])) {
      throw damaged(store, "its at-rest key record is unreadable");
    }
    if (!parts[1].equals(mine)) {
      throw new IOException(
          "the local store "
              + store.file()
              + " belongs to another key: its history was encrypted for the encryption key "
              + shortFingerprint(parts[1])
              + ", but this identity's encryption key is "
              + shortFingerprint(mine)
              + ". Open it with the identity and key files that created it, or move the folder "
              + store.dataDir()
              + " aside to start with an empty history. Nothing was changed.");
    }
    byte[] raw = null;
    try {
      raw = unwrap(privateKey, Base64.getDecoder().decode(parts[2]));
      return new AtRestKey(new SecretKeySpec(raw, "AES"), mine);
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      // The fingerprint matched, so either the record or the private key file is not what it was.
      throw damaged(
          store, "its at-rest key cannot be unwrapped with this identity's encryption key");
    } finally {
      if (raw != null) {
        Arrays.fill(raw, (byte) 0);
      }
    }
  }

  private static IOException damaged(ClientStore store, String what) {
    return new IOException(
        "the local store "
            + store.file()
            + " is damaged or belongs to another key: "
            + what
            + ". Check that this identity's key files are the ones that created it, or move the"
            + " folder "
            + store.dataDir()
            + " aside to start with an empty history. Nothing was changed.");
  }

  private static void refuseIfEncryptedRowsExist(ClientStore store)
      throws SQLException, IOException {
    try (Statement s = store.db().createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT EXISTS (SELECT 1 FROM history) OR EXISTS (SELECT 1 FROM outbox)")) {
      if (rs.next() && rs.getBoolean(1)) {
        throw damaged(store, "it holds encrypted history but its at-rest key record is missing");
      }
    }
  }

  private static String readMeta(ClientStore store) throws SQLException {
    try (PreparedStatement q =
        store.db().prepareStatement("SELECT value FROM meta WHERE key = ?")) {
      q.setString(1, META_KEY);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static byte[] wrap(PublicKey publicKey, byte[] raw) {
    try {
      Cipher cipher = Cipher.getInstance(RSA_OAEP);
      cipher.init(Cipher.ENCRYPT_MODE, publicKey, OAEP_PARAMS, RANDOM);
      return cipher.doFinal(raw);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot wrap the at-rest key with RSA-OAEP", e);
    }
  }

  private static byte[] unwrap(PrivateKey privateKey, byte[] wrapped)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance(RSA_OAEP);
    cipher.init(Cipher.DECRYPT_MODE, privateKey, OAEP_PARAMS);
    byte[] raw = cipher.doFinal(wrapped);
    if (raw.length != AES_KEY_BYTES) {
      Arrays.fill(raw, (byte) 0);
      throw new GeneralSecurityException("unwrapped key has the wrong length");
    }
    return raw;
  }

  /**
   * Associated data naming where a record lives: a domain label, then each field length-prefixed,
   * so no two different field lists give the same bytes. Start with the table name.
   */
  static byte[] binding(String... fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(DOMAIN);
    for (String field : fields) {
      byte[] b = field.getBytes(StandardCharsets.UTF_8);
      out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
      out.writeBytes(b);
    }
    return out.toByteArray();
  }

  /**
   * Encrypts {@code plaintext} bound to {@code aad}; returns the 12-byte nonce followed by the
   * ciphertext and 16-byte tag. A fresh random nonce is drawn for every call.
   */
  public byte[] seal(byte[] plaintext, byte[] aad) {
    requireNonNull(plaintext, "plaintext");
    requireNonNull(aad, "aad");
    byte[] nonce = new byte[GCM_NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance(AES_GCM);
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(GCM_TAG_BITS, nonce));
      cipher.updateAAD(aad);
      byte[] sealed = new byte[GCM_NONCE_BYTES + cipher.getOutputSize(plaintext.length)];
      System.arraycopy(nonce, 0, sealed, 0, GCM_NONCE_BYTES);
      cipher.doFinal(plaintext, 0, plaintext.length, sealed, GCM_NONCE_BYTES);
      return sealed;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable in this JDK", e);
    }
  }

  /**
   * Decrypts what {@link #seal} returned for the same {@code aad}. Returns the plaintext only if
   * the tag verifies; a record that is too short, altered, or bound to other associated data throws
   * {@link AEADBadTagException} and no plaintext exists.
   */
  public byte[] open(byte[] sealed, byte[] aad) throws AEADBadTagException {
    requireNonNull(sealed, "sealed");
    requireNonNull(aad, "aad");
    if (sealed.length < GCM_NONCE_BYTES + GCM_TAG_BITS / 8) {
      throw new AEADBadTagException("record too short");
    }
    try {
      Cipher cipher = Cipher.getInstance(AES_GCM);
      cipher.init(
          Cipher.DECRYPT_MODE, key, new GCMParameterSpec(GCM_TAG_BITS, sealed, 0, GCM_NONCE_BYTES));
      cipher.updateAAD(aad);
      return cipher.doFinal(sealed, GCM_NONCE_BYTES, sealed.length - GCM_NONCE_BYTES);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable in this JDK", e);
    }
  }

  private static String shortFingerprint(String hex) {
    return hex.length() <= 16 ? hex : hex.substring(0, 16) + "…";
  }

  @Override
  public String toString() {
    return "AtRestKey[owner=" + shortFingerprint(ownerFingerprint) + "]";
  }
}
