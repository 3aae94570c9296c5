package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.PeerVersions;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.pki.CertificateRejectedException;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.CrlRejectedException;
import dev.ztchat.core.pki.IdentityName;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.session.MalformedSessionDataException;
import dev.ztchat.core.session.PrekeyBundle;
import dev.ztchat.core.session.PrekeyKind;
import dev.ztchat.core.session.SessionSetupException;
import dev.ztchat.core.session.SignedPrekey;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Peers' version-2 devices: fetches a peer's prekey bundle from the relay and accepts it only when
 * its device certificate is valid for the peer (chain to our root CA, role device, CN = the peer,
 * not revoked by the CA's current list) and its prekeys' signatures verify with it
 * (docs/v2/session-setup.md section 4; docs/v2/prekeys.md section 3.2). A verified bundle proves
 * the peer speaks version 2 ({@link PeerVersions}), and its device id is remembered (table {@code
 * peer_devices}): that is the peer's pinned version-2 key (trust on first use), and a different
 * device later is told to the user, as a key change is.
 *
 * <p>{@code no_prekeys} from the relay means the peer has no version-2 device, or hides it: {@link
 * Lookup.NoDevice}; what that allows (version 1, or nothing) is the sender's decision. Thread-safe.
 */
final class PeerDevices {
  /** What the relay gave for a peer. */
  sealed interface Lookup {
    /** A verified bundle of the peer's device. */
    record Found(
        String peer, byte[] deviceId, PrekeyBundle bundle, boolean lastResort, List<String> listed)
        implements Lookup {
      public Found {
        deviceId = deviceId.clone();
        listed = List.copyOf(listed);
      }

      @Override
      public byte[] deviceId() {
        return deviceId.clone();
      }
    }

    /** The relay has no prekeys for the peer ({@code no_prekeys}). */
    record NoDevice(String peer) implements Lookup {}
  }

  private final ContactDirectory.ConnectionSource relay;
  private final CertificateVerifier verifier;
  private final ContactDirectory contacts;
  private final ClientStore store;
  private final PeerVersions versions;
  private final Clock clock;
  private final Consumer<String> notices;

  /** Told of each device newly accepted after the first contact; none until set. */
  private volatile java.util.function.BiConsumer<String, String> accepted = (person, device) -> {};

  PeerDevices(
      ContactDirectory.ConnectionSource relay,
      CertificateVerifier verifier,
      ContactDirectory contacts,
      ClientStore store,
      PeerVersions versions,
      Clock clock,
      Consumer<String> notices) {
    this.relay = requireNonNull(relay, "relay");
    this.verifier = requireNonNull(verifier, "verifier");
    this.contacts = requireNonNull(contacts, "contacts");
    this.store = requireNonNull(store, "store");
    this.versions = requireNonNull(versions, "versions");
    this.clock = requireNonNull(clock, "clock");
    this.notices = requireNonNull(notices, "notices");
    try (java.sql.Statement st = store.db().createStatement()) {
      st.execute(
          "CREATE TABLE IF NOT EXISTS peer_device_set (peer TEXT NOT NULL, device TEXT NOT NULL,"
              + " learnt_at INTEGER NOT NULL, accepted INTEGER NOT NULL DEFAULT 1,"
              + " PRIMARY KEY (peer, device))");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot prepare the table of devices: " + e.getMessage(), e);
    }
  }

  /**
   * The devices of {@code person} this device seals to (docs/v2/devices.md section 6), as 64 hex
   * digits, in the order learnt; empty when none was learnt yet.
   */
  List<String> deviceSet(String person) throws IOException {
    synchronized (store) {
      return devices(person, 1);
    }
  }

  /** The devices of {@code person} learnt but not accepted yet: nothing is sealed to them. */
  List<String> heldDevices(String person) throws IOException {
    synchronized (store) {
      return devices(person, 0);
    }
  }

  private List<String> devices(String person, int accepted) throws IOException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement q =
        store
            .db()
            .prepareStatement(
                "SELECT device FROM peer_device_set WHERE peer = ? AND accepted = ?"
                    + " ORDER BY learnt_at, device")) {
      q.setString(1, person);
      q.setInt(2, accepted);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw new IOException("cannot read the devices of " + person + ": " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * Says whom to tell, with the person and the device (hex), of each device of a person accepted
   * into this device's sets after the first contact: one added accepted by {@link #addToSet(String,
   * List, boolean)} or one the user {@link #accept accepted} (docs/v2/groups.md section 6.6). Told
   * on the caller's thread, after the set was stored.
   */
  void onAccepted(java.util.function.BiConsumer<String, String> tell) {
    this.accepted = requireNonNull(tell, "tell");
  }

  /**
   * Adds {@code devices} (hex) to {@code person}'s device set, accepted, as learnt at the first
   * contact (nobody is told); those known are left as they are.
   */
  void addToSet(String person, List<String> devices) throws IOException {
    insert(person, devices, true);
  }

  /**
   * Adds {@code devices} (hex) to {@code person}'s devices, accepted or held until the user accepts
   * them; those known are left as they are. Returns the ones that were new.
   */
  List<String> addToSet(String person, List<String> devices, boolean accepted) throws IOException {
    List<String> added = insert(person, devices, accepted);
    if (accepted) {
      added.forEach(d -> this.accepted.accept(person, d));
    }
    return added;
  }

  private List<String> insert(String person, List<String> devices, boolean accepted)
      throws IOException {
    synchronized (store) {
      List<String> added = new ArrayList<>();
      try (PreparedStatement u =
          store
              .db()
              .prepareStatement(
                  "INSERT OR IGNORE INTO peer_device_set (peer, device, learnt_at, accepted)"
                      + " VALUES (?, ?, ?, ?)")) {
        for (String d : devices) {
          u.setString(1, person);
          u.setString(2, d);
          u.setLong(3, clock.millis());
          u.setInt(4, accepted ? 1 : 0);
          if (u.executeUpdate() == 1) {
            added.add(d);
          }
        }
      } catch (SQLException e) {
        throw new IOException("cannot record the devices of " + person + ": " + e.getMessage(), e);
      }
      return added;
    }
  }

  /** When {@code person}'s held device {@code device} (hex) was learnt; empty if not held. */
  Optional<java.time.Instant> heldSince(String person, String device) throws IOException {
    synchronized (store) {
      try (PreparedStatement q =
          store
              .db()
              .prepareStatement(
                  "SELECT learnt_at FROM peer_device_set WHERE peer = ? AND device = ?"
                      + " AND accepted = 0")) {
        q.setString(1, person);
        q.setString(2, device);
        try (ResultSet rs = q.executeQuery()) {
          return rs.next()
              ? Optional.of(java.time.Instant.ofEpochMilli(rs.getLong(1)))
              : Optional.empty();
        }
      } catch (SQLException e) {
        throw new IOException("cannot read the devices of " + person + ": " + e.getMessage(), e);
      }
    }
  }

  /** The user accepted {@code person}'s device {@code device} (hex): it is sealed to from now. */
  void accept(String person, String device) throws IOException {
    boolean changed;
    synchronized (store) {
      try (PreparedStatement u =
          store
              .db()
              .prepareStatement(
                  "UPDATE peer_device_set SET accepted = 1 WHERE peer = ? AND device = ?"
                      + " AND accepted = 0")) {
        u.setString(1, person);
        u.setString(2, device);
        changed = u.executeUpdate() == 1;
      } catch (SQLException e) {
        throw new IOException("cannot accept a device of " + person + ": " + e.getMessage(), e);
      }
    }
    if (changed) {
      accepted.accept(person, device);
    }
  }

  /** Makes the next revocation check fetch the CA's list from the relay again. */
  void forgetRevocations() {
    contacts.forgetRevocations();
  }

  /** A device id as people compare it: 64 hex digits in groups of four. */
  static String fingerprint(String deviceHex) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < deviceHex.length(); i += 4) {
      b.append(i == 0 ? "" : " ").append(deviceHex, i, Math.min(deviceHex.length(), i + 4));
    }
    return b.toString();
  }

  /** Removes {@code devices} (hex) from {@code person}'s device set. */
  void removeFromSet(String person, List<String> devices) throws IOException {
    synchronized (store) {
      try (PreparedStatement u =
          store
              .db()
              .prepareStatement("DELETE FROM peer_device_set WHERE peer = ? AND device = ?")) {
        for (String d : devices) {
          u.setString(1, person);
          u.setString(2, d);
          u.executeUpdate();
        }
      } catch (SQLException e) {
        throw new IOException("cannot forget devices of " + person + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Fetches and verifies the bundle of {@code person}'s device {@code deviceHex}; empty when the
   * relay holds none for it ({@code no_prekeys}). Takes one of that device's one-time prekeys.
   *
   * @throws UntrustedContactException when the answer does not verify or is for another device
   */
  Optional<Lookup.Found> fetchDevice(String person, String deviceHex)
      throws IOException, UntrustedContactException {
    Frame.PrekeyBundle answer;
    try {
      answer = RateLimitPacing.paced(() -> relay.current().fetchBundle(person, deviceHex));
    } catch (RelayConnection.RelayException e) {
      if (e.code() == ErrorCode.NO_PREKEYS) {
        return Optional.empty();
      }
      throw e;
    }
    Lookup.Found found = verify(person, answer);
    if (!HexFormat.of().formatHex(found.deviceId()).equals(deviceHex)) {
      throw refused(person, "the server answered with another device than asked for");
    }
    return Optional.of(found);
  }

  /**
   * Fetches a bundle of {@code person}'s newest device and the list of their devices it carries,
   * without telling anything (for the sender's own devices); empty on {@code no_prekeys}.
   */
  Optional<Lookup.Found> fetchList(String person) throws IOException, UntrustedContactException {
    try {
      return Optional.of(
          verify(person, RateLimitPacing.paced(() -> relay.current().fetchBundle(person))));
    } catch (RelayConnection.RelayException e) {
      if (e.code() == ErrorCode.NO_PREKEYS) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * Fetches and verifies a bundle of {@code peer}'s device. Each call may take one of the peer's
   * one-time prekeys: call it only to start a session.
   *
   * @throws UntrustedContactException when the relay's answer does not verify (nothing of it is
   *     used) or names no such user
   * @throws IOException when the relay cannot be asked, answers {@code internal}, or keeps
   *     answering {@code rate_limited} ({@link RateLimitPacing})
   */
  Lookup fetch(String peer) throws IOException, UntrustedContactException {
    if (!IdentityName.isValid(peer)) {
      throw new UntrustedContactException("'" + peer + "' is not a valid user name");
    }
    Frame.PrekeyBundle answer;
    try {
      answer = RateLimitPacing.paced(() -> relay.current().fetchBundle(peer));
    } catch (RelayConnection.RelayException e) {
      if (e.code() == ErrorCode.NO_PREKEYS) {
        return new Lookup.NoDevice(peer);
      }
      if (e.code() == ErrorCode.UNKNOWN_USER) {
        throw new UntrustedContactException("the server knows no user '" + peer + "'");
      }
      throw e;
    }
    Lookup.Found found = verify(peer, answer);
    versions.proved(peer, V2Envelope.VERSION);
    remember(peer, found.deviceId());
    return found;
  }

  /** Checks {@code answer} completely; returns it as the session library's bundle. */
  Lookup.Found verify(String peer, Frame.PrekeyBundle answer) throws UntrustedContactException {
    PrekeyBundle bundle;
    X509Certificate certificate;
    try {
      bundle =
          new PrekeyBundle(
              answer.certificate(),
              SignedPrekey.decode(answer.signedPrekey()),
              SignedPrekey.decode(answer.kemPrekey()));
      certificate = bundle.verify();
    } catch (MalformedSessionDataException | SessionSetupException | IllegalArgumentException e) {
      throw refused(peer, "its prekey bundle does not verify (" + e.getMessage() + ")");
    }
    PrekeyKind expected =
        answer.lastResort() ? PrekeyKind.LAST_RESORT_ML_KEM_768 : PrekeyKind.ONE_TIME_ML_KEM_768;
    if (bundle.kemPrekey().kind() != expected) {
      throw refused(peer, "the bundle's ML-KEM prekey is not of the kind the server says");
    }
    Optional<String> untrusted = untrusted(peer, certificate);
    if (untrusted.isPresent()) {
      throw refused(peer, untrusted.get());
    }
    byte[] deviceId = sha256(certificate);
    if (!HexFormat.of().formatHex(deviceId).equals(answer.device())) {
      throw refused(peer, "the bundle's device id is not its certificate's");
    }
    return new Lookup.Found(peer, deviceId, bundle, answer.lastResort(), answer.devices());
  }

  /**
   * Checks, before anything more is sealed on a session, that the device certificate it was set up
   * with is still one the CA issued to {@code peer}, valid now and not revoked.
   *
   * @throws UntrustedContactException when it is not: nothing may be sealed to that device
   */
  void checkSessionDevice(String peer, X509Certificate certificate)
      throws UntrustedContactException {
    Optional<String> untrusted = untrusted(peer, certificate);
    if (untrusted.isPresent() && untrusted.get().equals(REVOKED)) {
      throw new UntrustedContactException(
          "the certificate of '"
              + peer
              + "' was revoked by the CA (the device certificate this conversation uses)."
              + " Nothing was sent.");
    }
    if (untrusted.isPresent()) {
      throw new UntrustedContactException(
          "the device certificate of '"
              + peer
              + "' that this conversation uses is no longer trusted: "
              + untrusted.get()
              + ". Nothing was sent.");
    }
  }

  /**
   * Why {@code certificate} is not a trusted device certificate of {@code peer} now, if it is not.
   */
  private Optional<String> untrusted(String peer, X509Certificate certificate) {
    try {
      verifier.verify(certificate, peer, CertificateRole.DEVICE, clock.instant());
    } catch (CertificateRejectedException e) {
      return Optional.of(e.getMessage());
    }
    try {
      if (contacts.revocations().isRevoked(certificate)) {
        return Optional.of(REVOKED);
      }
    } catch (CrlRejectedException e) {
      return Optional.of("the CA's revocation list does not verify (" + e.getMessage() + ")");
    }
    return Optional.empty();
  }

  private static final String REVOKED = "its device certificate was revoked by the CA";

  private static UntrustedContactException refused(String peer, String why) {
    return new UntrustedContactException(
        "refusing the device keys the server gave for '"
            + peer
            + "': "
            + why
            + ". Nothing was sent. The server may be compromised; tell your administrator.");
  }

  /** The device of {@code peer} last verified here, as hex, if any. */
  Optional<String> knownDevice(String peer) throws IOException {
    synchronized (store) {
      try (PreparedStatement q =
          store.db().prepareStatement("SELECT device FROM peer_devices WHERE peer = ?")) {
        q.setString(1, peer);
        try (ResultSet rs = q.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
      } catch (SQLException e) {
        throw new IOException("cannot read the devices of " + peer + ": " + e.getMessage(), e);
      }
    }
  }

  private void remember(String peer, byte[] deviceId) throws IOException {
    synchronized (store) {
      String device = HexFormat.of().formatHex(deviceId);
      Optional<String> known = knownDevice(peer);
      if (known.isPresent() && known.get().equals(device)) {
        return;
      }
      try (PreparedStatement u =
          store
              .db()
              .prepareStatement(
                  "INSERT OR REPLACE INTO peer_devices (peer, device, learnt_at) VALUES (?, ?,"
                      + " ?)")) {
        u.setString(1, peer);
        u.setString(2, device);
        u.setLong(3, clock.millis());
        u.executeUpdate();
      } catch (SQLException e) {
        throw new IOException("cannot record the device of " + peer + ": " + e.getMessage(), e);
      }
      // The device remembered here is the peer's pinned version-2 key (trust on first use), as the
      // v1 pins are: a new one is told whether or not v1 keys were pinned too.
      if (known.isPresent()) {
        notices.accept(deviceChangedNotice(peer, known.get(), device));
      }
    }
  }

  /** What the user is told when a pinned contact's version-2 device changed. */
  static String deviceChangedNotice(String peer, String before, String now) {
    return "[!] "
        + peer
        + " uses a different device than before (device "
        + before.substring(0, 16)
        + "… is now "
        + now.substring(0, 16)
        + "…). If "
        + peer
        + " did not get a new device certificate, the server or the CA may be impersonating"
        + " them: compare safety numbers with "
        + peer
        + " in person before trusting new messages.";
  }

  private static byte[] sha256(X509Certificate certificate) throws UntrustedContactException {
    try {
      return MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new UntrustedContactException("the device certificate cannot be encoded");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable in this JDK", e);
    }
  }
}
