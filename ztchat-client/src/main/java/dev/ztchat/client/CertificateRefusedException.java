package dev.ztchat.client;

import dev.ztchat.core.remedy.HasRemedy;
import dev.ztchat.core.remedy.Remedy;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;

/**
 * The relay refused this device's own certificate at the TLS handshake, and said why with a TLS
 * alert: revoked, expired, or not accepted at all (not from the relay's CA, wrong role). Trying
 * again cannot help until the user has a new certificate, so the client stops retrying; {@link
 * #remedy()} says what to do. After a renewal it first looks for the new keys ({@link KeyReload});
 * only if they are not there does it stop, saying to copy them.
 */
final class CertificateRefusedException extends IOException implements HasRemedy {
  private static final long serialVersionUID = 1L;

  private final transient Remedy remedy;

  private CertificateRefusedException(String message, Remedy remedy) {
    super(message);
    this.remedy = remedy;
  }

  /**
   * What the user can do: for a refusal, get new keys; after a renewal, nothing beyond copying
   * them.
   */
  @Override
  public Optional<Remedy> remedy() {
    return Optional.ofNullable(remedy);
  }

  private static CertificateRefusedException because(String why) {
    return new CertificateRefusedException(
        "the relay refused this device's certificate: " + why, Remedy.of(Remedy.Kind.RENEW_USER));
  }

  /**
   * The certificate was superseded by a renewal (the CA's list says so), but the new keys are not
   * where this client reads its keys from: the user only has to copy them.
   */
  static CertificateRefusedException renewed(String name, String folder) {
    return new CertificateRefusedException(
        "your keys were renewed by the administrator; copy the new keys for "
            + name
            + " into "
            + folder
            + " and restart",
        null);
  }

  /**
   * The refusal that {@code failure} reports, if it is a TLS alert the server sent about our
   * certificate (BoringSSL and the JDK spell them differently); empty for anything else.
   */
  static Optional<CertificateRefusedException> fromAlert(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
      if (!m.contains("alert")) {
        continue;
      }
      if (m.contains("certificate_revoked")) {
        return Optional.of(because("it was revoked by the CA"));
      }
      if (m.contains("certificate_expired")) {
        return Optional.of(because("it has expired or is not valid yet"));
      }
      if (m.contains("unknown_ca")
          || m.contains("bad_certificate")
          || m.contains("unsupported_certificate")) {
        return Optional.of(
            because("it is not from the relay's CA, or not a user signing certificate"));
      }
    }
    return Optional.empty();
  }
}
