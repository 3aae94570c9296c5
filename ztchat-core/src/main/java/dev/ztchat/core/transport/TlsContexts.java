package dev.ztchat.core.transport;

import dev.ztchat.core.pki.Credential;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;

/**
 * Builds Netty TLS contexts that follow {@link TlsSettings}: one for the relay, one for clients.
 */
public final class TlsContexts {
  private TlsContexts() {}

  /**
   * The relay's context: its own certificate, client certificates REQUIRED and checked by {@code
   * clientTrust} (which must verify against the root CA and fail closed).
   */
  public static SslContext server(Credential server, TrustManager clientTrust, SslProvider provider)
      throws SSLException {
    return SslContextBuilder.forServer(server.privateKey(), server.certificate())
        .sslProvider(provider)
        .protocols(TlsSettings.PROTOCOLS)
        .ciphers(TlsSettings.CIPHERS)
        .clientAuth(ClientAuth.REQUIRE)
        .trustManager(clientTrust)
        .build();
  }

  /**
   * A client's context: presents {@code client} (the user's signing credential) and trusts only
   * {@code rootCa} for the server, checking the host name it dials.
   */
  public static SslContext client(Credential client, X509Certificate rootCa, SslProvider provider)
      throws SSLException {
    return SslContextBuilder.forClient()
        .sslProvider(provider)
        .keyManager(client.privateKey(), client.certificate())
        .trustManager(rootCa)
        .endpointIdentificationAlgorithm("HTTPS")
        .protocols(TlsSettings.PROTOCOLS)
        .ciphers(TlsSettings.CIPHERS)
        .build();
  }
}
