package dev.ztchat.core.session;

import dev.ztchat.core.crypto.MlKem768;
import dev.ztchat.core.crypto.X25519;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.KeyType;
import dev.ztchat.core.pki.PemFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Made the section 9 vector once (certificates and ECDSA signatures are randomized, so running it
 * again gives another, equally valid vector). Run with {@code -Dztchat.generateSessionVector=true};
 * it writes target/session-vector.md.
 */
@EnabledIfSystemProperty(named = "ztchat.generateSessionVector", matches = "true")
class SessionVectorGenerator {
  static final Instant NOT_BEFORE = Instant.parse("2025-12-01T00:00:00Z");

  @Test
  void generate() throws Exception {
    SecureRandom random = new SecureRandom();
    Credential ca =
        CertificateIssuer.createRootCa(
            "ztchat TEST VECTOR v2 device CA - never trust",
            KeyType.EC,
            256,
            NOT_BEFORE,
            Duration.ofDays(3650));
    KeyPair aliceKeys = KeyType.EC.generate(256);
    KeyPair bobKeys = KeyType.EC.generate(256);
    X509Certificate aliceCert = issue(ca, "alice", aliceKeys);
    X509Certificate bobCert = issue(ca, "bob", bobKeys);
    DeviceKey alice = new DeviceKey(aliceKeys.getPrivate(), aliceCert);
    DeviceKey bob = new DeviceKey(bobKeys.getPrivate(), bobCert);

    byte[] spkPrivate = FixedRandom.counting(0xb0, 32);
    byte[] seedD = FixedRandom.counting(0x00, 32);
    byte[] seedZ = FixedRandom.counting(0x20, 32);
    byte[] ephPrivate = FixedRandom.counting(0xa0, 32);
    byte[] m = FixedRandom.counting(0x40, 32);
    X25519.KeyPair spkKeys = X25519.fromPrivateKey(spkPrivate);
    KeyPair kemKeys = MlKem768.generate(new FixedRandom(seedD, seedZ));
    byte[] kemPublic = MlKem768.rawPublicKey(kemKeys.getPublic());
    SignedPrekey spk =
        SignedPrekey.sign(bob, PrekeyKind.SIGNED_X25519, 1, spkKeys.publicKey(), random);
    SignedPrekey oneTime =
        SignedPrekey.sign(bob, PrekeyKind.ONE_TIME_ML_KEM_768, 2, kemPublic, random);
    PrekeyBundle bundle = PrekeyBundle.of(bobCert, spk, oneTime);
    X25519.KeyPair eph = X25519.fromPrivateKey(ephPrivate);
    InitiatorStart start = SessionInitiator.start(alice, bundle, eph, new FixedRandom(m), random);
    byte[] dh = X25519.agree(eph.privateKey(), spkKeys.publicKey());
    MlKem768.Encapsulated enc = MlKem768.encapsulate(kemPublic, new FixedRandom(m));
    byte[] transcript =
        SessionKeySchedule.transcript(
            alice.certificateHash(),
            bob.certificateHash(),
            spk,
            oneTime,
            eph.publicKey(),
            enc.ciphertext());

    StringBuilder v = new StringBuilder();
    v.append("`test-vector-v2-ca.crt`:\n\n```\n").append(PemFiles.toPem(ca.certificate()));
    v.append("```\n\n`test-vector-v2-alice-device.crt`:\n\n```\n")
        .append(PemFiles.toPem(aliceCert));
    v.append("```\n\n`test-vector-v2-bob-device.crt`:\n\n```\n").append(PemFiles.toPem(bobCert));
    v.append("```\n\nInputs:\n\n```\n");
    v.append(SessionVector.line("alice_device_private", scalar(aliceKeys)));
    v.append(SessionVector.line("bob_device_private", scalar(bobKeys)));
    v.append(SessionVector.line("bob_signed_prekey_id", "1"));
    v.append(SessionVector.line("bob_signed_prekey_private", spkPrivate));
    v.append(SessionVector.line("bob_one_time_prekey_id", "2"));
    v.append(SessionVector.line("bob_one_time_prekey_seed_d", seedD));
    v.append(SessionVector.line("bob_one_time_prekey_seed_z", seedZ));
    v.append(SessionVector.line("alice_ephemeral_private", ephPrivate));
    v.append(SessionVector.line("kem_encapsulation_m", m));
    v.append("```\n\nValues:\n\n```\n");
    v.append(SessionVector.line("alice_certificate_sha256", alice.certificateHash()));
    v.append(SessionVector.line("bob_certificate_sha256", bob.certificateHash()));
    v.append(SessionVector.line("bob_signed_prekey_public", spkKeys.publicKey()));
    v.append(SessionVector.line("bob_one_time_prekey_public", kemPublic));
    v.append(SessionVector.line("alice_ephemeral_public", eph.publicKey()));
    v.append(SessionVector.line("dh", dh));
    v.append(SessionVector.line("kem_ciphertext", enc.ciphertext()));
    v.append(SessionVector.line("kem_shared_secret", enc.sharedSecret()));
    v.append(SessionVector.line("transcript", transcript));
    v.append(SessionVector.line("ad", start.ad()));
    v.append(SessionVector.line("sk", start.sk()));
    v.append("```\n\nEncodings (the signatures in them are verify-only):\n\n```\n");
    v.append(SessionVector.line("bob_signed_prekey", spk.encode()));
    v.append(SessionVector.line("bob_one_time_prekey", oneTime.encode()));
    v.append(SessionVector.line("bundle", bundle.encode()));
    v.append(SessionVector.line("initial_message_header", start.header().encode()));
    v.append("```\n");
    Path out = Path.of("target", "session-vector.md");
    Files.writeString(out, v.toString(), StandardCharsets.UTF_8);
  }

  private static byte[] scalar(KeyPair keys) {
    return dev.ztchat.core.testing.DocumentedVector.scalar(keys);
  }

  private static X509Certificate issue(Credential ca, String name, KeyPair keys) {
    return CertificateIssuer.build(
        new CertificateIssuer.Spec(
            name,
            keys.getPublic(),
            ca,
            null,
            NOT_BEFORE,
            NOT_BEFORE.plus(Duration.ofDays(3650)),
            CertificateRole.USER_SIGNING,
            List.of()));
  }
}
