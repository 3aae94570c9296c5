package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.RsaOaepAesGcmOpener;
import dev.ztchat.core.envelope.SenderLookupUnavailableException;
import dev.ztchat.core.pki.CertificateRejectedException;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.CrlRejectedException;
import dev.ztchat.core.pki.IdentityName;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.pki.RevocationList;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.remedy.Remedy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds contacts' certificates through the relay's directory and decides whether they may be used.
 * The relay is not trusted for them: every certificate is verified against the root CA held
 * locally, for the contact's name and the right role, and then compared with the pinned keys.
 *
 * <p>Security guarantees: {@link #forSending} returns only keys that verified AND match the pin (or
 * were pinned now, on first use, or were accepted by the user after a change). A key change throws
 * {@link KeyChangedException} with old and new fingerprints; nothing is sent to the new key until
 * {@link #acceptChange} is called.
 *
 * <p>For opening messages, a sender's certificates are cached for {@link #SENDER_CACHE_TTL}, so a
 * backlog from one sender costs one lookup; revocation is still checked against a CRL at most
 * {@link #CRL_REFRESH} old ({@link #refusal}), so the cache cannot let a revoked key through. A
 * lookup that fails for a transient reason (rate limited, timeout, no connection) throws {@link
 * SenderLookupUnavailableException}: only the relay's {@code unknown_user} answer means "no such
 * sender" (docs/PROTOCOL.md section 7, check 1).
 */
final class ContactDirectory {
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
        return ProtocolLimits.DEFAULT_MAX_FRAME;
      }
    }
  }

  public ContactDirectory(
      ConnectionSource relay, CertificateVerifier verifier, ContactPins pins, Clock clock) {
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
    Frame.Certificates certs;
    try {
      certs = requestCertificates(name);
    } catch (RelayConnection.RelayException e) {
      if (e.code() == ErrorCode.UNKNOWN_USER) {
        throw new UntrustedContactException(
            "the server knows no user '"
                + name
                + "' (check the spelling; a new user is known once their certificates are in the"
                + " server's certs folder, or once they connect)");
      }
      throw e;
    }
    if (certs == null) {
      throw new UntrustedContactException(
          "the server answered the directory request for '" + name + "' with something else");
    }
    return verify(name, parse(certs.signing(), name), parse(certs.encryption(), name));
  }

  /** The directory's answer for {@code name}, or null if the relay answered with something else. */
  private Frame.Certificates requestCertificates(String name) throws IOException {
    RelayConnection conn = relay.current();
    String ref = conn.nextRef();
    Frame answer = conn.request(new Frame.DirectoryRequest(ref, name), ref, LOOKUP_TIMEOUT);
    return answer instanceof Frame.Certificates certs && name.equals(certs.user()) ? certs : null;
  }

  private VerifiedContact verify(String name, X509Certificate signing, X509Certificate encryption)
      throws UntrustedContactException {
    try {
      verifier.verify(signing, name, CertificateRole.USER_SIGNING, clock.instant());
      verifier.verify(encryption, name, CertificateRole.USER_ENCRYPTION, clock.instant());
    } catch (CertificateRejectedException e) {
      throw new UntrustedContactException(
          "refusing the certificates the server gave for '"
              + name
              + "': "
              + e.getMessage()
              + ". Nothing was sent. The server may be compromised; tell your administrator.");
    }
    return new VerifiedContact(name, signing, encryption);
  }

  /** How long a fetched revocation list is used before asking the relay again. */
  static final Duration CRL_REFRESH = Duration.ofSeconds(5);

  private volatile RevocationList revocations;
  private volatile Instant revocationsFetched = Instant.MIN;

  /**
   * The CA's revocation list, verified (CA signature) and fresh (before its nextUpdate), fetched
   * from the relay at most every {@link #CRL_REFRESH}. Throws when no such list can be had.
   */
  public RevocationList revocations() throws CrlRejectedException {
    try {
      return fetchRevocations();
    } catch (IOException e) {
      throw new CrlRejectedException(
          "the revocation list could not be fetched (" + e.getMessage() + ")");
    }
  }

  /**
   * As {@link #revocations}, but a list that could not be fetched for a transport reason (no
   * connection, timeout, rate limited) is an IOException, told apart from a list the relay does not
   * have or that does not verify.
   */
  private RevocationList fetchRevocations() throws IOException, CrlRejectedException {
    Instant now = clock.instant();
    RevocationList cached = revocations;
    if (cached != null
        && now.isBefore(revocationsFetched.plus(CRL_REFRESH))
        && now.isBefore(cached.nextUpdate())) {
      return cached;
    }
    Frame answer;
    try {
      // Paced as every request is: a check that needs the list waits for the relay's budget.
      answer =
          RateLimitPacing.paced(
              () -> {
                RelayConnection conn = relay.current();
                String ref = conn.nextRef();
                return conn.request(new Frame.CrlRequest(ref), ref, LOOKUP_TIMEOUT);
              });
    } catch (RelayConnection.RelayException e) {
      if (e.code() == ErrorCode.RATE_LIMITED) {
        throw e; // still limited after every try: a transport failure, not a missing list
      }
      throw new CrlRejectedException("the server has no revocation list (" + e.getMessage() + ")");
    }
    if (!(answer instanceof Frame.Revocations r)) {
      throw new CrlRejectedException(
          "the server answered the revocation list request with something else");
    }
    RevocationList verified;
    try {
      verified = RevocationList.verify(PemFiles.parseCrl(r.crl()), verifier.rootCa(), now);
    } catch (IOException e) {
      throw new CrlRejectedException("the server sent an unreadable revocation list");
    }
    if (cached != null && verified.number().compareTo(cached.number()) < 0) {
      throw new CrlRejectedException(
          "the server sent an older revocation list than one already seen (a rollback?)");
    }
    revocations = verified;
    revocationsFetched = now;
    return verified;
  }

  /** Forgets the cached revocation list, so the next check fetches the relay's current one. */
  void forgetRevocations() {
    revocationsFetched = Instant.MIN;
  }

  /**
   * Whether messages from {@code cert}, dated {@code at}, must be refused: its certificate was
   * revoked before {@code at}, or for key compromise; or, for a sender never talked to before, no
   * fresh revocation list can be had (fail closed for new contacts).
   */
  Optional<String> refusal(X509Certificate cert, Instant at) {
    String name = Certificates.commonName(cert);
    try {
      RevocationList crl = fetchRevocations();
      Optional<Instant> revokedAt = crl.revokedAt(cert);
      if (revokedAt.isPresent() && (crl.compromised(cert) || !revokedAt.get().isAfter(at))) {
        return Optional.of("the certificate of '" + name + "' was revoked on " + revokedAt.get());
      }
      return Optional.empty();
    } catch (IOException e) {
      // Not a verdict about the certificate: open the message again once the list can be fetched.
      throw unavailable("the revocation list could not be fetched", e);
    } catch (CrlRejectedException e) {
      try {
        if (pins.isPinned(name)) {
          return Optional
              .empty(); // a known contact: the message is shown; sending warns separately
        }
      } catch (IOException ignored) {
        // fall through: fail closed
      }
      return Optional.of(
          "no fresh revocation list to check a new contact's certificate (" + e.getMessage() + ")");
    }
  }

  /** A contact whose keys may be used to send: verified, not revoked, and matching the pin. */
  public VerifiedContact forSending(String name)
      throws IOException, UntrustedContactException, KeyChangedException {
    // Fetched afresh for every message: a key change or a revocation is noticed before the next
    // message is sealed, never after.
    return usable(fetchVerified(name));
  }

  /**
   * A contact to seal a receipt to: as {@link #forSending}, but with the keys cached when their
   * messages were opened, so that a backlog does not cost a directory lookup per receipt. The
   * revocation list and the pin are checked as for any message.
   */
  VerifiedContact forReceipt(String name)
      throws IOException, UntrustedContactException, KeyChangedException {
    SenderEntry cached = senders.get(name);
    if (cached == null || cached.current() == null || !fresh(cached)) {
      return forSending(name);
    }
    return usable(cached.current());
  }

  private VerifiedContact usable(VerifiedContact fresh)
      throws IOException, UntrustedContactException, KeyChangedException {
    String name = fresh.name();
    try {
      RevocationList crl = revocations();
      for (X509Certificate c : List.of(fresh.signing(), fresh.encryption())) {
        Optional<Instant> at = crl.revokedAt(c);
        if (at.isPresent()) {
          if (crl.superseded(c)) {
            throw new ContactKeysRenewedException(
                "the keys of '"
                    + name
                    + "' were renewed by the CA on "
                    + at.get()
                    + " and the server does not have the new ones yet: nothing was sent to the old"
                    + " keys. It can be sent once the server has them (when "
                    + name
                    + " connects once, or their certificates are in the"
                    + " server's certs folder).");
          }
          throw new UntrustedContactException(
              "the certificate of '"
                  + name
                  + "' was revoked by the CA on "
                  + at.get()
                  + ": nothing was sent. If they have new keys, ask them to connect once so the"
                  + " server learns them.");
        }
      }
    } catch (CrlRejectedException e) {
      if (!pins.isPinned(name)) {
        throw new UntrustedContactException(
            "cannot check whether the certificate of '"
                + name
                + "' was revoked: "
                + e.getMessage()
                + ". Refusing to start a conversation with a new contact",
            Remedy.of(Remedy.Kind.ISSUE_CRL));
      }
      LOG.warn("sending to {} without a fresh revocation list: {}", name, e.getMessage());
    }
    ContactPins.Check check = pins.check(fresh);
    if (check instanceof ContactPins.Changed changed) {
      throw new KeyChangedException(
          name, changed.pinnedFingerprint(), changed.newFingerprint(), fresh);
    }
    return fresh;
  }

  /**
   * How long a sender's certificates, fetched to open their messages, are used before asking again.
   */
  static final Duration SENDER_CACHE_TTL = Duration.ofMinutes(10);

  /** How long to wait after the relay said {@code rate_limited} before asking again. */
  static final Duration RATE_LIMITED_PAUSE = Duration.ofSeconds(1);

  /**
   * A sender's certificates as the directory gave them; {@code current} is null if they did not
   * verify.
   */
  private record SenderEntry(
      List<X509Certificate> signing, VerifiedContact current, Instant fetched) {}

  private final ConcurrentMap<String, SenderEntry> senders = new ConcurrentHashMap<>();

  private boolean fresh(SenderEntry e) {
    Instant now = clock.instant();
    return !now.isBefore(e.fetched()) && now.isBefore(e.fetched().plus(SENDER_CACHE_TTL));
  }

  /**
   * The signing certificates to verify {@code name}'s messages with: the current one first, then
   * the earlier ones the directory knows (newest first), unverified (the opener verifies each
   * against the CA for that name). Empty only when the relay answered {@code unknown_user}. A
   * pinned-key mismatch is reported through {@code onChange} but does not hide the message (the CA
   * vouches for the key; the user is told to compare fingerprints).
   *
   * @throws SenderLookupUnavailableException when the directory could not be asked or did not
   *     answer (no connection, timeout, rate limited, an answer that is not one)
   */
  public List<X509Certificate> signingCertificatesOf(String name, KeyChangeListener onChange) {
    SenderEntry cached = senders.get(name);
    if (cached != null && fresh(cached)) {
      return cached.signing();
    }
    Frame.Certificates certs;
    try {
      certs = requestCertificates(name);
    } catch (RelayConnection.RelayException e) {
      if (e.code() == ErrorCode.UNKNOWN_USER) {
        senders.remove(name);
        return List.of();
      }
      throw unavailable("the directory lookup for '" + name + "' failed", e);
    } catch (IOException e) {
      throw unavailable("the directory lookup for '" + name + "' failed", e);
    }
    if (certs == null) {
      throw unavailable(
          "the server answered the directory request for '" + name + "' with something else", null);
    }
    List<X509Certificate> signing = new ArrayList<>();
    X509Certificate current;
    X509Certificate encryption;
    try {
      current = parse(certs.signing(), name);
      encryption = parse(certs.encryption(), name);
    } catch (UntrustedContactException e) {
      throw unavailable(e.getMessage(), null);
    }
    signing.add(current);
    for (String pem : certs.earlierSigning()) {
      if (signing.size() >= RsaOaepAesGcmOpener.MAX_SIGNING_CANDIDATES) {
        break;
      }
      try {
        signing.add(parse(pem, name));
      } catch (UntrustedContactException e) {
        LOG.debug("skipping an unreadable earlier certificate of {}", name);
      }
    }
    VerifiedContact verified = null;
    try {
      verified = verify(name, current, encryption);
      // compared, not pinned: the sender becomes a known contact only once a message of theirs
      // passed every check (senderAccepted)
      ContactPins.Check check = pins.compare(verified);
      if (check instanceof ContactPins.Changed changed) {
        onChange.keyChanged(name, changed.pinnedFingerprint(), changed.newFingerprint());
      }
    } catch (UntrustedContactException e) {
      LOG.debug(
          "the directory's current certificates of {} do not verify: {}", name, e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a local failure, not the directory's: not retried here
    }
    SenderEntry entry = new SenderEntry(List.copyOf(signing), verified, clock.instant());
    senders.put(name, entry);
    return entry.signing();
  }

  /**
   * A message from {@code name} passed every check of section 7: their current keys, as verified by
   * the lookup, are pinned if nothing was pinned for them yet (trust on first use).
   */
  void senderAccepted(String name) throws IOException {
    SenderEntry entry = senders.get(name);
    if (entry != null && entry.current() != null) {
      pins.check(entry.current());
    }
  }

  /**
   * Forgets {@code name}'s cached certificates; true if there were any (so a message that failed
   * with them is worth opening again with the directory's current answer).
   */
  boolean forgetSender(String name) {
    return senders.remove(name) != null;
  }

  private static SenderLookupUnavailableException unavailable(String what, IOException cause) {
    boolean limited =
        cause instanceof RelayConnection.RelayException r && r.code() == ErrorCode.RATE_LIMITED;
    String why = cause == null ? what : what + " (" + cause.getMessage() + ")";
    return new SenderLookupUnavailableException(
        why, limited ? RATE_LIMITED_PAUSE : Duration.ZERO, cause);
  }

  /**
   * The user accepted {@code contact}'s new keys after comparing fingerprints: they are pinned, but
   * only after they verified again, now, against the root CA for the contact's name and roles.
   *
   * @throws IOException when they do not (nothing is pinned), or the pins cannot be stored
   */
  public void acceptChange(VerifiedContact contact) throws IOException {
    requireNonNull(contact, "contact");
    if (!IdentityName.isValid(contact.name())) {
      throw new IOException(
          "refusing to pin keys for '" + contact.name() + "': not a valid user name");
    }
    try {
      verifier.verify(
          contact.signing(), contact.name(), CertificateRole.USER_SIGNING, clock.instant());
      verifier.verify(
          contact.encryption(), contact.name(), CertificateRole.USER_ENCRYPTION, clock.instant());
    } catch (CertificateRejectedException e) {
      throw new IOException(
          "the keys offered for '"
              + contact.name()
              + "' were not pinned: "
              + e.getMessage()
              + ". Look the contact up again (/fingerprint "
              + contact.name()
              + ") and compare before accepting.",
          e);
    }
    pins.accept(contact);
    senders.remove(contact.name());
  }

  private static X509Certificate parse(String pem, String name) throws UntrustedContactException {
    try {
      return PemFiles.parseCertificate(pem);
    } catch (IOException e) {
      throw new UntrustedContactException(
          "the server sent an unreadable certificate for '" + name + "'");
    }
  }

  /** Told when a contact's keys differ from the pinned ones. */
  @FunctionalInterface
  public interface KeyChangeListener {
    void keyChanged(String name, String pinnedFingerprint, String newFingerprint);
  }
}
