package dev.ztchat.core.crypto;

import java.security.spec.MGF1ParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * The one place that names the project's symmetric cipher and key-wrapping parameters: AES-256-GCM
 * with a 96-bit nonce and a 128-bit tag, and RSA-OAEP with SHA-256, MGF1-SHA-256 and an empty
 * label. The envelope (docs/PROTOCOL.md section 6) and the client's records at rest both use them.
 *
 * <p>Parameters are always given explicitly: the JDK's defaults for "OAEPPadding" use MGF1 with
 * SHA-1, which would not interoperate with the specification.
 */
public final class CipherParameters {
  /** The JCA transformation for AES-GCM. */
  public static final String AES_GCM = "AES/GCM/NoPadding";

  /** AES-256 key length in bytes. */
  public static final int AES_KEY_BYTES = 32;

  /** AES-GCM nonce length in bytes (96 bits). */
  public static final int GCM_NONCE_BYTES = 12;

  /** AES-GCM tag length in bits. */
  public static final int GCM_TAG_BITS = 128;

  /** The JCA transformation for RSA-OAEP; always used with {@link #OAEP_PARAMS}. */
  public static final String RSA_OAEP = "RSA/ECB/OAEPPadding";

  /** RSA-OAEP with SHA-256, MGF1-SHA-256 and an empty label. */
  public static final OAEPParameterSpec OAEP_PARAMS =
      new OAEPParameterSpec(
          "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);

  private CipherParameters() {}
}
