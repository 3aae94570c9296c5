package dev.ztchat.core.testing;

import dev.ztchat.core.conversation.ForwardedChange;
import dev.ztchat.core.conversation.V2Body;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.session.SessionSetupException;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes forwarded group changes (docs/v2/groups.md section 6.6) for tests: a real version-2
 * envelope signed with a device's certificate key, its content sealed under a fresh key with
 * AES-256-GCM as docs/v2/messages.md section 4.2 says, and that key. The recipients' entries are
 * random bytes: a forwarded change is checked without them.
 */
public final class ForwardedChanges {
  private static final SecureRandom RANDOM = new SecureRandom();

  private ForwardedChanges() {}

  /**
   * {@code content} as {@code author}'s {@code device} signed it at {@code at} for {@code
   * recipients}.
   */
  public static ForwardedChange signed(
      Credential device, String author, MessageContent content, List<String> recipients, Instant at)
      throws GeneralSecurityException, SessionSetupException {
    DeviceKey key = new DeviceKey(device.privateKey(), device.certificate());
    RoutingPrefix prefix =
        new RoutingPrefix(V2Envelope.VERSION, author, recipients, at.toEpochMilli(), random(16));
    byte[] contentKey = random(32);
    byte[] nonce = random(12);
    ByteArrayOutputStream aad = new ByteArrayOutputStream();
    aad.writeBytes(V2Envelope.encodePrefix(prefix));
    aad.writeBytes(key.certificateHash());
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(
        Cipher.ENCRYPT_MODE,
        new SecretKeySpec(contentKey, "AES"),
        new GCMParameterSpec(128, nonce));
    gcm.updateAAD(aad.toByteArray());
    byte[] ct = gcm.doFinal(content.encode());
    V2Body.Entry entry =
        new V2Body.Entry(recipients.get(0), random(32), random(16), Optional.empty(), random(80));
    byte[] body =
        new V2Body(key.certificateHash(), new byte[0], List.of(entry), nonce, ct).encode();
    byte[] signature = key.signEnvelope(V2Envelope.signedBytes(prefix, body), RANDOM);
    byte[] envelope = new V2Envelope(prefix, body, signature).encode();
    return new ForwardedChange(device.certificate().getEncoded(), envelope, contentKey);
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
