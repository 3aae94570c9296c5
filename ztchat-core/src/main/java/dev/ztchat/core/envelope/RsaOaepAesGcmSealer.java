package dev.ztchat.core.envelope;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.KeyUsageBit;
import dev.ztchat.core.pki.UserIdentity;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@link EnvelopeSealer} with a fresh AES-256-GCM content key and 96-bit nonce per message, the key
 * wrapped for each recipient with RSA-OAEP (SHA-256), and the envelope signed with the sender's
 * signing key using RSASSA-PSS (SHA-256). Implements docs/PROTOCOL.md, section 6.
 *
 * <p>Security guarantees: see {@link EnvelopeSealer}. A content key and nonce are never reused:
 * both are drawn from {@link java.security.SecureRandom} for every call and the key is used once.
 * Recipient certificates are not verified against the root CA here (the caller did that); the
 * sealer refuses a certificate whose keyUsage lacks keyEncipherment or has digitalSignature, so a
 * signing certificate passed by mistake is caught. Thread-safe.
 */
public final class RsaOaepAesGcmSealer implements EnvelopeSealer {

  private final String senderName;
  private final Credential signing;
  private final Clock clock;

  /**
   * A sealer that signs as {@code sender} (with its signing credential) and dates with {@code
   * clock}.
   */
  public RsaOaepAesGcmSealer(UserIdentity sender, Clock clock) {
    requireNonNull(sender, "sender");
    this.clock = requireNonNull(clock, "clock");
    this.senderName = sender.name();
    this.signing = sender.signing();
    if (!senderName.equals(Certificates.commonName(signing.certificate()))) {
      throw new IllegalArgumentException(
          "the signing certificate names '"
              + Certificates.commonName(signing.certificate())
              + "', not the sender '"
              + senderName
              + "'");
    }
    if (!KeyUsageBit.DIGITAL_SIGNATURE.isSetIn(signing.certificate())) {
      throw new IllegalArgumentException(
          "the sender's signing credential is not a signing certificate (no digitalSignature)");
    }
  }

  @Override
  public SealedEnvelope seal(MessageContent content, List<RecipientKey> recipients) {
    requireNonNull(content, "content");
    if (content.isGroupContent()) {
      throw new IllegalArgumentException(
          "group content is for version 2 only (docs/v2/groups.md section 3): every group member"
              + " must be reachable over version 2");
    }
    byte[] plaintext = content.encode();
    byte[] contentKey = EnvelopeAlgorithms.randomBytes(EnvelopeAlgorithms.CONTENT_KEY_BYTES);
    try {
      return sealPlaintext(
          plaintext,
          recipients,
          contentKey,
          EnvelopeAlgorithms.randomBytes(SealedEnvelope.NONCE_BYTES),
          EnvelopeAlgorithms.randomBytes(EnvelopeHeader.MESSAGE_ID_BYTES),
          clock.millis());
    } finally {
      Arrays.fill(plaintext, (byte) 0);
      Arrays.fill(contentKey, (byte) 0);
    }
  }

  /**
   * The deterministic core, for the test vector and for attack tests only: the caller chooses the
   * content key, nonce, message id and timestamp, and the plaintext bytes need not be valid
   * content. Never reuse a content key and nonce pair.
   */
  SealedEnvelope sealPlaintext(
      byte[] plaintext,
      List<RecipientKey> recipients,
      byte[] contentKey,
      byte[] nonce,
      byte[] messageId,
      long timestampMillis) {
    List<RecipientKey> keys = checkedRecipients(recipients);
    Set<String> names = new LinkedHashSet<>();
    keys.forEach(k -> names.add(k.name()));
    EnvelopeHeader header =
        new EnvelopeHeader(
            EnvelopeHeader.VERSION, senderName, List.copyOf(names), timestampMillis, messageId);
    byte[] ciphertext =
        EnvelopeAlgorithms.gcmEncrypt(
            contentKey, nonce, EnvelopeCodec.encodeHeader(header), plaintext);
    List<WrappedKey> wrapped = new ArrayList<>(keys.size());
    for (RecipientKey key : keys) {
      X509Certificate cert = key.encryptionCertificate();
      wrapped.add(
          new WrappedKey(
              key.name(),
              key.keyId(),
              EnvelopeAlgorithms.oaepWrap(cert.getPublicKey(), contentKey)));
    }
    byte[] signature =
        EnvelopeAlgorithms.pssSign(
            signing.privateKey(), EnvelopeCodec.signedBytes(header, wrapped, nonce, ciphertext));
    return new SealedEnvelope(header, wrapped, nonce, ciphertext, signature);
  }

  private static List<RecipientKey> checkedRecipients(List<RecipientKey> recipients) {
    List<RecipientKey> keys = List.copyOf(requireNonNull(recipients, "recipients"));
    int maxKeys = EnvelopeHeader.MAX_WRAPPED_KEYS;
    if (keys.isEmpty() || keys.size() > maxKeys) {
      throw new IllegalArgumentException(
          "a message goes to 1 to " + maxKeys + " recipient keys, not " + keys.size());
    }
    Set<String> keyIds = new HashSet<>();
    for (RecipientKey key : keys) {
      X509Certificate cert = key.encryptionCertificate();
      if (!KeyUsageBit.KEY_ENCIPHERMENT.isSetIn(cert)
          || KeyUsageBit.DIGITAL_SIGNATURE.isSetIn(cert)) {
        throw new IllegalArgumentException(
            "the certificate given for recipient '"
                + key.name()
                + "' is not an encryption certificate (keyUsage must be keyEncipherment only)");
      }
      if (!(cert.getPublicKey() instanceof RSAPublicKey)) {
        throw new IllegalArgumentException(
            "the certificate given for recipient '" + key.name() + "' does not hold an RSA key");
      }
      if (!keyIds.add(HexFormat.of().formatHex(key.keyId()))) {
        throw new IllegalArgumentException(
            "the key of recipient '" + key.name() + "' is listed twice");
      }
    }
    return keys;
  }

  @Override
  public String toString() {
    return "RsaOaepAesGcmSealer[" + senderName + "]";
  }
}
