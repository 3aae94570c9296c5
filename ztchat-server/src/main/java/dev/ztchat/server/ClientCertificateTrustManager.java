package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.CertificateRejectedException;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.IdentityName;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Decides, during the handshake, whether a client certificate may connect: it must be a user
 * signing certificate issued by our root CA, valid now, with EKU clientAuth and a valid user name
 * as its CN ({@link CertificateVerifier}), and not on the CA's revocation list. Fails closed:
 * anything it cannot check is refused.
 * This class never trusts servers.
 */
final class ClientCertificateTrustManager extends X509ExtendedTrustManager {
  private final CertificateVerifier verifier;
  private final Clock clock;
  private final java.util.function.Function<X509Certificate, java.util.Optional<java.time.Instant>> revokedAt;

  ClientCertificateTrustManager(CertificateVerifier verifier, Clock clock,
      java.util.function.Function<X509Certificate, java.util.Optional<java.time.Instant>> revokedAt) {
    this.verifier = requireNonNull(verifier, "verifier");
    this.clock = requireNonNull(clock, "clock");
    this.revokedAt = requireNonNull(revokedAt, "revokedAt");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("client presented no certificate");
    }
    X509Certificate leaf = chain[0];
    String name = Certificates.commonName(leaf);
    if (!IdentityName.isValid(name)) {
      throw new CertificateException("client certificate CN is not a valid user name");
    }
    try {
      verifier.verify(leaf, name, CertificateRole.USER_SIGNING, clock.instant());
    } catch (CertificateRejectedException e) {
      throw new CertificateException(e.getMessage());
    }
    var revoked = revokedAt.apply(leaf);
    if (revoked.isPresent()) {
      throw new CertificateException("certificate for '" + name + "' was revoked on " + revoked.get());
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
    checkClientTrusted(chain, authType);
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
