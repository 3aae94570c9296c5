package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Refuses every client handshake while {@link CrlFreshnessPolicy} says a stale revocation list
 * closes the relay, then leaves the decision to the client-certificate trust manager it wraps.
 */
final class StaleCrlGuard extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager next;
  private final CrlFreshnessPolicy policy;
  private final Supplier<X509CRL> crl;
  private final Clock clock;

  StaleCrlGuard(
      X509ExtendedTrustManager next,
      CrlFreshnessPolicy policy,
      Supplier<X509CRL> crl,
      Clock clock) {
    this.next = requireNonNull(next, "next");
    this.policy = requireNonNull(policy, "policy");
    this.crl = requireNonNull(crl, "crl");
    this.clock = requireNonNull(clock, "clock");
  }

  private void guard() throws CertificateException {
    String refusal = policy.refusal(crl.get(), clock.instant());
    if (refusal != null) {
      throw new CertificateException(refusal);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    guard();
    next.checkClientTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    guard();
    next.checkClientTrusted(chain, authType, socket);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    guard();
    next.checkClientTrusted(chain, authType, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    next.checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    next.checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    next.checkServerTrusted(chain, authType, engine);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return next.getAcceptedIssuers();
  }
}
