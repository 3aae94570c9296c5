package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.conversation.SessionStore;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.session.MalformedSessionDataException;
import dev.ztchat.core.session.PrekeyStore;
import dev.ztchat.core.session.SignedPrekey;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this device's prekeys published on the relay (docs/v2/prekeys.md section 6): makes them
 * once, keeps them in the {@link SessionStore} (sealed at rest) before any leaves the device,
 * publishes certificate and signed prekey, then the last-resort prekey, on every connection to a
 * relay that routes version 2, tops the one-time supply up to the relay's limit when it has fallen
 * below half, in batches that fit the relay's frame limit, paced; rotates the signed prekey when
 * due and forgets a replaced one when its grace has passed.
 *
 * <p>It runs off the connection's path (the caller's background thread): a failure is logged
 * without key material and retried on the next connection; it never ends the connection. The
 * private halves stay in the {@link PrekeyStore}, which is shared with the version-2 opener.
 * Thread-safe: one publication at a time.
 */
final class PrekeyPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(PrekeyPublisher.class);

  /** Base64 and JSON of one ML-KEM-768 prekey in a {@code prekeys} frame, rounded up. */
  private static final int ONE_TIME_FRAME_BYTES = 1700;

  /** Room for the frame's type, ref and device members. */
  private static final int FRAME_OVERHEAD = 200;

  /** The most one-time prekeys a {@code prekeys} frame may carry (docs/v2/prekeys.md 3.1). */
  static final int MAX_PER_FRAME = 8;

  /** Pause between top-up frames: at most 10 frames a second (docs/v2/prekeys.md section 3.3). */
  static final Duration PACE = Duration.ofMillis(100);

  private final SessionStore store;
  private final DeviceKey device;
  private final byte[] certificateDer;
  private final String deviceId;
  private final Clock clock;
  private final SecureRandom random;
  private PrekeyStore prekeys; // guarded by this
  private volatile Frame.PrekeyStock lastStock;

  PrekeyPublisher(SessionStore store, DeviceKey device, Clock clock, SecureRandom random) {
    this.store = requireNonNull(store, "store");
    this.device = requireNonNull(device, "device");
    this.clock = requireNonNull(clock, "clock");
    this.random = requireNonNull(random, "random");
    try {
      this.certificateDer = device.certificate().getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("the device certificate cannot be encoded", e);
    }
    this.deviceId = HexFormat.of().formatHex(device.certificateHash());
  }

  /** This device's id as frames carry it: hex SHA-256 of its certificate's DER. */
  String deviceId() {
    return deviceId;
  }

  /**
   * This device's prekeys: read from the store, or made (and saved) the first time, or made afresh
   * when the stored ones belong to an earlier device certificate.
   */
  synchronized PrekeyStore prekeys() throws IOException {
    if (prekeys != null) {
      return prekeys;
    }
    var stored = store.prekeys();
    if (stored.isPresent()) {
      try {
        PrekeyStore p = PrekeyStore.fromBytes(stored.get());
        if (MessageDigest.isEqual(p.certificateHash(), device.certificateHash())) {
          prekeys = p;
          return p;
        }
        LOG.info("the device certificate changed: making prekeys for the new one");
      } catch (MalformedSessionDataException e) {
        throw new IOException(
            "this device's stored prekeys are damaged ("
                + e.getMessage()
                + "); remove the data folder to start afresh",
            e);
      } finally {
        java.util.Arrays.fill(stored.get(), (byte) 0);
      }
    }
    PrekeyStore fresh = PrekeyStore.generate(device, 0, clock.instant(), random);
    save(fresh);
    prekeys = fresh;
    return fresh;
  }

  /**
   * Saves {@code p} holding its monitor, so that a snapshot taken here cannot overwrite a later one
   * the version-2 opener saved after using up a one-time prekey.
   */
  private void save(PrekeyStore p) throws IOException {
    synchronized (p) {
      byte[] bytes = p.toBytes();
      try {
        store.savePrekeys(bytes);
      } finally {
        java.util.Arrays.fill(bytes, (byte) 0);
      }
    }
  }

  /**
   * Publishes on {@code conn} what the relay lacks and returns what it holds afterwards. Throws
   * what the relay or the store reported; the caller logs it and tries again on the next
   * connection.
   */
  synchronized Frame.PrekeyStock publish(RelayConnection conn) throws IOException {
    PrekeyStore p = prekeys();
    Instant now = clock.instant();
    if (p.rotationDue(now)) {
      p.rotateSignedPrekey(device, now, random);
    }
    p.dropExpired(now);
    save(p); // before the new signed prekey can leave the device
    Frame.PrekeyStock stock =
        send(conn, certificateDer, p.signedPrekey().encode(), null, List.of());
    SignedPrekey lastResort = p.lastResortPrekey();
    if (!idHex(lastResort.id()).equals(stock.lastResortId())) {
      stock = send(conn, null, null, lastResort.encode(), List.of());
    }
    return topUp(conn, p, stock);
  }

  private Frame.PrekeyStock topUp(RelayConnection conn, PrekeyStore p, Frame.PrekeyStock stock)
      throws IOException {
    int limit = stock.oneTimeLimit();
    if (stock.oneTime() >= limit / 2) {
      return stock;
    }
    long next = Long.parseUnsignedLong(stock.nextOneTimeId(), 16);
    List<SignedPrekey> unpublished = unpublished(p, next);
    int wanted = limit - stock.oneTime();
    int room = PrekeyStore.MAX_ONE_TIME - p.oneTimePrekeys().size();
    int make = Math.min(wanted - unpublished.size(), room);
    if (make > 0) {
      p.addOneTimePrekeys(device, make, random);
      save(p); // the private halves are kept before the public ones leave
      unpublished = unpublished(p, next);
    }
    if (unpublished.size() < wanted) {
      LOG.warn(
          "this device holds {} one-time prekeys the relay may still hand out; publishing {} of"
              + " the {} wanted",
          p.oneTimePrekeys().size() - unpublished.size(),
          unpublished.size(),
          wanted);
    }
    int perFrame = perFrame(conn.welcome().maxFrame());
    int sent = 0;
    while (sent < unpublished.size() && stock.oneTime() < limit) {
      if (sent > 0) {
        pause();
      }
      int n = Math.min(Math.min(perFrame, unpublished.size() - sent), limit - stock.oneTime());
      List<byte[]> batch = new ArrayList<>();
      for (SignedPrekey k : unpublished.subList(sent, sent + n)) {
        batch.add(k.encode());
      }
      stock = send(conn, null, null, null, batch);
      sent += n;
    }
    return stock;
  }

  /** One {@code prekeys} frame; what the relay holds afterwards is kept as {@link #lastStock()}. */
  private Frame.PrekeyStock send(
      RelayConnection conn,
      byte[] certificate,
      byte[] signedPrekey,
      byte[] lastResort,
      List<byte[]> oneTime)
      throws IOException {
    Frame.PrekeyStock stock =
        conn.publishPrekeys(deviceId, certificate, signedPrekey, lastResort, oneTime);
    lastStock = stock;
    return stock;
  }

  /** What the relay last said it holds of this device's prekeys; null before any answer. */
  Frame.PrekeyStock lastStock() {
    return lastStock;
  }

  /** The one-time prekeys the relay has not accepted yet (ids at or above its next id). */
  private static List<SignedPrekey> unpublished(PrekeyStore p, long nextOneTimeId) {
    return p.oneTimePrekeys().stream().filter(k -> k.id() >= nextOneTimeId).toList();
  }

  /** One-time prekeys that fit one {@code prekeys} frame under {@code maxFrame}. */
  static int perFrame(int maxFrame) {
    return Math.max(1, Math.min(MAX_PER_FRAME, (maxFrame - FRAME_OVERHEAD) / ONE_TIME_FRAME_BYTES));
  }

  private static void pause() throws IOException {
    try {
      Thread.sleep(PACE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while publishing prekeys", e);
    }
  }

  private static String idHex(long id) {
    return String.format("%08x", id);
  }
}
