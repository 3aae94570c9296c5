package dev.ztchat.core.conversation;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.ContentKind;
import dev.ztchat.core.envelope.MalformedContentException;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.SenderRevocations;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.group.AuthoredChange;
import dev.ztchat.core.group.GroupChange;
import dev.ztchat.core.pki.CertificateRejectedException;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.session.DeviceKey;
import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.AEADBadTagException;

/**
 * Checks a forwarded group change (docs/v2/groups.md section 6.6) and returns the change with its
 * author, the signer of the original envelope, never the device that forwarded it. In order, the
 * first failure refusing:
 *
 * <ol>
 *   <li>the envelope and its body decode strictly (docs/v2/messages.md section 3.2);
 *   <li>the SHA-256 of the record's certificate is the body's sender device;
 *   <li>the certificate is valid now for role DEVICE and the prefix's sender;
 *   <li>the envelope's signature verifies with it;
 *   <li>it is not revoked for a message dated now (a stolen key could date a change at will, and no
 *       acceptance window bounds a forwarded one);
 *   <li>the content decrypts with the record's key under the envelope's content AAD and is a group
 *       change.
 * </ol>
 *
 * <p>Security guarantees: a change returned was signed by a CA-certified device of its author, byte
 * for byte. Not checked here, on purpose: freshness and the replay guard (the record is history;
 * applying it twice is a duplicate), and the authorisation rule, which the caller applies through
 * {@code GroupTimeline.apply} exactly as for a change that arrived live.
 *
 * <p>Thread-safe; stateless apart from its collaborators.
 */
public final class ForwardedChangeVerifier {
  private final CertificateVerifier verifier;
  private final SenderRevocations revocations;
  private final Clock clock;

  public ForwardedChangeVerifier(
      CertificateVerifier rootVerifier, SenderRevocations revocations, Clock clock) {
    this.verifier = requireNonNull(rootVerifier, "rootVerifier");
    this.revocations = requireNonNull(revocations, "revocations");
    this.clock = requireNonNull(clock, "clock");
  }

  /** The change {@code record} carries and its author, once every check passed. */
  public AuthoredChange verify(ForwardedChange record) throws ForwardedChangeRefusedException {
    requireNonNull(record, "record");
    byte[] bytes = record.envelope();
    V2Envelope envelope;
    V2Body body;
    try {
      envelope = V2Envelope.decode(bytes);
      body = V2Body.decode(envelope.body(), envelope.prefix());
    } catch (MalformedEnvelopeException e) {
      throw refused("its envelope is malformed: " + e.getMessage());
    }
    RoutingPrefix prefix = envelope.prefix();
    byte[] der = record.certificate();
    if (!MessageDigest.isEqual(V2Crypto.sha256(der), body.senderDevice())) {
      throw refused("the certificate is not the signing device's");
    }
    Instant now = clock.instant();
    X509Certificate certificate;
    try {
      certificate =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(der));
      verifier.verify(certificate, prefix.sender(), CertificateRole.DEVICE, now);
    } catch (CertificateException | ClassCastException e) {
      throw refused("the author's certificate is not X.509");
    } catch (CertificateRejectedException e) {
      throw refused("the author's certificate is not trusted: " + e.getMessage());
    }
    byte[] signature = envelope.signature();
    if (!DeviceKey.verifyEnvelope(
        certificate, bytes, bytes.length - 2 - signature.length, signature)) {
      throw refused("the author's signature does not verify");
    }
    Optional<String> revoked = revocations.refusal(certificate, now);
    if (revoked.isPresent()) {
      throw refused("the author's device is revoked: " + revoked.get());
    }
    return new AuthoredChange(prefix.sender(), open(record, prefix, body));
  }

  private static GroupChange open(ForwardedChange record, RoutingPrefix prefix, V2Body body)
      throws ForwardedChangeRefusedException {
    byte[] key = record.contentKey();
    byte[] plaintext = null;
    try {
      plaintext =
          V2Crypto.gcmDecrypt(
              key,
              body.nonce(),
              V2Crypto.contentAad(V2Envelope.encodePrefix(prefix), body.senderDevice()),
              body.ciphertext());
      MessageContent content = MessageContent.decode(plaintext);
      if (content.kind() != ContentKind.GROUP_CHANGE) {
        throw refused("it carries no group change");
      }
      return content.groupChange();
    } catch (AEADBadTagException e) {
      throw refused("its content does not open with the key given");
    } catch (MalformedContentException e) {
      throw refused("its content is malformed: " + e.getMessage());
    } finally {
      Arrays.fill(key, (byte) 0);
      if (plaintext != null) {
        Arrays.fill(plaintext, (byte) 0);
      }
    }
  }

  private static ForwardedChangeRefusedException refused(String why) {
    return new ForwardedChangeRefusedException(why);
  }
}
