package dev.ztchat.core.crypto;

import java.security.Provider;
import java.util.Optional;
import org.conscrypt.Conscrypt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BoringSSL's implementations of the JCA algorithms, through Conscrypt, when its native library
 * loads on this machine (the linux-x86_64 build ships with the project); empty elsewhere, and
 * callers then use the JDK's own. It is never installed as a JVM-wide provider: TLS and everything
 * else keep their providers, and only the callers that ask for it by this class compute with it
 * (the envelope's RSA, and the signature check of certificates against the root CA).
 */
public final class BoringSslProvider {
  private static final Logger LOG = LoggerFactory.getLogger(BoringSslProvider.class);
  private static final Optional<Provider> PROVIDER = load();

  private BoringSslProvider() {}

  /** The provider, loaded once; empty when Conscrypt's native library is not usable here. */
  public static Optional<Provider> get() {
    return PROVIDER;
  }

  /**
   * System property that, set to {@code off} before first use, keeps Conscrypt unloaded: loading
   * its native library costs more than it saves for a process that makes one or two RSA operations.
   */
  public static final String SWITCH = "ztchat.boringssl";

  private static Optional<Provider> load() {
    if ("off".equals(System.getProperty(SWITCH))) {
      return Optional.empty();
    }
    try {
      if (!Conscrypt.isAvailable()) {
        LOG.debug("Conscrypt's native library is not available here; the JDK's providers are used");
        return Optional.empty();
      }
      return Optional.of(Conscrypt.newProvider());
    } catch (LinkageError | RuntimeException e) {
      LOG.debug("Conscrypt could not be loaded ({}); the JDK's providers are used", e.toString());
      return Optional.empty();
    }
  }
}
