package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.CertificateRejectedException;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.Certificates;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The relay's directory of users' public certificates, as the CA issued them. It is filled from the
 * certs folder (at start and while running, {@link CertsWatcher}), from the client certificate of
 * every connection, and from {@code publish} frames; with several relay nodes on one store, also
 * from those the other nodes took from their connections and frames ({@link CrossNodeDirectory}).
 * The relay only stores certificates that verify against the root CA, but clients must not trust it
 * for them: they verify everything themselves (docs/PROTOCOL.md section 7).
 *
 * <p>Per user it keeps every signing and encryption certificate it learned (at most {@value
 * #MAX_KEPT} of each, the newest). The <em>current</em> one of each role is the newest: one not
 * revoked before one that is, then the later notBefore, then the later notAfter, then the one
 * learned last. So learning an older certificate (a client connecting with keys from before a
 * renewal, an old file) never rolls the directory back. The signing certificates other than the
 * current one are served as {@code earlierSigning}, newest first, at most {@value #MAX_EARLIER}:
 * receivers need them to check messages signed before a renewal (section 7, check 1).
 *
 * <p>v2 device certificates (ECDSA P-256, docs/v2/device-certificates.md) are kept apart, in their
 * own list per user: they are never served as a v1 {@code signing} or {@code earlierSigning}
 * certificate (a v1 receiver must not be handed an EC key as a sender's signing key), and only
 * {@link #currentDeviceCertificates} hands them out.
 */
final class Directory {
  /** Earlier signing certificates served per user at most. */
  static final int MAX_EARLIER = 8;

  /** Certificates kept per user and role at most. */
  static final int MAX_KEPT = 16;

  /**
   * A user's entry: the current certificates (either may still be unknown) and earlier signing
   * ones, newest first.
   */
  record Entry(
      X509Certificate signing, X509Certificate encryption, List<X509Certificate> earlierSigning) {
    Entry {
      earlierSigning = List.copyOf(earlierSigning);
    }
  }

  private record Learned(X509Certificate cert, long seq) {}

  /**
   * What is known of one user, immutable (replaced as a whole under {@link ConcurrentMap#compute}).
   */
  private record Known(List<Learned> signing, List<Learned> encryption, List<Learned> device) {}

  private final ConcurrentMap<String, Known> entries = new ConcurrentHashMap<>();
  private final AtomicLong learned = new AtomicLong();
  private final CertificateVerifier verifier;
  private final Clock clock;
  private final Function<X509Certificate, Optional<Instant>> revokedAt;

  /** Told of every certificate a user presented and the directory took. */
  @FunctionalInterface
  interface Presented {
    void presented(String name, X509Certificate cert, CertificateRole role);
  }

  private volatile Presented presented = (name, cert, role) -> {};

  Directory(CertificateVerifier verifier, Clock clock) {
    this(verifier, clock, cert -> Optional.empty());
  }

  /**
   * A directory that ranks a certificate on the CA's revocation list ({@code revokedAt}) below one
   * that is not.
   */
  Directory(
      CertificateVerifier verifier,
      Clock clock,
      Function<X509Certificate, Optional<Instant>> revokedAt) {
    this.verifier = requireNonNull(verifier, "verifier");
    this.clock = requireNonNull(clock, "clock");
    this.revokedAt = requireNonNull(revokedAt, "revokedAt");
  }

  /** Stores a certificate after verifying it for {@code name} and {@code role}. */
  void learn(String name, X509Certificate cert, CertificateRole role)
      throws CertificateRejectedException {
    if (role != CertificateRole.USER_SIGNING
        && role != CertificateRole.USER_ENCRYPTION
        && role != CertificateRole.DEVICE) {
      throw new IllegalArgumentException("the directory holds user certificates only, not " + role);
    }
    verifier.verify(cert, name, role, clock.instant());
    take(name, cert, role);
  }

  /** Adds {@code cert}, already checked, to {@code name}'s certificates of {@code role}. */
  private void take(String name, X509Certificate cert, CertificateRole role) {
    Learned add = new Learned(cert, learned.incrementAndGet());
    entries.compute(
        name,
        (n, old) -> {
          Known k = old == null ? new Known(List.of(), List.of(), List.of()) : old;
          return switch (role) {
            case USER_SIGNING -> new Known(with(k.signing(), add), k.encryption(), k.device());
            case USER_ENCRYPTION -> new Known(k.signing(), with(k.encryption(), add), k.device());
            default -> new Known(k.signing(), k.encryption(), with(k.device(), add));
          };
        });
  }

  /**
   * As {@link #learn}, for a certificate a user presented (a connection's client certificate, a
   * {@code publish} frame), which {@link #tellPresented} hears of once it is taken.
   */
  void learnPresented(String name, X509Certificate cert, CertificateRole role)
      throws CertificateRejectedException {
    learn(name, cert, role);
    presented.presented(name, cert, role);
  }

  /**
   * As {@link #learnPresented}, for a connection's client certificate that the relay's trust
   * manager checked in the handshake that just completed: the same checks ({@link
   * CertificateVerifier} over the same root CA, for {@code role}) made a moment ago, so they are
   * not made again. Never for a certificate from anywhere else.
   */
  void learnPresentedChecked(String name, X509Certificate cert, CertificateRole role) {
    if (role != CertificateRole.USER_SIGNING && role != CertificateRole.DEVICE) {
      throw new IllegalArgumentException("a client certificate is USER_SIGNING or DEVICE");
    }
    take(name, cert, role);
    presented.presented(name, cert, role);
  }

  /**
   * From now on {@code listener} hears of each certificate {@link #learnPresented} and {@link
   * #learnPresentedChecked} take.
   */
  void tellPresented(Presented listener) {
    this.presented = requireNonNull(listener, "listener");
  }

  /** {@code list} plus {@code add} (unless already there), the {@value #MAX_KEPT} newest kept. */
  private List<Learned> with(List<Learned> list, Learned add) {
    for (Learned l : list) {
      if (l.cert().equals(add.cert())) {
        return list;
      }
    }
    List<Learned> out = new ArrayList<>(list);
    out.add(add);
    if (out.size() > MAX_KEPT) {
      out.sort(newestFirst());
      out = out.subList(0, MAX_KEPT);
    }
    return List.copyOf(out);
  }

  /** Newest first: not revoked, later notBefore, later notAfter, learned later. */
  private Comparator<Learned> newestFirst() {
    Comparator<Learned> oldestFirst =
        Comparator.<Learned, Boolean>comparing(
                l -> revokedAt.apply(l.cert()).isPresent(), Comparator.reverseOrder())
            .thenComparing(l -> l.cert().getNotBefore())
            .thenComparing(l -> l.cert().getNotAfter())
            .thenComparingLong(Learned::seq);
    return oldestFirst.reversed();
  }

  /** The user's entry, if any certificate of theirs is known. */
  Optional<Entry> lookup(String name) {
    Known k = entries.get(name);
    if (k == null) {
      return Optional.empty();
    }
    List<X509Certificate> signing =
        k.signing().stream().sorted(newestFirst()).map(Learned::cert).toList();
    X509Certificate encryption =
        k.encryption().stream().sorted(newestFirst()).map(Learned::cert).findFirst().orElse(null);
    return Optional.of(
        new Entry(
            signing.isEmpty() ? null : signing.getFirst(),
            encryption,
            signing.isEmpty()
                ? List.of()
                : signing.subList(1, Math.min(signing.size(), 1 + MAX_EARLIER))));
  }

  /**
   * The current v2 device certificates of user {@code name}: every one learned that is valid now
   * and not on the CA's revocation list, newest first (later notBefore, later notAfter, learned
   * later); empty when none is known. For the prekey store and the v2 session setup: a prekey or
   * envelope signed by any other device key of {@code name} is not to be accepted.
   */
  List<X509Certificate> currentDeviceCertificates(String name) {
    Known k = entries.get(name);
    if (k == null) {
      return List.of();
    }
    Instant now = clock.instant();
    return k.device().stream()
        .filter(l -> revokedAt.apply(l.cert()).isEmpty())
        .filter(l -> validAt(l.cert(), now))
        .sorted(newestFirst())
        .map(Learned::cert)
        .toList();
  }

  /**
   * The device ids (hex SHA-256 of the DER) of {@link #currentDeviceCertificates}: the devices of
   * {@code name} that may receive envelopes now.
   */
  Set<String> currentDeviceIds(String name) {
    Set<String> out = new HashSet<>();
    for (X509Certificate cert : currentDeviceCertificates(name)) {
      out.add(HexFormat.of().formatHex(Certificates.sha256(cert)));
    }
    return out;
  }

  private static boolean validAt(X509Certificate cert, Instant now) {
    return !now.isBefore(cert.getNotBefore().toInstant())
        && !now.isAfter(cert.getNotAfter().toInstant());
  }

  boolean knows(String name) {
    return entries.containsKey(name);
  }
}
