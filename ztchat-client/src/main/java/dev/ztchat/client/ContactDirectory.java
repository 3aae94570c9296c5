package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.CertificateRejectedException;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.CrlIssuer;
import dev.ztchat.core.pki.CrlRejectedException;
import dev.ztchat.core.pki.RevocationList;
import dev.ztchat.core.pki.IdentityName;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds contacts' certificates through the relay's directory and decides whether they may be
 * used. The relay is not trusted for them: every certificate is verified against the root CA held
 * locally, for the contact's name and the right role, and then compared with the pinned keys.
 *
 * <p>Security guarantees: {@link #forSending} returns only keys that verified AND match the pin
 * (or were pinned now, on first use, or were accepted by the user after a change). A key change
 * throws {@link KeyChangedException} with old and new fingerprints; nothing is sent to the new key
 * until {@link #acceptChange} is called.
 */
public final class ContactDirectory {
  private static final Logger LOG = LoggerFactory.getLogger(ContactDirectory.class);
  private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(10);

  private final ConnectionSource relay;
  private final CertificateVerifier verifier;
  private final ContactPins pins;
  private final Clock clock;

  /** Gives the current connection to the relay, or fails when there is none. */
  @FunctionalInterface
  public interface ConnectionSource {
    RelayConnection current() throws IOException;

    /** The frame limit the relay announced, or the protocol default while not connected. */
    default int currentMaxFrame() {
      try {
        return current().welcome().maxFrame();
      } catch (IOException e) {
        return dev.ztchat.core.protocol.ProtocolLimits.DEFAULT_MAX_FRAME;
      }
    }
  }

  public ContactDirectory(ConnectionSource relay, CertificateVerifier verifier, ContactPins pins, Clock clock) {
    this.relay = requireNonNull(relay, "relay");
    this.verifier = requireNonNull(verifier, "verifier");
    this.pins = requireNonNull(pins, "pins");
    this.clock = requireNonNull(clock, "clock");
  }

  /** Fetches and verifies {@code name}'s certificates (no pin check). */
  public VerifiedContact fetchVerified(String name) throws IOException, UntrustedContactException {
    if (!IdentityName.isValid(name)) {
      throw new UntrustedContactException("'" + name + "' is not a valid user name");
    }
    RelayConnection conn = relay.current();
    String ref = conn.nextRef();
    Frame answer;
    try {
      answer = conn.request(new Frame.DirectoryRequest(ref, name), ref, LOOKUP_TIMEOUT);
    } catch (RelayConnection.RelayException e) {
      if (e.code() == ErrorCode.UNKNOWN_USER) {
        throw new UntrustedContactException("the server knows no user '" + name + "' (check the spelling, or ask them to connect once)");
      }
      throw e;
    }
    if (!(answer instanceof Frame.Certificates certs) || !name.equals(certs.user())) {
      throw new UntrustedContactException("the server answered the directory request for '" + name + "' with something else");
    }
    X509Certificate signing = parse(certs.signing(), name);
    X509Certificate encryption = parse(certs.encryption(), name);
    try {
      verifier.verify(signing, name, CertificateRole.USER_SIGNING, clock.instant());
      verifier.verify(encryption, name, CertificateRole.USER_ENCRYPTION, clock.instant());
    } catch (CertificateRejectedException e) {
      throw new UntrustedContactException(
          "refusing the certificates the server gave for '" + name + "': " + e.getMessage()
              + ". Nothing was sent. The server may be compromised; tell your administrator.");
    }
    return new VerifiedContact(name, signing, encryption);
  }

  /** How long a fetched revocation list is used before asking the relay again. */
  static final Duration CRL_REFRESH = Duration.ofSeconds(5);

  private volatile RevocationList revocations;
  private volatile java.time.Instant revocationsFetched = java.time.Instant.MIN;

  /**
   * The CA's revocation list, verified (CA signature) and fresh (before its nextUpdate), fetched
   * from the relay at most every {@link #CRL_REFRESH}. Throws when no such list can be had.
   */
  public RevocationList revocations() throws CrlRejectedException {
    java.time.Instant now = clock.instant();
    RevocationList cached = revocations;
    if (cached != null && now.isBefore(revocationsFetched.plus(CRL_REFRESH)) && now.isBefore(cached.nextUpdate())) {
      return cached;
    }
    Frame answer;
    try {
      RelayConnection conn = relay.current();
      String ref = conn.nextRef();
      answer = conn.request(new Frame.CrlRequest(ref), ref, LOOKUP_TIMEOUT);
    } catch (RelayConnection.RelayException e) {
      throw new CrlRejectedException("the server has no revocation list (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw new CrlRejectedException("the revocation list could not be fetched (" + e.getMessage() + ")");
    }
    if (!(answer instanceof Frame.Revocations r)) {
      throw new CrlRejectedException("the server answered the revocation list request with something else");
    }
    RevocationList verified;
    try {
      verified = RevocationList.verify(CrlIssuer.parsePem(r.crl()), verifier.rootCa(), now);
    } catch (IOException e) {
      throw new CrlRejectedException("the server sent an unreadable revocation list");
    }
    if (cached != null && verified.number().compareTo(cached.number()) < 0) {
      throw new CrlRejectedException("the server sent an older revocation list than one already seen (a rollback?)");
    }
    revocations = verified;
    revocationsFetched = now;
    return verified;
  }

  /** Forgets the cached revocation list, so the next check fetches the relay's current one. */
  void forgetRevocations() {
    revocationsFetched = java.time.Instant.MIN;
  }

  /**
   * Whether messages from {@code cert}, dated {@code at}, must be refused: its certificate was
   * revoked before {@code at}, or for key compromise; or, for a sender never talked to before, no
   * fresh revocation list can be had (fail closed for new contacts).
   */
  Optional<String> refusal(X509Certificate cert, java.time.Instant at) {
    String name = dev.ztchat.core.pki.Certificates.commonName(cert);
    try {
      RevocationList crl = revocations();
      Optional<java.time.Instant> revokedAt = crl.revokedAt(cert);
      if (revokedAt.isPresent() && (crl.compromised(cert) || !revokedAt.get().isAfter(at))) {
        return Optional.of("the certificate of '" + name + "' was revoked on " + revokedAt.get());
      }
      return Optional.empty();
    } catch (CrlRejectedException e) {
      try {
        if (pins.isPinned(name)) {
          return Optional.empty(); // a known contact: the message is shown; sending warns separately
        }
      } catch (IOException ignored) {
        // fall through: fail closed
      }
      return Optional.of("no fresh revocation list to check a new contact's certificate (" + e.getMessage() + ")");
    }
  }

  /** A contact whose keys may be used to send: verified, not revoked, and matching the pin. */
  public VerifiedContact forSending(String name) throws IOException, UntrustedContactException, KeyChangedException {
    // Fetched afresh for every message: a key change or a revocation is noticed before the next
    // message is sealed, never after.
    VerifiedContact fresh = fetchVerified(name);
    try {
      RevocationList crl = revocations();
      for (X509Certificate c : List.of(fresh.signing(), fresh.encryption())) {
        Optional<java.time.Instant> at = crl.revokedAt(c);
        if (at.isPresent() && !crl.compromised(c) && isSuperseded(crl, c)) {
          throw new ContactKeysRenewedException("the keys of '" + name + "' were renewed on " + at.get()
              + " and the server does not have the new ones yet: nothing was sent.");
        }
        if (at.isPresent()) {
          throw new UntrustedContactException("the certificate of '" + name + "' was revoked by the CA on " + at.get()
              + ": nothing was sent. If they have new keys, ask them to connect once so the server learns them.");
        }
      }
    } catch (CrlRejectedException e) {
      if (!pins.isPinned(name)) {
        throw new UntrustedContactException("cannot check whether the certificate of '" + name
            + "' was revoked: " + e.getMessage() + ". Refusing to start a conversation with a new contact;"
            + " ask your administrator to publish a fresh CRL (./ztchat pki crl) on the server.");
      }
      LOG.warn("sending to {} without a fresh revocation list: {}", name, e.getMessage());
    }
    ContactPins.Check check = pins.check(fresh);
    if (check instanceof ContactPins.Changed changed) {
      throw new KeyChangedException(name, changed.pinnedFingerprint(), changed.newFingerprint(), fresh);
    }
    return fresh;
  }

  /**
   * The signing certificate to verify {@code name}'s messages with: verified against the CA for
   * that name. A pinned-key mismatch is reported through {@code onChange} but does not hide the
   * message (the CA vouches for the key; the user is told to compare fingerprints).
   */
  public X509Certificate signingCertificateOf(String name, KeyChangeListener onChange) {
    try {
      VerifiedContact c = fetchVerified(name);
      ContactPins.Check check = pins.check(c);
      if (check instanceof ContactPins.Changed changed) {
        onChange.keyChanged(name, changed.pinnedFingerprint(), changed.newFingerprint());
      }
      return c.signing();
    } catch (IOException | UntrustedContactException e) {
      return null; // the opener then rejects the message as from an unknown sender
    }
  }

  private static boolean isSuperseded(RevocationList crl, X509Certificate c) {
    var entry = crl.crl().getRevokedCertificate(c);
    return entry != null && entry.getRevocationReason() == java.security.cert.CRLReason.SUPERSEDED;
  }

  /** The user accepted {@code contact}'s new keys after comparing fingerprints. */
  public void acceptChange(VerifiedContact contact) throws IOException {
    pins.accept(contact);
  }

  private static X509Certificate parse(String pem, String name) throws UntrustedContactException {
    try {
      return PemFiles.parseCertificate(pem);
    } catch (IOException e) {
      throw new UntrustedContactException("the server sent an unreadable certificate for '" + name + "'");
    }
  }

  /** Told when a contact's keys differ from the pinned ones. */
  @FunctionalInterface
  public interface KeyChangeListener {
    void keyChanged(String name, String pinnedFingerprint, String newFingerprint);
  }
}
