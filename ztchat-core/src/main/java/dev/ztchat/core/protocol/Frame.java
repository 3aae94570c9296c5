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
   * not announce them, which means version 1 only.
   */
  record Welcome(
      int protocol,
      String identity,
      int maxFrame,
      int idleTimeoutSeconds,
      int queueTtlSeconds,
      List<Integer> versions)
      implements Frame {
    public Welcome {
      requireNonNull(identity, "identity");
      versions = List.copyOf(versions);
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
  record Send(String ref, byte[] envelope, boolean binary) implements Frame {
    public Send {
      requireNonNull(envelope, "envelope");
      envelope = envelope.clone();
    }

    /** A send in JSON, as version 1 of the protocol has it. */
    public Send(String ref, byte[] envelope) {
      this(ref, envelope, false);
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
          && Arrays.equals(envelope, s.envelope);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(envelope);
    }

    @Override
    public String toString() {
      return "Send[ref=" + ref + ", " + envelope.length + " bytes" + (binary ? ", binary]" : "]");
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

  /**
   * The client says what it understands beyond version 1 of the protocol: with {@code
   * binaryFrames}, the relay may push envelopes to this connection in binary frames
   * (docs/v2/envelope.md section 4). Answered with {@link Ok}.
   */
  record Features(String ref, boolean binaryFrames) implements Frame {
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
}
