package dev.ztchat.core.envelope;

import dev.ztchat.core.crypto.BoringSslProvider;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which implementation runs the envelope's RSA operations (RSA-OAEP wrap and unwrap, RSASSA-PSS
 * sign and verify). Same algorithms and parameters either way ({@link EnvelopeAlgorithms} names
 * them); the choice is only about speed:
 *
 * <ul>
 *   <li>BoringSSL through Conscrypt, when its native library loads on this machine: its RSA-3072
 *       private-key operation runs at OpenSSL's speed, about 1.7× the JDK's (docs/BENCHMARKS.md).
 *   <li>otherwise the JDK's own provider.
 * </ul>
 *
 * <p>Conscrypt is never installed as a JVM-wide provider: only this class hands it out, so TLS and
 * everything else keep their own providers. A private key is converted to the provider's native
 * form once and remembered for as long as the original key object lives; a key the provider cannot
 * take (not an RSA CRT key, a hardware key) is used by the JDK instead.
 */
final class RsaProvider {
  private static final Logger LOG = LoggerFactory.getLogger(RsaProvider.class);

  /** The JDK's own provider (looked up by algorithm name, as {@code getInstance(name)} does). */
  static final RsaProvider JDK = new RsaProvider("JDK", null, "RSASSA-PSS");

  private static final Optional<RsaProvider> BORINGSSL = loadBoringSsl();

  private final String name;
  private final Provider provider;
  private final String pssName;
  private final Map<PrivateKey, PrivateKey> nativeKeys =
      Collections.synchronizedMap(new WeakHashMap<>());

  private RsaProvider(String name, Provider provider, String pssName) {
    this.name = name;
    this.provider = provider;
    this.pssName = pssName;
  }

  /** The fastest implementation available here: BoringSSL if it loaded, else the JDK. */
  static RsaProvider preferred() {
    return BORINGSSL.orElse(JDK);
  }

  /** BoringSSL through Conscrypt, if its native library loads on this machine. */
  static Optional<RsaProvider> boringSsl() {
    return BORINGSSL;
  }

  String name() {
    return name;
  }

  /** A fresh RSA-OAEP cipher (parameters are given at init, see {@link EnvelopeAlgorithms}). */
  Cipher oaep() throws NoSuchAlgorithmException, NoSuchPaddingException {
    return provider == null
        ? Cipher.getInstance(EnvelopeAlgorithms.RSA_OAEP)
        : Cipher.getInstance(EnvelopeAlgorithms.RSA_OAEP, provider);
  }

  /** A fresh RSASSA-PSS signature object (parameters are set by the caller). */
  Signature pss() throws NoSuchAlgorithmException {
    return provider == null
        ? Signature.getInstance(pssName)
        : Signature.getInstance(pssName, provider);
  }

  /** A private key together with the provider that computes with it. */
  record Bound(RsaProvider provider, PrivateKey key) {}

  /**
   * The provider and key form to compute with {@code key}: this provider with the key in its native
   * form, or the JDK with the key as given when this provider cannot take it.
   */
  Bound bind(PrivateKey key) {
    if (provider == null) {
      return new Bound(this, key);
    }
    PrivateKey known = nativeKeys.get(key);
    if (known != null) {
      return new Bound(this, known);
    }
    try {
      if (KeyFactory.getInstance("RSA", provider).translateKey(key) instanceof PrivateKey p) {
        nativeKeys.put(key, p);
        return new Bound(this, p);
      }
    } catch (InvalidKeyException | NoSuchAlgorithmException e) {
      LOG.debug(
          "{} cannot take a {} key; the JDK's provider will use it", name, key.getAlgorithm());
    }
    return new Bound(JDK, key);
  }

  private static Optional<RsaProvider> loadBoringSsl() {
    Optional<Provider> boringSsl = BoringSslProvider.get();
    if (boringSsl.isEmpty()) {
      return Optional.empty();
    }
    try {
      RsaProvider p =
          new RsaProvider("BoringSSL (Conscrypt)", boringSsl.get(), "SHA256withRSA/PSS");
      p.selfTest();
      return Optional.of(p);
    } catch (GeneralSecurityException | RuntimeException e) {
      LOG.debug(
          "Conscrypt cannot compute the envelope's RSA ({}); RSA runs on the JDK's provider",
          e.toString());
      return Optional.empty();
    }
  }

  /** Refuses a provider that does not know the envelope's algorithms with their parameters. */
  private void selfTest() throws GeneralSecurityException {
    oaep();
    pss().setParameter(EnvelopeAlgorithms.PSS_PARAMS);
  }

  @Override
  public String toString() {
    return name;
  }
}
