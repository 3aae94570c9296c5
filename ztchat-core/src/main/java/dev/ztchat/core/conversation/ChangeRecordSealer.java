package dev.ztchat.core.conversation;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.crypto.CipherParameters;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.group.GroupChange;
import dev.ztchat.core.session.DeviceKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Signs a forwardable record of any content as a device would (docs/v2/groups.md section 6.6), for
 * the tests and attack simulations that need records a verifier must judge: a genuine change, a
 * content that is no change, a forged author, a change no admin may make. A version-2 envelope
 * signed with the device's key, its content sealed under a fresh content key {@code K} with
 * AES-256-GCM under {@code content_aad} exactly as docs/v2/messages.md section 4.2 seals any
 * content, its prefix naming the author alone and its one entry a placeholder that opens for
 * nobody, since a forwarded change is verified without entries.
 *
 * <p>A client never keeps such a record of its own change: it keeps an envelope it sent the change
 * in, which the sealer hands out with its key ({@link V2MessageSealer#sealChange}), so that nothing
 * is signed twice.
 *
 * <p>Thread-safe (stateless).
 */
public final class ChangeRecordSealer {
  private final DeviceKey key;
  private final SecureRandom random;

  public ChangeRecordSealer(DeviceKey key, SecureRandom random) {
    this.key = requireNonNull(key, "key");
    this.random = requireNonNull(random, "random");
  }

  /** The record of {@code change}, made by {@code author} on this device, dated {@code at}. */
  public ForwardedChange seal(String author, GroupChange change, Instant at) {
    return seal(author, MessageContent.groupChange(change), at);
  }

  /**
   * The record of any {@code content} signed by this device as {@code author}: for tests that need
   * a record a verifier must refuse (a content that is no change, a forged author).
   */
  public ForwardedChange seal(String author, MessageContent content, Instant at) {
    requireNonNull(content, "content");
    RoutingPrefix prefix =
        new RoutingPrefix(
            V2Envelope.VERSION, author, List.of(author), at.toEpochMilli(), bytes(16));
    byte[] contentKey = bytes(V2Crypto.CONTENT_KEY_BYTES);
    byte[] plaintext = content.encode();
    try {
      byte[] nonce = bytes(CipherParameters.GCM_NONCE_BYTES);
      byte[] me = key.certificateHash();
      byte[] ciphertext =
          V2Crypto.gcmEncrypt(
              contentKey,
              nonce,
              V2Crypto.contentAad(V2Envelope.encodePrefix(prefix), me),
              plaintext);
      V2Body.Entry placeholder =
          new V2Body.Entry(
              author,
              me,
              new byte[StoredSession.SESSION_ID_BYTES],
              Optional.empty(),
              new byte[] {0});
      byte[] body = new V2Body(me, new byte[0], List.of(placeholder), nonce, ciphertext).encode();
      byte[] signature = key.signEnvelope(V2Envelope.signedBytes(prefix, body), random);
      byte[] envelope = new V2Envelope(prefix, body, signature).encode();
      return new ForwardedChange(key.certificate().getEncoded(), envelope, contentKey);
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("this device's certificate does not encode", e);
    } finally {
      Arrays.fill(contentKey, (byte) 0);
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
