package dev.ztchat.server.store;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The relay's durable store of devices' published prekeys (docs/v2/prekeys.md section 4), keyed by
 * user and device (the SHA-256 of the device certificate's DER). Each one-time prekey is handed out
 * at most once: {@link #take} removes it in the same committed transaction that reads it, also
 * against concurrent callers and across restarts. The last-resort prekey is never removed.
 *
 * <p>Implementations are thread-safe: {@link SqlitePrekeyStore} (in the data folder's {@code
 * relay.db}) and {@link PostgresPrekeyStore} (in the {@code --store} database, shared by every
 * relay node on it); {@code PrekeyStoreContract} checks both.
 */
public interface PrekeyStore extends AutoCloseable {
  /** Devices kept per user at most; registering one more drops the one registered first. */
  int MAX_DEVICES = 16;

  /** Default most one-time prekeys kept per device. */
  int DEFAULT_MAX_ONE_TIME = 100;

  /**
   * Opens the prekey store beside the offline queue {@code limits} names: in its PostgreSQL
   * database when there is one ({@link QueueLimits#store}), else in the data folder's SQLite store.
   */
  static PrekeyStore open(QueueLimits limits, int maxOneTime, Clock clock) throws IOException {
    var postgres = limits.postgres();
    if (postgres.isPresent()) {
      return PostgresPrekeyStore.open(postgres.get(), maxOneTime, clock);
    }
    return SqlitePrekeyStore.open(limits.dataDir(), maxOneTime, clock);
  }

  /**
   * Stores one publication in one transaction, all or nothing: registers the certificate when it is
   * given (a user may have several devices; the newest registered is the {@link #currentDevice};
   * past {@link #MAX_DEVICES} the one registered first goes), replaces the signed and last-resort
   * prekeys with newer ones, adds the one-time prekeys.
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
