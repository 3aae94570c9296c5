package dev.ztchat.server.store;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The relay's durable store of devices' published prekeys (docs/v2/prekeys.md section 4), keyed by
 * user and device (the SHA-256 of the device certificate's DER). Each one-time prekey is handed out
 * at most once: {@link #take} removes it in the same committed transaction that reads it, also
 * against concurrent callers and across restarts. The last-resort prekey is never removed.
 *
 * <p>Implementations are thread-safe. SQLite is the only one today ({@link SqlitePrekeyStore});
 * PostgreSQL comes later behind this interface.
 */
public interface PrekeyStore extends AutoCloseable {
  /**
   * Stores one publication in one transaction, all or nothing: registers the certificate when it is
   * given (a user may have several devices; the newest registered is the {@link #currentDevice};
   * past {@link SqlitePrekeyStore#MAX_DEVICES} the one registered first goes), replaces the signed
   * and last-resort prekeys with newer ones, adds the one-time prekeys.
   *
   * @throws PrekeyRefusedException for an unknown device, an id at or below one published before
   *     with other bytes, or more one-time prekeys than the device may have
   */
  DevicePrekeys publish(PrekeyUpload upload) throws IOException, PrekeyRefusedException;

  /** What the store holds for {@code owner}'s {@code device}, if it knows that device. */
  Optional<DevicePrekeys> stock(String owner, byte[] device) throws IOException;

  /** Every device of {@code owner} the store holds, the one registered last first. */
  List<StoredDevice> devices(String owner) throws IOException;

  /** {@code owner}'s device with the most recent certificate, if the store holds one. */
  Optional<StoredDevice> currentDevice(String owner) throws IOException;

  /**
   * A bundle of {@code owner}'s {@code device}: its signed prekey with, when {@code oneTimeAllowed}
   * and one is left, a one-time prekey (removed, committed, before this returns), else its
   * last-resort prekey. Empty when the device has no signed prekey or no KEM prekey to give.
   */
  Optional<HandedOutBundle> take(String owner, byte[] device, boolean oneTimeAllowed)
      throws IOException;

  @Override
  void close();
}
