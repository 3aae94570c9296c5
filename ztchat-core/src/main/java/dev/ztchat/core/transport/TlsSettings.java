package dev.ztchat.core.transport;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.List;

/**
 * ztchat's TLS policy in one place (docs/PROTOCOL.md section 2): TLS 1.3, or TLS 1.2 with ECDHE key
 * exchange and AEAD ciphers only. BoringSSL (netty-tcnative) is used when it loads, the JDK's TLS
 * otherwise.
 */
public final class TlsSettings {
  /** Protocol versions offered and accepted. */
  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  /** Cipher suites offered and accepted (IANA names; TLS 1.3 suites first). */
  public static final List<String> CIPHERS =
      List.of(
          "TLS_AES_128_GCM_SHA256",
          "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private TlsSettings() {}

  /** The TLS implementation to use: BoringSSL if available, else the JDK. */
  public static SslProvider provider() {
    return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
  }

  /** A one-line description of the TLS implementation in use, for the start-up log. */
  public static String describeProvider() {
    if (OpenSsl.isAvailable()) {
      return "BoringSSL via netty-tcnative (" + OpenSsl.versionString() + ")";
    }
    Throwable why = OpenSsl.unavailabilityCause();
    return "JDK TLS (BoringSSL unavailable: " + (why == null ? "unknown" : why.getMessage()) + ")";
  }
}
