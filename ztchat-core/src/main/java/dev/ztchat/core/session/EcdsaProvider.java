package dev.ztchat.core.session;

import dev.ztchat.core.crypto.BoringSslProvider;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which implementation computes the device keys' SHA256withECDSA (P-256) signatures and checks.
 * Same algorithm and encoding (DER) either way; the choice is only about speed:
 *
 * <ul>
 *   <li>BoringSSL through Conscrypt, when its native library loads and passes a cross-check with
 *       the JDK: about 10× the JDK's signing rate and 6× its verification rate on this project's
 *       machines (docs/BENCHMARKS.md), which makes it most of a version-2 message's cost;
 *   <li>otherwise the JDK's own provider.
 * </ul>
 *
 * <p>As for the envelope's RSA ({@code RsaProvider}), Conscrypt is never installed JVM-wide. A
 * private key is converted to BoringSSL's form once ({@link #bind}); a public key once per key
 * object, remembered while that object lives. A key BoringSSL cannot take is used by the JDK.
 */
final class EcdsaProvider {
  private static final Logger LOG = LoggerFactory.getLogger(EcdsaProvider.class);
  static final String ALGORITHM = "SHA256withECDSA";

  private static final Optional<Provider> BORINGSSL = load();
  private static final Map<PublicKey, PublicKey> NATIVE_PUBLIC_KEYS =
      Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * One engine per thread and provider, initialised afresh with each key for each use: looking the
   * algorithm up in the providers twice per message was a measurable share of its cost. Never
   * shared between threads.
   */
  private static final ThreadLocal<Signature> NATIVE_ENGINE =
      ThreadLocal.withInitial(() -> engine(BORINGSSL.orElse(null)));

  private static final ThreadLocal<Signature> JDK_ENGINE =
      ThreadLocal.withInitial(() -> engine(null));

  private EcdsaProvider() {}

  /** A private key with the provider that signs with it ({@code null}: the JDK). */
  record Bound(Provider provider, PrivateKey key) {}

  /** {@code key} in the form the fastest available provider signs with. */
  static Bound bind(PrivateKey key) {
    if (BORINGSSL.isPresent()) {
      Optional<PrivateKey> translated = translate(BORINGSSL.get(), key, PrivateKey.class);
      if (translated.isPresent()) {
        return new Bound(BORINGSSL.get(), translated.get());
      }
    }
    return new Bound(null, key);
  }

  /** A DER-encoded SHA256withECDSA signature of {@code data}. */
  static byte[] sign(Bound key, byte[] data, SecureRandom random) throws GeneralSecurityException {
    Signature s = key.provider() == null ? JDK_ENGINE.get() : NATIVE_ENGINE.get();
    s.initSign(key.key(), random);
    s.update(data);
    return s.sign();
  }

  /** Whether {@code signature} is {@code key}'s SHA256withECDSA signature of {@code data}. */
  static boolean verify(PublicKey key, byte[] data, byte[] signature)
      throws GeneralSecurityException {
    return verify(key, data, 0, data.length, signature);
  }

  /**
   * Whether {@code signature} is {@code key}'s SHA256withECDSA signature of the {@code length}
   * bytes of {@code data} from {@code offset}: a message inside a larger buffer, checked in place.
   */
  static boolean verify(PublicKey key, byte[] data, int offset, int length, byte[] signature)
      throws GeneralSecurityException {
    Signature s = JDK_ENGINE.get();
    PublicKey usable = key;
    if (BORINGSSL.isPresent()) {
      Optional<PublicKey> translated = nativePublicKey(BORINGSSL.get(), key);
      if (translated.isPresent()) {
        usable = translated.get();
        s = NATIVE_ENGINE.get();
      }
    }
    s.initVerify(usable);
    s.update(data, offset, length);
    return s.verify(signature);
  }

  private static Signature engine(Provider provider) {
    try {
      return provider == null
          ? Signature.getInstance(ALGORITHM)
          : Signature.getInstance(ALGORITHM, provider);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(ALGORITHM + " is unavailable", e);
    }
  }

  /** The name of the provider in use, for benchmarks and logs. */
  static String providerName() {
    return BORINGSSL.map(p -> "BoringSSL (Conscrypt)").orElse("JDK");
  }

  private static Optional<PublicKey> nativePublicKey(Provider provider, PublicKey key) {
    PublicKey known = NATIVE_PUBLIC_KEYS.get(key);
    if (known != null) {
      return Optional.of(known);
    }
    Optional<PublicKey> translated = translate(provider, key, PublicKey.class);
    translated.ifPresent(t -> NATIVE_PUBLIC_KEYS.put(key, t));
    return translated;
  }

  private static <K extends Key> Optional<K> translate(Provider provider, Key key, Class<K> kind) {
    try {
      Key translated = KeyFactory.getInstance("EC", provider).translateKey(key);
      if (kind.isInstance(translated)) {
        return Optional.of(kind.cast(translated));
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      LOG.debug("BoringSSL cannot take this EC key ({}); the JDK will use it", e.toString());
    }
    return Optional.empty();
  }

  private static Optional<Provider> load() {
    Optional<Provider> boringSsl = BoringSslProvider.get();
    if (boringSsl.isEmpty()) {
      return Optional.empty();
    }
    try {
      crossCheck(boringSsl.get());
      return boringSsl;
    } catch (GeneralSecurityException | RuntimeException e) {
      LOG.debug("BoringSSL's ECDSA failed its cross-check ({}); the JDK signs", e.toString());
      return Optional.empty();
    }
  }

  /** Each provider must accept the other's signature and refuse a changed message. */
  private static void crossCheck(Provider boringSsl) throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = g.generateKeyPair();
    byte[] data =
        "ztchat ECDSA P-256 cross-check".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    SecureRandom random = new SecureRandom();
    PrivateKey nativeKey =
        translate(boringSsl, pair.getPrivate(), PrivateKey.class)
            .orElseThrow(() -> new GeneralSecurityException("cannot convert a P-256 key"));
    Signature bsslSign = Signature.getInstance(ALGORITHM, boringSsl);
    bsslSign.initSign(nativeKey, random);
    bsslSign.update(data);
    byte[] bsslSignature = bsslSign.sign();
    Signature jdkVerify = Signature.getInstance(ALGORITHM);
    jdkVerify.initVerify(pair.getPublic());
    jdkVerify.update(data);
    Signature jdkSign = Signature.getInstance(ALGORITHM);
    jdkSign.initSign(pair.getPrivate(), random);
    jdkSign.update(data);
    byte[] jdkSignature = jdkSign.sign();
    Signature bsslVerify = Signature.getInstance(ALGORITHM, boringSsl);
    bsslVerify.initVerify(pair.getPublic());
    bsslVerify.update(data);
    boolean crossed = jdkVerify.verify(bsslSignature) && bsslVerify.verify(jdkSignature);
    data[0] ^= 1;
    Signature tampered = Signature.getInstance(ALGORITHM, boringSsl);
    tampered.initVerify(pair.getPublic());
    tampered.update(data);
    if (!crossed || tampered.verify(jdkSignature)) {
      throw new GeneralSecurityException("the providers disagree");
    }
  }
}
