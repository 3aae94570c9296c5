package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.CertificateRejectedException;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.IdentityName;
import dev.ztchat.core.pki.KeyType;
import io.netty.handler.ssl.OpenSslCertificateException;
import java.net.Socket;
import java.security.cert.CRLReason;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateRevokedException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Decides, during the handshake, whether a client certificate may connect: it must be a user's v1
 * signing certificate (RSA) or v2 device certificate (ECDSA P-256, docs/v2/device-certificates.md)
 * issued by our root CA, valid now, with EKU clientAuth and a valid user name as its CN ({@link
 * CertificateVerifier}), and not on the CA's revocation list. The key type selects the role the
 * certificate is checked for, so each kind meets its own rules in full. Fails closed: anything it
 * cannot check is refused. This class never trusts servers.
 *
 * <p>A certificate it accepts in a handshake goes on to {@link IdentityBindingHandler} with the
 * identity it names ({@link VerifiedPeerHandOff}), so that it is parsed once per connection.
 */
final class ClientCertificateTrustManager extends X509ExtendedTrustManager {
  private final CertificateVerifier verifier;
  private final Clock clock;
  private final Function<X509Certificate, Optional<Instant>> revokedAt;

  ClientCertificateTrustManager(
      CertificateVerifier verifier,
      Clock clock,
      Function<X509Certificate, Optional<Instant>> revokedAt) {
    this.verifier = requireNonNull(verifier, "verifier");
    this.clock = requireNonNull(clock, "clock");
    this.revokedAt = requireNonNull(revokedAt, "revokedAt");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain);
  }

  /** Checks the client's certificate; returns the identity it names when it may connect. */
  private String check(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("client presented no certificate");
    }
    X509Certificate leaf = chain[0];
    String name = Certificates.commonName(leaf);
    if (!IdentityName.isValid(name)) {
      throw new CertificateException("client certificate CN is not a valid user name");
    }
    try {
      verifier.verify(leaf, name, roleOf(leaf), clock.instant());
    } catch (CertificateRejectedException e) {
      throw refusal(leaf, e.getMessage());
    }
    var revoked = revokedAt.apply(leaf);
    if (revoked.isPresent()) {
      throw new Revoked(
          leaf, "certificate for '" + name + "' was revoked on " + revoked.get(), revoked.get());
    }
    return name;
  }

  /** The role a client certificate is checked for: DEVICE for a P-256 key, else USER_SIGNING. */
  static CertificateRole roleOf(X509Certificate clientCertificate) {
    try {
      return KeyType.of(clientCertificate.getPublicKey()) == KeyType.EC
          ? CertificateRole.DEVICE
          : CertificateRole.USER_SIGNING;
    } catch (IllegalArgumentException e) {
      return CertificateRole.USER_SIGNING; // refused there, with the reason
    }
  }

  /**
   * The exception whose type tells the TLS stack which alert to send the client (docs/PROTOCOL.md
   * section 2): {@code certificate_expired} for a certificate outside its validity period, {@code
   * unknown_ca} for anything else; {@link Revoked} gives {@code certificate_revoked}. The client
   * stops retrying on these and tells its user to get new keys.
   */
  private CertificateException refusal(X509Certificate leaf, String why) {
    try {
      leaf.checkValidity(Date.from(clock.instant()));
    } catch (CertificateExpiredException e) {
      return new CertificateExpiredException(why);
    } catch (CertificateNotYetValidException e) {
      return new CertificateNotYetValidException(why);
    }
    return new OpenSslCertificateException(
        why, io.netty.internal.tcnative.CertificateVerifier.X509_V_ERR_CERT_UNTRUSTED);
  }

  /** Revocation, with our words as its message (the JDK's own message names no certificate). */
  private static final class Revoked extends CertificateRevokedException {
    private static final long serialVersionUID = 1L;
    private final String message;

    Revoked(X509Certificate leaf, String message, Instant at) {
      super(Date.from(at), CRLReason.UNSPECIFIED, leaf.getIssuerX500Principal(), Map.of());
      this.message = message;
    }

    @Override
    public String getMessage() {
      return message;
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    String identity = check(chain);
    VerifiedPeerHandOff.handOn(
        engine, new SessionStartHandler.VerifiedPeer(identity, chain[0], true));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("the relay does not trust servers");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[] {verifier.rootCa()};
  }
}
