package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.CertificateRejectedException;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.IdentityName;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.session.PrekeyKind;
import dev.ztchat.server.store.DevicePrekeys;
import dev.ztchat.server.store.HandedOutBundle;
import dev.ztchat.server.store.PrekeyRefusedException;
import dev.ztchat.server.store.PrekeyStore;
import dev.ztchat.server.store.PrekeyUpload;
import dev.ztchat.server.store.PublishedPrekey;
import dev.ztchat.server.store.StoredDevice;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code prekeys} (a device publishes its prekeys) and {@code bundle} (someone asks for a
 * user's prekey bundle), docs/v2/prekeys.md. The relay checks only the structure of what it stores
 * and hands out (the receiving device verifies the signatures), and the device certificate: it
 * takes prekeys only with a certificate valid for the connection's identity, and hands them out
 * only while that certificate is valid and not revoked. Each one-time prekey goes to one requester
 * at most ({@link PrekeyStore#take}); the {@link PrekeyDrainLimiter} decides who gets one and who
 * gets the last-resort prekey, and each refusal is a {@link SecurityEvent#PREKEY_DRAIN}.
 *
 * <p>Store work runs on one thread of its own, never on a connection's event loop; each method
 * returns the answer frame (an {@code error} frame for a refusal) as a future.
 */
final class PrekeyService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PrekeyService.class);

  /** Longest device certificate accepted, in bytes of DER (as the session library's bundle). */
  static final int MAX_CERTIFICATE_LENGTH = 2048;

  /** Most one-time prekeys in one {@code prekeys} frame. */
  static final int MAX_ONE_TIME_PER_FRAME = 8;

  private static final HexFormat HEX = HexFormat.of();

  private final PrekeyStore store;
  private final CertificateVerifier verifier;
  private final Function<X509Certificate, Optional<Instant>> revokedAt;
  private final Predicate<String> knownUser;
  private final PrekeyDrainLimiter limiter;
  private final SecurityLog security;
  private final Clock clock;
  private final ExecutorService thread;

  PrekeyService(
      PrekeyStore store,
      CertificateVerifier verifier,
      Function<X509Certificate, Optional<Instant>> revokedAt,
      Predicate<String> knownUser,
      PrekeyDrainLimiter limiter,
      SecurityLog security,
      Clock clock) {
    this.store = requireNonNull(store, "store");
    this.verifier = requireNonNull(verifier, "verifier");
    this.revokedAt = requireNonNull(revokedAt, "revokedAt");
    this.knownUser = requireNonNull(knownUser, "knownUser");
    this.limiter = requireNonNull(limiter, "limiter");
    this.security = requireNonNull(security, "security");
    this.clock = requireNonNull(clock, "clock");
    this.thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "ztchat-prekeys");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Whether {@code cert} is a device certificate valid now for {@code user} and not revoked: valid
   * for role {@link CertificateRole#DEVICE} (issued by our CA, in validity, ECDSA P-256,
   * digitalSignature and clientAuth, CN = user) and not on the CA's current CRL.
   */
  void verifyDeviceCertificate(X509Certificate cert, String user)
      throws CertificateRejectedException {
    verifier.verify(cert, user, CertificateRole.DEVICE, clock.instant());
    Optional<Instant> revoked = revokedAt.apply(cert);
    if (revoked.isPresent()) {
      throw new CertificateRejectedException(
          "certificate for '" + user + "' was revoked on " + revoked.get());
    }
  }

  /** Stores what {@code identity}'s device publishes; answers {@code prekeyStock} or an error. */
  CompletableFuture<Frame> publish(
      String identity, SocketAddress remote, Frame.PublishPrekeys frame) {
    return run(frame.ref(), () -> doPublish(identity, remote, frame));
  }

  /**
   * Hands {@code identity} a bundle of the requested user; answers {@code prekeyBundle} or error.
   */
  CompletableFuture<Frame> bundle(
      String identity, SocketAddress remote, Frame.BundleRequest frame) {
    return run(frame.ref(), () -> doBundle(identity, remote, frame));
  }

  @FunctionalInterface
  private interface Work {
    Frame run() throws IOException;
  }

  private CompletableFuture<Frame> run(String ref, Work work) {
    CompletableFuture<Frame> answer = new CompletableFuture<>();
    try {
      thread.execute(
          () -> {
            try {
              answer.complete(work.run());
            } catch (IOException | RuntimeException e) {
              LOG.error("a prekey request failed: {}", e.getMessage());
              answer.complete(
                  new Frame.Error(
                      ref, ErrorCode.INTERNAL, "the server could not answer; try again later"));
            }
          });
    } catch (RuntimeException e) { // closing
      answer.complete(
          new Frame.Error(ref, ErrorCode.INTERNAL, "the server is shutting down; try again later"));
    }
    return answer;
  }

  private Frame doPublish(String identity, SocketAddress remote, Frame.PublishPrekeys f)
      throws IOException {
    String ref = f.ref();
    if (!f.device().matches("[0-9a-f]{64}")) {
      return new Frame.Error(
          ref,
          ErrorCode.MALFORMED,
          "member 'device' must be 64 hex digits: the SHA-256 of the device certificate");
    }
    byte[] device = HEX.parseHex(f.device());
    if (f.oneTime().size() > MAX_ONE_TIME_PER_FRAME) {
      return new Frame.Error(
          ref,
          ErrorCode.BAD_PREKEY,
          "at most " + MAX_ONE_TIME_PER_FRAME + " one-time prekeys per frame");
    }
    PublishedPrekey signed;
    PublishedPrekey lastResort;
    List<PublishedPrekey> oneTime = new ArrayList<>();
    try {
      signed = parse(f.signedPrekey(), PrekeyKind.SIGNED_X25519, "signedPrekey");
      lastResort = parse(f.lastResort(), PrekeyKind.LAST_RESORT_ML_KEM_768, "lastResort");
      for (int i = 0; i < f.oneTime().size(); i++) {
        oneTime.add(
            parse(f.oneTime().get(i), PrekeyKind.ONE_TIME_ML_KEM_768, "oneTime[" + i + "]"));
      }
    } catch (PrekeyRefusedException e) {
      return new Frame.Error(ref, ErrorCode.BAD_PREKEY, e.getMessage());
    }
    byte[] der = f.certificate();
    try {
      X509Certificate cert;
      if (der != null) {
        cert = parseDer(der);
        if (!MessageDigest.isEqual(sha256(der), device)) {
          return new Frame.Error(
              ref,
              ErrorCode.BAD_PREKEY,
              "member 'device' is not the SHA-256 of member 'certificate'");
        }
      } else {
        // this very device, not the person's newest: another device may register in between
        Optional<StoredDevice> known =
            store.devices(identity).stream()
                .filter(d -> Arrays.equals(d.device(), device))
                .findFirst();
        if (known.isEmpty()) {
          return new Frame.Error(
              ref,
              ErrorCode.BAD_PREKEY,
              "the relay holds no certificate of this device: send member 'certificate'");
        }
        cert = parseDer(known.get().certificate());
      }
      verifyDeviceCertificate(cert, identity);
    } catch (CertificateRejectedException e) {
      security.record(
          SecurityEvent.BAD_CERTIFICATE,
          identity,
          remote,
          "frame",
          "prekeys",
          "reason",
          e.getMessage(),
          "action",
          "refused");
      return new Frame.Error(
          ref, ErrorCode.BAD_CERTIFICATE, "device certificate refused: " + e.getMessage());
    }
    try {
      DevicePrekeys stock =
          store.publish(new PrekeyUpload(identity, device, der, signed, lastResort, oneTime));
      return stockFrame(ref, f.device(), stock);
    } catch (PrekeyRefusedException e) {
      return new Frame.Error(
          ref,
          e.reason() == PrekeyRefusedException.Reason.FULL
              ? ErrorCode.TOO_MANY_PREKEYS
              : ErrorCode.BAD_PREKEY,
          e.getMessage());
    }
  }

  private static Frame.PrekeyStock stockFrame(String ref, String device, DevicePrekeys s) {
    return new Frame.PrekeyStock(
        ref,
        device,
        s.oneTime(),
        s.oneTimeLimit(),
        s.signedPrekeyId().isPresent()
            ? PublishedPrekey.idText(s.signedPrekeyId().getAsLong())
            : null,
        s.lastResortId().isPresent() ? PublishedPrekey.idText(s.lastResortId().getAsLong()) : null,
        PublishedPrekey.idText(s.nextOneTimeId()));
  }

  private static PublishedPrekey parse(byte[] encoded, PrekeyKind kind, String member)
      throws PrekeyRefusedException {
    if (encoded == null) {
      return null;
    }
    try {
      return PublishedPrekey.parse(encoded, kind);
    } catch (PrekeyRefusedException e) {
      throw new PrekeyRefusedException(e.reason(), "member '" + member + "': " + e.getMessage());
    }
  }

  private Frame doBundle(String identity, SocketAddress remote, Frame.BundleRequest f)
      throws IOException {
    String ref = f.ref();
    String user = f.user();
    if (!IdentityName.isValid(user)) {
      return new Frame.Error(ref, ErrorCode.UNKNOWN_USER, "no such user");
    }
    // the user's devices whose certificates are valid now and not revoked, newest first
    List<StoredDevice> all = store.devices(user);
    if (all.isEmpty()) {
      return knownUser.test(user)
          ? new Frame.Error(ref, ErrorCode.NO_PREKEYS, "that user has published no prekeys")
          : new Frame.Error(ref, ErrorCode.UNKNOWN_USER, "no such user");
    }
    List<StoredDevice> current = new ArrayList<>();
    for (StoredDevice d : all) {
      try {
        verifyDeviceCertificate(parseDer(d.certificate()), user);
        current.add(d);
      } catch (CertificateRejectedException e) {
        // expired or revoked: never handed out, never listed
      }
    }
    StoredDevice device = null;
    for (StoredDevice d : current) {
      if (f.device() == null || HEX.formatHex(d.device()).equals(f.device())) {
        device = d;
        break;
      }
    }
    if (device == null) {
      return new Frame.Error(
          ref,
          ErrorCode.NO_PREKEYS,
          f.device() == null
              ? "that user's device certificate is no longer valid; they must publish new prekeys"
              : "that user has no current device " + f.device());
    }
    List<String> listed = current.stream().map(d -> HEX.formatHex(d.device())).toList();
    PrekeyDrainLimiter.Verdict verdict = limiter.tryTake(identity, user);
    boolean allowed = verdict == PrekeyDrainLimiter.Verdict.ALLOWED;
    Optional<HandedOutBundle> taken = store.take(user, device.device(), allowed);
    if (!allowed) {
      security.record(
          SecurityEvent.PREKEY_DRAIN,
          identity,
          remote,
          "target",
          user,
          "limit",
          verdict == PrekeyDrainLimiter.Verdict.PAIR_LIMIT ? "pair" : "requester",
          "action",
          taken.isPresent() ? "last_resort" : "refused");
    }
    if (taken.isEmpty()) {
      boolean hasOneTime =
          store.stock(user, device.device()).map(s -> s.oneTime() > 0).orElse(false);
      return !allowed && hasOneTime
          ? new Frame.Error(
              ref,
              ErrorCode.RATE_LIMITED,
              "too many of that user's prekeys fetched; try again later")
          : new Frame.Error(ref, ErrorCode.NO_PREKEYS, "that user has no prekeys to hand out");
    }
    HandedOutBundle b = taken.get();
    return new Frame.PrekeyBundle(
        ref,
        user,
        HEX.formatHex(device.device()),
        device.certificate(),
        b.signedPrekey(),
        b.kemPrekey(),
        b.lastResort(),
        listed);
  }

  /** A certificate from exactly its DER: nothing before or after it, no PEM. */
  private static X509Certificate parseDer(byte[] der) throws CertificateRejectedException {
    if (der.length > MAX_CERTIFICATE_LENGTH) {
      throw new CertificateRejectedException(
          "the device certificate has "
              + der.length
              + " bytes, more than "
              + MAX_CERTIFICATE_LENGTH);
    }
    try {
      X509Certificate cert =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(der));
      if (!Arrays.equals(cert.getEncoded(), der)) {
        throw new CertificateRejectedException("the device certificate is not exactly one DER");
      }
      return cert;
    } catch (CertificateException | ClassCastException e) {
      throw new CertificateRejectedException("the device certificate is not an X.509 DER");
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  @Override
  public void close() {
    thread.shutdown();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    store.close();
  }
}
