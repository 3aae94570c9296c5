package dev.ztchat.core.transport;

import dev.ztchat.core.pki.Credential;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;

/**
 * Builds Netty TLS contexts that follow {@link TlsSettings}: one for the relay, one for clients.
 * With BoringSSL both offer {@link TlsSettings#GROUPS} (X25519MLKEM768 first, X25519 as the
 * fallback); the JDK's TLS keeps its own defaults, which in JDK 25 start with X25519 and have no
 * hybrid group (docs/v2/transport.md).
 */
public final class TlsContexts {
  /**
   * The type of the key store Netty builds in memory to hand our key (the relay's, or a client's)
   * to the TLS stack. The default, PKCS#12, encrypts the key on the way in and decrypts it on the
   * way out with 10,000 PBKDF2 iterations each, in code the JIT has not compiled yet when a JVM
   * starts: with JKS the relay spends about 0.19 s less CPU before it listens, and a client context
   * built with the flags of a one-shot command ({@code send}) takes 0.02-0.09 s instead of
   * 0.21-0.33 s (bench/ANALYSIS.md, section 3). The store lives only in memory while the context is
   * built, with an empty password, so its protection protects nothing either way; no file is
   * written.
   */
  private static final String IN_MEMORY_KEY_STORE = "JKS";

  private TlsContexts() {}

  /**
   * The relay's context: its own certificate, client certificates REQUIRED and checked by {@code
   * clientTrust} (which must verify against the root CA and fail closed).
   */
  public static SslContext server(Credential server, TrustManager clientTrust, SslProvider provider)
      throws SSLException {
    SslContextBuilder builder =
        SslContextBuilder.forServer(server.privateKey(), server.certificate())
            .keyStoreType(IN_MEMORY_KEY_STORE)
            .sslProvider(provider)
            .protocols(TlsSettings.PROTOCOLS)
            .ciphers(TlsSettings.CIPHERS)
            .clientAuth(ClientAuth.REQUIRE)
            .trustManager(clientTrust);
    return withGroups(builder, provider, TlsSettings.GROUPS).build();
  }

  /**
   * A client's context: presents {@code client} (the user's signing credential) and trusts only
   * {@code rootCa} for the server, checking the host name it dials.
   */
  public static SslContext client(Credential client, X509Certificate rootCa, SslProvider provider)
      throws SSLException {
    return client(client, rootCa, provider, TlsSettings.GROUPS);
  }

  /**
   * As {@link #client(Credential, X509Certificate, SslProvider)}, offering only {@code groups}
   * (BoringSSL names, most preferred first) when {@code provider} is BoringSSL: for tests and
   * benchmarks that compare the hybrid group with X25519 alone.
   */
  public static SslContext client(
      Credential client, X509Certificate rootCa, SslProvider provider, List<String> groups)
      throws SSLException {
    SslContextBuilder builder =
        SslContextBuilder.forClient()
            .sslProvider(provider)
            .keyManager(client.privateKey(), client.certificate())
            .keyStoreType(IN_MEMORY_KEY_STORE)
            .trustManager(rootCa)
            .endpointIdentificationAlgorithm("HTTPS")
            .protocols(TlsSettings.PROTOCOLS)
            .ciphers(TlsSettings.CIPHERS);
    return withGroups(builder, provider, groups).build();
  }

  /** BoringSSL gets the group list; the JDK's TLS ignores the option, so it is not set there. */
  private static SslContextBuilder withGroups(
      SslContextBuilder builder, SslProvider provider, List<String> groups) {
    if (provider == SslProvider.JDK) {
      return builder;
    }
    return builder.option(OpenSslContextOption.GROUPS, groups.toArray(String[]::new));
  }
}
