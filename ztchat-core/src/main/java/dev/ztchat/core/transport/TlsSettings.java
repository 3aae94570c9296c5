package dev.ztchat.core.transport;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.List;

/**
 * ztchat's TLS policy in one place (docs/PROTOCOL.md section 2, docs/v2/transport.md): TLS 1.3, or
 * TLS 1.2 with ECDHE key exchange and AEAD ciphers only; key exchange groups in order of
 * preference, the hybrid post-quantum X25519MLKEM768 first. BoringSSL (netty-tcnative) is used when
 * it loads, the JDK's TLS otherwise.
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

  /** The hybrid post-quantum TLS 1.3 group (draft-ietf-tls-ecdhe-mlkem, codepoint 0x11EC). */
  public static final String HYBRID_GROUP = "X25519MLKEM768";

  /**
   * Key exchange groups offered and accepted with BoringSSL, most preferred first: the hybrid
   * X25519MLKEM768, then X25519, P-256 and P-384 for peers without it (BoringSSL's names).
   */
  public static final List<String> GROUPS = List.of(HYBRID_GROUP, "X25519", "P-256", "P-384");

  /**
   * Groups of the JDK's TLS, used only when BoringSSL is unavailable. JDK 25 has no hybrid group
   * (JEP 527 adds it in a later release), so this fallback negotiates X25519 at best.
   */
  public static final List<String> JDK_GROUPS = List.of("x25519", "secp256r1", "secp384r1");

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
