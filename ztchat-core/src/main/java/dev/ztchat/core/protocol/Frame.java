package dev.ztchat.core.protocol;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Every frame of the wire protocol (docs/PROTOCOL.md section 4), as an immutable value. {@link
 * FrameCodec} turns them into JSON bytes and back. {@code ref} is the optional request reference
 * that the server echoes; it is {@code null} when absent.
 */
public sealed interface Frame {
  /** The JSON {@code type} member. */
  String type();

  /** The request reference this frame carries, or {@code null} (frames without one, or absent). */
  default String ref() {
    return null;
  }

  // ---- server to client ----

  /**
   * First frame after the handshake: who the server thinks you are, and its limits. {@code
   * queueTtlSeconds} is how long the relay keeps an envelope for an offline recipient; 0 when the
   * relay did not announce it (the member is optional on the wire). {@code versions} are the
   * envelope versions the relay routes (docs/v2/envelope.md section 5); empty when the relay did
   * not announce them, which means version 1 only. {@code maxAcks} is the most envelopes one {@link
   * Acks} may name (docs/PROTOCOL.md section 9); 0 when the relay did not announce it, and then it
   * takes no {@code acks} frame.
   */
  record Welcome(
      int protocol,
      String identity,
      int maxFrame,
      int idleTimeoutSeconds,
      int queueTtlSeconds,
      List<Integer> versions,
      int maxAcks)
      implements Frame {
    public Welcome {
      requireNonNull(identity, "identity");
      versions = List.copyOf(versions);
    }

    /** A welcome that does not announce batched acknowledgements. */
    public Welcome(
        int protocol,
        String identity,
        int maxFrame,
        int idleTimeoutSeconds,
        int queueTtlSeconds,
        List<Integer> versions) {
      this(protocol, identity, maxFrame, idleTimeoutSeconds, queueTtlSeconds, versions, 0);
    }

    /** A welcome that does not announce the envelope versions. */
    public Welcome(
        int protocol, String identity, int maxFrame, int idleTimeoutSeconds, int queueTtlSeconds) {
      this(protocol, identity, maxFrame, idleTimeoutSeconds, queueTtlSeconds, List.of());
    }

    /** Whether the relay routes envelopes of {@code version}; version 1 always. */
    public boolean routes(int version) {
      return version == 1 || versions.contains(version);
    }

    /** Whether the relay takes {@link Acks} frames. */
    public boolean takesAckBatches() {
      return maxAcks > 0;
    }

    /** A welcome that does not announce the queue TTL. */
    public Welcome(int protocol, String identity, int maxFrame, int idleTimeoutSeconds) {
      this(protocol, identity, maxFrame, idleTimeoutSeconds, 0);
    }

    @Override
    public String type() {
      return "welcome";
    }
  }

  /** One recipient's outcome for a {@link Send}. */
  record Delivery(String user, DeliveryStatus status) {
    public Delivery {
      requireNonNull(user, "user");
      requireNonNull(status, "status");
    }
  }

  /** Answer to {@link Send}. */
  record Sent(String ref, String messageId, List<Delivery> results) implements Frame {
    public Sent {
      requireNonNull(messageId, "messageId");
      results = List.copyOf(results);
    }

    @Override
    public String type() {
      return "sent";
    }
  }

  /**
   * An envelope pushed to its recipient; {@code binary} says whether it travels as a binary frame
   * (docs/v2/envelope.md section 4) rather than as JSON with the envelope in base64.
   */
  record Deliver(byte[] envelope, boolean binary) implements Frame {
    public Deliver {
      requireNonNull(envelope, "envelope");
      envelope = envelope.clone();
    }

    /** A deliver in JSON, as version 1 of the protocol has it. */
    public Deliver(byte[] envelope) {
      this(envelope, false);
    }

    @Override
    public byte[] envelope() {
      return envelope.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Deliver d && binary == d.binary && Arrays.equals(envelope, d.envelope);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(envelope);
    }

    @Override
    public String toString() {
      return "Deliver[" + envelope.length + " bytes" + (binary ? ", binary]" : "]");
    }

    @Override
    public String type() {
      return "deliver";
    }
  }

  /**
   * Answer to {@link DirectoryRequest}: the user's certificates, PEM, as the CA issued them. {@code
   * earlierSigning} holds the user's earlier signing certificates the relay knows (newest first),
   * so that envelopes signed before a renewal can still be verified (docs/PROTOCOL.md section 7);
   * empty when there are none (the member is optional on the wire).
   */
  record Certificates(
      String ref, String user, String signing, String encryption, List<String> earlierSigning)
      implements Frame {
    public Certificates {
      requireNonNull(user, "user");
      requireNonNull(signing, "signing");
      requireNonNull(encryption, "encryption");
      earlierSigning = List.copyOf(earlierSigning);
    }

    /** The user's current certificates, with no earlier signing certificates. */
    public Certificates(String ref, String user, String signing, String encryption) {
      this(ref, user, signing, encryption, List.of());
    }

    @Override
    public String type() {
      return "certificates";
    }
  }

  /** Answer to {@link CrlRequest}: the CA's current revocation list, PEM, as the CA signed it. */
  record Revocations(String ref, String crl) implements Frame {
    public Revocations {
      requireNonNull(crl, "crl");
    }

    @Override
    public String type() {
      return "revocations";
    }
  }

  /** Answer to {@link Who}. */
  record Online(String ref, List<String> users) implements Frame {
    public Online {
      users = List.copyOf(users);
    }

    @Override
    public String type() {
      return "online";
    }
  }

  /** Answer to {@link Publish}. */
  record Ok(String ref) implements Frame {
    @Override
    public String type() {
      return "ok";
    }
  }

  /** Answer to {@link Ping}. */
  record Pong(String ref) implements Frame {
    @Override
    public String type() {
      return "pong";
    }
  }

  /** A request failed; {@code message} is a short sentence for a human, never a stack trace. */
  @SuppressWarnings("AvoidCommonTypeNames") // always written Frame.Error, never imported alone
  record Error(String ref, ErrorCode code, String message) implements Frame {
    public Error {
      requireNonNull(code, "code");
      requireNonNull(message, "message");
    }

    @Override
    public String type() {
      return "error";
    }
  }

  // ---- client to server ----

  /**
   * Relay a sealed envelope (docs/PROTOCOL.md section 5) to the recipients its header names; {@code
   * binary} says whether it travels as a binary frame (docs/v2/envelope.md section 4) rather than
   * as JSON with the envelope in base64.
   */
  record Send(String ref, byte[] envelope, boolean binary, List<String> devices) implements Frame {
    /** Most device entries a {@code send} carries: 32 persons of 16 devices each. */
    public static final int MAX_DEVICES = 32 * 16;

    private static final java.util.regex.Pattern DEVICE =
        java.util.regex.Pattern.compile("[a-z0-9][a-z0-9._-]{0,31}:[0-9a-f]{64}");

    /**
     * {@code devices}, when not null, names the devices the sender knows for each recipient and for
     * itself ({@code NAME:DEVICE-ID}, docs/v2/devices.md section 6): the relay refuses the envelope
     * when that list is out of date. Null: no check (version 1, receipts, old clients).
     */
    public Send {
      requireNonNull(envelope, "envelope");
      envelope = envelope.clone();
      if (devices != null) {
        devices = List.copyOf(devices);
        if (devices.size() > MAX_DEVICES) {
          throw new IllegalArgumentException("at most " + MAX_DEVICES + " device entries");
        }
        for (String d : devices) {
          if (!isDeviceEntry(d)) {
            throw new IllegalArgumentException("a device entry is NAME:64-hex-digits");
          }
        }
      }
    }

    /** Without a list of devices. */
    public Send(String ref, byte[] envelope, boolean binary) {
      this(ref, envelope, binary, null);
    }

    /** A send in JSON, as version 1 of the protocol has it. */
    public Send(String ref, byte[] envelope) {
      this(ref, envelope, false);
    }

    /** Whether {@code entry} is a well-formed {@code NAME:DEVICE-ID}. */
    public static boolean isDeviceEntry(String entry) {
      return entry != null && DEVICE.matcher(entry).matches();
    }

    @Override
    public byte[] envelope() {
      return envelope.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Send s
          && Objects.equals(ref, s.ref)
          && binary == s.binary
          && Objects.equals(devices, s.devices)
          && Arrays.equals(envelope, s.envelope);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(envelope);
    }

    @Override
    public String toString() {
      return "Send[ref="
          + ref
          + ", "
          + envelope.length
          + " bytes"
          + (devices == null ? "" : ", " + devices.size() + " devices")
          + (binary ? ", binary]" : "]");
    }

    @Override
    public String type() {
      return "send";
    }
  }

  /** Ask for a user's certificates. */
  record DirectoryRequest(String ref, String user) implements Frame {
    public DirectoryRequest {
      requireNonNull(user, "user");
    }

    @Override
    public String type() {
      return "directory";
    }
  }

  /** Ask for the CA's current revocation list. */
  record CrlRequest(String ref) implements Frame {
    @Override
    public String type() {
      return "crl";
    }
  }

  /** Ask who is online. */
  record Who(String ref) implements Frame {
    @Override
    public String type() {
      return "who";
    }
  }

  /** Give the server this identity's encryption certificate (PEM) for the directory. */
  record Publish(String ref, String encryption) implements Frame {
    public Publish {
      requireNonNull(encryption, "encryption");
    }

    @Override
    public String type() {
      return "publish";
    }
  }

  /**
   * The recipient processed an envelope (verified and stored it, or rejected it): the relay may
   * delete it. Answered with {@link Ok}.
   */
  record Ack(String ref, String sender, String messageId) implements Frame {
    public Ack {
      requireNonNull(sender, "sender");
      requireNonNull(messageId, "messageId");
    }

    @Override
    public String type() {
      return "ack";
    }
  }

  /** One envelope an {@link Acks} names, as its header does: its sender and message id (hex). */
  record AckedEnvelope(String sender, String messageId) {
    public AckedEnvelope {
      requireNonNull(sender, "sender");
      requireNonNull(messageId, "messageId");
    }
  }

  /**
   * The recipient processed every envelope named (docs/PROTOCOL.md section 9), in that order: the
   * relay may delete them all. One {@link Ok} answers the whole batch. Only to a relay whose {@link
   * Welcome#maxAcks()} is not 0, naming at most that many envelopes.
   */
  record Acks(String ref, List<AckedEnvelope> envelopes) implements Frame {
    public Acks {
      envelopes = List.copyOf(envelopes);
    }

    @Override
    public String type() {
      return "acks";
    }
  }

  /**
   * The client says what it understands beyond version 1 of the protocol: with {@code
   * binaryFrames}, the relay may push envelopes to this connection in binary frames
   * (docs/v2/envelope.md section 4); {@code window}, when not 0, is how many pushed envelopes the
   * connection can hold unacknowledged (docs/PROTOCOL.md section 9: the relay bounds it; 0, the
   * member left out, keeps the relay's default). Answered with {@link Ok}.
   */
  record Features(String ref, boolean binaryFrames, int window) implements Frame {
    /** Features that do not announce a live window. */
    public Features(String ref, boolean binaryFrames) {
      this(ref, binaryFrames, 0);
    }

    @Override
    public String type() {
      return "features";
    }
  }

  /** Keep-alive. */
  record Ping(String ref) implements Frame {
    @Override
    public String type() {
      return "ping";
    }
  }

  // ---- prekeys (docs/v2/prekeys.md) ----

  /**
   * Publishes a device's prekeys to the relay: the device certificate (DER; needed once, before or
   * with its first prekeys), a signed X25519 prekey, a last-resort ML-KEM-768 prekey and one-time
   * ML-KEM-768 prekeys, each optional. {@code device} is the hex SHA-256 of the certificate's DER.
   * Each prekey is the device's signed encoding, which the relay stores and hands out byte for
   * byte. Answered with {@link PrekeyStock}.
   */
  record PublishPrekeys(
      String ref,
      String device,
      byte[] certificate,
      byte[] signedPrekey,
      byte[] lastResort,
      List<byte[]> oneTime)
      implements Frame {
    public PublishPrekeys {
      requireNonNull(device, "device");
      certificate = certificate == null ? null : certificate.clone();
      signedPrekey = signedPrekey == null ? null : signedPrekey.clone();
      lastResort = lastResort == null ? null : lastResort.clone();
      oneTime = oneTime.stream().map(byte[]::clone).toList();
    }

    @Override
    public byte[] certificate() {
      return certificate == null ? null : certificate.clone();
    }

    @Override
    public byte[] signedPrekey() {
      return signedPrekey == null ? null : signedPrekey.clone();
    }

    @Override
    public byte[] lastResort() {
      return lastResort == null ? null : lastResort.clone();
    }

    @Override
    public List<byte[]> oneTime() {
      return oneTime.stream().map(byte[]::clone).toList();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof PublishPrekeys p
          && Objects.equals(ref, p.ref)
          && device.equals(p.device)
          && Arrays.equals(certificate, p.certificate)
          && Arrays.equals(signedPrekey, p.signedPrekey)
          && Arrays.equals(lastResort, p.lastResort)
          && Arrays.deepEquals(oneTime.toArray(), p.oneTime.toArray());
    }

    @Override
    public int hashCode() {
      return Objects.hash(ref, device, Arrays.hashCode(signedPrekey), oneTime.size());
    }

    @Override
    public String toString() {
      return "PublishPrekeys[ref="
          + ref
          + ", device="
          + device
          + ", certificate="
          + (certificate != null)
          + ", signedPrekey="
          + (signedPrekey != null)
          + ", lastResort="
          + (lastResort != null)
          + ", oneTime="
          + oneTime.size()
          + "]";
    }

    @Override
    public String type() {
      return "prekeys";
    }
  }

  /**
   * Answer to {@link PublishPrekeys}: what the relay now holds for the device. {@code oneTime} is
   * the number of one-time prekeys left, {@code oneTimeLimit} the most it keeps; the ids (8 hex
   * digits) are null when the device has no such prekey; {@code nextOneTimeId} is the smallest id
   * the relay accepts for a new one-time prekey.
   */
  record PrekeyStock(
      String ref,
      String device,
      int oneTime,
      int oneTimeLimit,
      String signedPrekeyId,
      String lastResortId,
      String nextOneTimeId)
      implements Frame {
    public PrekeyStock {
      requireNonNull(device, "device");
      requireNonNull(nextOneTimeId, "nextOneTimeId");
    }

    @Override
    public String type() {
      return "prekeyStock";
    }
  }

  /**
   * Asks for a prekey bundle of one of {@code user}'s devices: the device {@code device} (64 hex
   * digits) when given, else the newest current one (docs/v2/devices.md section 5). Answered with
   * {@link PrekeyBundle}.
   */
  record BundleRequest(String ref, String user, String device) implements Frame {
    public BundleRequest {
      requireNonNull(user, "user");
    }

    /** For the user's newest current device. */
    public BundleRequest(String ref, String user) {
      this(ref, user, null);
    }

    @Override
    public String type() {
      return "bundle";
    }
  }

  /**
   * Answer to {@link BundleRequest}: a device's certificate (DER), its signed X25519 prekey and one
   * ML-KEM-768 prekey, each exactly as the device published it: a one-time prekey the relay will
   * never hand out again, or, when {@code lastResort}, the device's last-resort prekey.
   */
  record PrekeyBundle(
      String ref,
      String user,
      String device,
      byte[] certificate,
      byte[] signedPrekey,
      byte[] kemPrekey,
      boolean lastResort,
      List<String> devices)
      implements Frame {
    /** Without the list of the user's devices. */
    public PrekeyBundle(
        String ref,
        String user,
        String device,
        byte[] certificate,
        byte[] signedPrekey,
        byte[] kemPrekey,
        boolean lastResort) {
      this(ref, user, device, certificate, signedPrekey, kemPrekey, lastResort, List.of());
    }

    public PrekeyBundle {
      requireNonNull(user, "user");
      requireNonNull(device, "device");
      devices = List.copyOf(devices);
      certificate = certificate.clone();
      signedPrekey = signedPrekey.clone();
      kemPrekey = kemPrekey.clone();
    }

    @Override
    public byte[] certificate() {
      return certificate.clone();
    }

    @Override
    public byte[] signedPrekey() {
      return signedPrekey.clone();
    }

    @Override
    public byte[] kemPrekey() {
      return kemPrekey.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof PrekeyBundle b
          && Objects.equals(ref, b.ref)
          && user.equals(b.user)
          && device.equals(b.device)
          && Arrays.equals(certificate, b.certificate)
          && Arrays.equals(signedPrekey, b.signedPrekey)
          && Arrays.equals(kemPrekey, b.kemPrekey)
          && lastResort == b.lastResort
          && devices.equals(b.devices);
    }

    @Override
    public int hashCode() {
      return Objects.hash(ref, user, device, Arrays.hashCode(kemPrekey), lastResort);
    }

    @Override
    public String toString() {
      return "PrekeyBundle[ref="
          + ref
          + ", user="
          + user
          + ", device="
          + device
          + ", lastResort="
          + lastResort
          + ", devices="
          + devices
          + "]";
    }

    @Override
    public String type() {
      return "prekeyBundle";
    }
  }
}
