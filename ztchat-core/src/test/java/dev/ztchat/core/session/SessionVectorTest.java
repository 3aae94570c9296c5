package dev.ztchat.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.crypto.MlKem768;
import dev.ztchat.core.crypto.X25519;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.KDF;
import javax.crypto.spec.HKDFParameterSpec;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.kems.MLKEMExtractor;
import org.bouncycastle.crypto.kems.MLKEMGenerator;
import org.bouncycastle.crypto.params.MLKEMParameters;
import org.bouncycastle.crypto.params.MLKEMPrivateKeyParameters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks the known-answer vector of docs/v2/session-setup.md section 9, read from the document,
 * against the code, against plain JCA calls written out here, and ML-KEM-768 against Bouncy
 * Castle's independent implementation.
 */
class SessionVectorTest {
  private static final HexFormat HEX = HexFormat.of();
  private static SessionVector v;
  private static DeviceKey alice;
  private static DeviceKey bob;
  private static X509Certificate ca;

  @BeforeAll
  static void load() throws Exception {
    v = SessionVector.load();
    ca = v.certificate("test-vector-v2-ca.crt");
    alice =
        new DeviceKey(
            v.p256PrivateKey("alice_device_private"),
            v.certificate("test-vector-v2-alice-device.crt"));
    bob =
        new DeviceKey(
            v.p256PrivateKey("bob_device_private"), v.certificate("test-vector-v2-bob-device.crt"));
  }

  private static String hex(byte[] b) {
    return HEX.formatHex(b);
  }

  @Test
  void deviceCertificates_areSignedByTheVectorCa_andHashAsPublished() throws Exception {
    alice.certificate().verify(ca.getPublicKey());
    bob.certificate().verify(ca.getPublicKey());

    assertThat(hex(alice.certificateHash())).isEqualTo(v.string("alice_certificate_sha256"));
    assertThat(hex(MessageDigest.getInstance("SHA-256").digest(bob.certificate().getEncoded())))
        .isEqualTo(v.string("bob_certificate_sha256"));
  }

  @Test
  void signedPrekey_andEphemeral_publicKeysFollowFromThePrivateOnes() throws Exception {
    assertThat(hex(X25519.fromPrivateKey(v.hex("bob_signed_prekey_private")).publicKey()))
        .isEqualTo(v.string("bob_signed_prekey_public"));
    assertThat(hex(X25519.fromPrivateKey(v.hex("alice_ephemeral_private")).publicKey()))
        .isEqualTo(v.string("alice_ephemeral_public"));
  }

  @Test
  void mlKemKey_fromTheSeeds_isTheSameInTheJdkAndInBouncyCastle() throws Exception {
    KeyPair jdk =
        MlKem768.generate(
            new FixedRandom(
                v.hex("bob_one_time_prekey_seed_d"), v.hex("bob_one_time_prekey_seed_z")));
    MLKEMPrivateKeyParameters bc = bcPrivateKey();

    assertThat(hex(MlKem768.rawPublicKey(jdk.getPublic())))
        .isEqualTo(v.string("bob_one_time_prekey_public"));
    assertThat(hex(bc.getPublicKeyParameters().getEncoded()))
        .isEqualTo(v.string("bob_one_time_prekey_public"));
  }

  @Test
  void mlKemEncapsulation_withM_isTheSameInTheJdkAndInBouncyCastle_andBothDecapsulate()
      throws Exception {
    FixedRandom m = new FixedRandom(v.hex("kem_encapsulation_m"));
    MlKem768.Encapsulated jdk = MlKem768.encapsulate(v.hex("bob_one_time_prekey_public"), m);
    assertThat(m.usedUp()).isTrue();
    MLKEMPrivateKeyParameters bcKey = bcPrivateKey();
    SecretWithEncapsulation bc =
        MLKEMGenerator.internalGenerateEncapsulated(
            bcKey.getPublicKeyParameters(), v.hex("kem_encapsulation_m"));

    assertThat(hex(jdk.ciphertext())).isEqualTo(v.string("kem_ciphertext"));
    assertThat(hex(jdk.sharedSecret())).isEqualTo(v.string("kem_shared_secret"));
    assertThat(hex(bc.getEncapsulation())).isEqualTo(v.string("kem_ciphertext"));
    assertThat(hex(bc.getSecret())).isEqualTo(v.string("kem_shared_secret"));
    assertThat(hex(new MLKEMExtractor(bcKey).extractSecret(v.hex("kem_ciphertext"))))
        .isEqualTo(v.string("kem_shared_secret"));
    KeyPair jdkKey =
        MlKem768.generate(
            new FixedRandom(
                v.hex("bob_one_time_prekey_seed_d"), v.hex("bob_one_time_prekey_seed_z")));
    assertThat(hex(MlKem768.decapsulate(jdkKey.getPrivate(), v.hex("kem_ciphertext"))))
        .isEqualTo(v.string("kem_shared_secret"));
  }

  @Test
  void dh_isTheSameFromBothSides() throws Exception {
    byte[] fromAlice =
        X25519.agree(
            X25519.privateKey(v.hex("alice_ephemeral_private")), v.hex("bob_signed_prekey_public"));
    byte[] fromBob =
        X25519.agree(
            X25519.privateKey(v.hex("bob_signed_prekey_private")), v.hex("alice_ephemeral_public"));

    assertThat(hex(fromAlice)).isEqualTo(v.string("dh")).isEqualTo(hex(fromBob));
  }

  @Test
  void publishedPrekeysAndBundle_decode_verify_andHoldTheVectorKeys() throws Exception {
    SignedPrekey spk = SignedPrekey.decode(v.hex("bob_signed_prekey"));
    SignedPrekey oneTime = SignedPrekey.decode(v.hex("bob_one_time_prekey"));
    PrekeyBundle bundle = PrekeyBundle.decode(v.hex("bundle"));

    assertThat(spk.kind()).isEqualTo(PrekeyKind.SIGNED_X25519);
    assertThat(spk.id()).isEqualTo(v.number("bob_signed_prekey_id"));
    assertThat(hex(spk.publicKey())).isEqualTo(v.string("bob_signed_prekey_public"));
    assertThat(oneTime.kind()).isEqualTo(PrekeyKind.ONE_TIME_ML_KEM_768);
    assertThat(oneTime.id()).isEqualTo(v.number("bob_one_time_prekey_id"));
    assertThat(hex(oneTime.publicKey())).isEqualTo(v.string("bob_one_time_prekey_public"));
    assertThat(bundle).isEqualTo(PrekeyBundle.of(bob.certificate(), spk, oneTime));
    assertThat(bundle.verify()).isEqualTo(bob.certificate());
    // The prekey signature input, written out: label, certificate hash, kind, id, length, key.
    Signature ecdsa = Signature.getInstance("SHA256withECDSA");
    ecdsa.initVerify(bob.certificate().getPublicKey());
    ecdsa.update("ztchat-v2-prekey".getBytes(StandardCharsets.US_ASCII));
    ecdsa.update(v.hex("bob_certificate_sha256"));
    ecdsa.update(HEX.parseHex("010000000100" + "20"));
    ecdsa.update(v.hex("bob_signed_prekey_public"));
    assertThat(ecdsa.verify(spk.signature())).isTrue();
  }

  @Test
  void transcript_isTheConcatenationOfSection6_andAdIsItsHash() throws Exception {
    byte[] written =
        concat(
            "ztchat-v2-session-transcript".getBytes(StandardCharsets.US_ASCII),
            new byte[] {2},
            v.hex("alice_certificate_sha256"),
            v.hex("bob_certificate_sha256"),
            HEX.parseHex("00000001"),
            v.hex("bob_signed_prekey_public"),
            HEX.parseHex("0200000002"),
            v.hex("bob_one_time_prekey_public"),
            v.hex("alice_ephemeral_public"),
            v.hex("kem_ciphertext"));

    assertThat(hex(written)).isEqualTo(v.string("transcript"));
    assertThat(
            hex(
                SessionKeySchedule.transcript(
                    alice.certificateHash(),
                    bob.certificateHash(),
                    SignedPrekey.decode(v.hex("bob_signed_prekey")),
                    SignedPrekey.decode(v.hex("bob_one_time_prekey")),
                    v.hex("alice_ephemeral_public"),
                    v.hex("kem_ciphertext"))))
        .isEqualTo(v.string("transcript"));
    assertThat(hex(MessageDigest.getInstance("SHA-256").digest(written))).isEqualTo(v.string("ad"));
  }

  @Test
  void sk_isHkdfOfFDhSs_withTheLabelAndAdAsInfo_computedWithPlainJca() throws Exception {
    byte[] f = new byte[32];
    Arrays.fill(f, (byte) 0xff);
    byte[] ikm = concat(f, v.hex("dh"), v.hex("kem_shared_secret"));
    byte[] info = concat("ztchat-v2-session-sk".getBytes(StandardCharsets.US_ASCII), v.hex("ad"));

    byte[] sk =
        KDF.getInstance("HKDF-SHA256")
            .deriveData(
                HKDFParameterSpec.ofExtract()
                    .addIKM(ikm)
                    .addSalt(new byte[32])
                    .thenExpand(info, 32));

    assertThat(hex(sk)).isEqualTo(v.string("sk"));
  }

  @Test
  void initiator_withTheVectorInputs_reproducesEverythingButTheSignature() throws Exception {
    PrekeyBundle bundle = PrekeyBundle.decode(v.hex("bundle"));
    FixedRandom m = new FixedRandom(v.hex("kem_encapsulation_m"));

    InitiatorStart start =
        SessionInitiator.start(
            alice,
            bundle,
            X25519.fromPrivateKey(v.hex("alice_ephemeral_private")),
            m,
            new SecureRandom());

    assertThat(hex(start.sk())).isEqualTo(v.string("sk"));
    assertThat(hex(start.ad())).isEqualTo(v.string("ad"));
    assertThat(hex(start.responderRatchetKey())).isEqualTo(v.string("bob_signed_prekey_public"));
    InitialMessageHeader published = InitialMessageHeader.decode(v.hex("initial_message_header"));
    InitialMessageHeader made = start.header();
    assertThat(made.ephemeralKey()).isEqualTo(published.ephemeralKey());
    assertThat(made.kemCiphertext()).isEqualTo(published.kemCiphertext());
    assertThat(made.signedPrekeyId()).isEqualTo(published.signedPrekeyId());
    assertThat(made.kemPrekeyKind()).isEqualTo(published.kemPrekeyKind());
    assertThat(made.kemPrekeyId()).isEqualTo(published.kemPrekeyId());
  }

  @Test
  void responder_acceptsThePublishedHeader_andDerivesTheVectorSkAndAd() throws Exception {
    InitialMessageHeader header = InitialMessageHeader.decode(v.hex("initial_message_header"));
    Signature ecdsa = Signature.getInstance("SHA256withECDSA");
    ecdsa.initVerify(alice.certificate().getPublicKey());
    ecdsa.update("ztchat-v2-session-initiator-signature".getBytes(StandardCharsets.US_ASCII));
    ecdsa.update(v.hex("ad"));
    assertThat(ecdsa.verify(header.signature())).isTrue();
    KeyPair kem =
        MlKem768.generate(
            new FixedRandom(
                v.hex("bob_one_time_prekey_seed_d"), v.hex("bob_one_time_prekey_seed_z")));
    PrekeyStore store =
        PrekeyStore.withKeys(
            bob,
            SignedPrekey.decode(v.hex("bob_signed_prekey")),
            X25519.fromPrivateKey(v.hex("bob_signed_prekey_private")),
            SignedPrekey.decode(v.hex("bob_one_time_prekey")),
            kem.getPrivate(),
            Instant.parse("2026-01-01T00:00:00Z"),
            new SecureRandom());

    SessionResponder.Accepted accepted =
        SessionResponder.accept(store, bob, alice.certificate(), header);

    assertThat(hex(accepted.start().sk())).isEqualTo(v.string("sk"));
    assertThat(hex(accepted.start().ad())).isEqualTo(v.string("ad"));
    assertThat(hex(accepted.start().ratchetKeyPair().publicKey()))
        .isEqualTo(v.string("bob_signed_prekey_public"));
  }

  private static MLKEMPrivateKeyParameters bcPrivateKey() {
    return new MLKEMPrivateKeyParameters(
        MLKEMParameters.ml_kem_768,
        concat(v.hex("bob_one_time_prekey_seed_d"), v.hex("bob_one_time_prekey_seed_z")));
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
