package dev.ztchat.core.ratchet;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.ztchat.core.crypto.Hkdf;
import dev.ztchat.core.crypto.X25519;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The known-answer vector of docs/v2/ratchet.md section 11: from the published inputs (SK, AD, the
 * prekey and every random value), runs the conversation of that section and returns every published
 * value, each root key also recomputed from its definition. {@link #main} prints the block for the
 * document. Warning: all these keys are published; TEST VECTOR keys only.
 */
final class RatchetVector {
  private static final HexFormat HEX = HexFormat.of();

  static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");
  static final Instant T1 = T0.plus(RatchetState.PQ_STEP_INTERVAL);

  /** The inputs, in the order the document lists them. */
  static final List<String> INPUTS =
      List.of(
          "sk",
          "ad",
          "extra_ad",
          "bob.prekey.private",
          "step1.alice.random",
          "step2.bob.random",
          "step3.alice.random",
          "step3.alice.kem.random_d",
          "step3.alice.kem.random_z",
          "step4.bob.random",
          "step4.bob.kem.random_m",
          "step5.alice.random",
          "step6.bob.random");

  private final Map<String, String> out = new LinkedHashMap<>();
  private final Map<String, String> in;

  private RatchetVector(Map<String, String> inputs) {
    this.in = inputs;
    for (String name : INPUTS) {
      out.put(name, value(name));
    }
  }

  /** Every value of the vector, from {@code inputs}. */
  static Map<String, String> compute(Map<String, String> inputs) throws Exception {
    RatchetVector v = new RatchetVector(inputs);
    v.run();
    return v.out;
  }

  private String value(String name) {
    String v = in.get(name);
    if (v == null) {
      throw new IllegalArgumentException("the vector has no input " + name);
    }
    return v;
  }

  private byte[] hex(String name) {
    return HEX.parseHex(value(name));
  }

  private void put(String name, byte[] bytes) {
    out.put(name, HEX.formatHex(bytes));
  }

  private void run() throws Exception {
    byte[] extra = hex("extra_ad");
    X25519.KeyPair prekey = X25519.fromPrivateKey(hex("bob.prekey.private"));
    put("bob.prekey.public", prekey.publicKey());
    ScriptedRandom aliceRandom =
        new ScriptedRandom()
            .then(hex("step1.alice.random"))
            .then(hex("step3.alice.random"))
            .then(hex("step3.alice.kem.random_d"))
            .then(hex("step3.alice.kem.random_z"))
            .then(hex("step5.alice.random"));
    ScriptedRandom bobRandom =
        new ScriptedRandom()
            .then(hex("step2.bob.random"))
            .then(hex("step4.bob.random"))
            .then(hex("step4.bob.kem.random_m"))
            .then(hex("step6.bob.random"));
    RatchetState alice = RatchetState.initiator(hex("sk"), prekey.publicKey(), hex("ad"));
    RatchetState bob = RatchetState.responder(hex("sk"), prekey, hex("ad"));
    byte[] root = hex("sk");

    // Step 1: Alice's first ratchet key against Bob's prekey; she sends a0 and a1.
    RatchetState.Sealed a0 = alice.encrypt("a0".getBytes(UTF_8), extra, T0, aliceRandom);
    alice = a0.next();
    root = step("step1", "alice", alice, alice.sendKey, prekey.publicKey(), root, null);
    RatchetState.Sealed a1 = alice.encrypt("a1".getBytes(UTF_8), extra, T0, aliceRandom);
    alice = a1.next();
    message("a0", a0.message(), get("step1.send_chain_key"));
    message("a1", a1.message(), RatchetKdf.chain(get("step1.send_chain_key")).nextChainKey());

    // Step 2: Bob gets a1 before a0 (a0's key is skipped, then used), and answers with b0.
    bob = bob.decrypt(a1.message(), extra, T0, bobRandom).next();
    check(bob.skipped.size() == 1, "a0's key is stored as skipped");
    check(
        MessageDigest.isEqual(bob.skipped.get(0).messageKey(), get("a0.message_key")),
        "the skipped key is a0's");
    bob = bob.decrypt(a0.message(), extra, T0, bobRandom).next();
    check(bob.skipped.isEmpty(), "a0's skipped key is deleted once used");
    root = step("step2", "bob", bob, bob.sendKey, alice.sendKey.publicKey(), root, null);
    RatchetState.Sealed b0 = bob.encrypt("b0".getBytes(UTF_8), extra, T0, bobRandom);
    bob = b0.next();
    message("b0", b0.message(), get("step2.send_chain_key"));

    // Step 3: a day later Alice gets b0; her ML-KEM step is due, so she announces a key in a2.
    alice = alice.decrypt(b0.message(), extra, T1, aliceRandom).next();
    root = step("step3", "alice", alice, alice.sendKey, bob.sendKey.publicKey(), root, null);
    put("step3.alice.kem.encapsulation_key", alice.kemEncapsulationKey);
    RatchetState.Sealed a2 = alice.encrypt("a2".getBytes(UTF_8), extra, T1, aliceRandom);
    alice = a2.next();
    message("a2", a2.message(), get("step3.send_chain_key"));

    // Step 4: Bob encapsulates to Alice's key in his next chain and mixes the secret in.
    bob = bob.decrypt(a2.message(), extra, T1, bobRandom).next();
    put("step4.bob.kem.ciphertext", bob.sendKemCiphertext);
    byte[] secret =
        dev.ztchat.core.crypto.MlKem768.decapsulate(alice.kemPrivateKey, bob.sendKemCiphertext);
    put("step4.kem.shared_secret", secret);
    root = step("step4", "bob", bob, bob.sendKey, alice.sendKey.publicKey(), root, secret);
    RatchetState.Sealed b1 = bob.encrypt("b1".getBytes(UTF_8), extra, T1, bobRandom);
    bob = b1.next();
    message("b1", b1.message(), get("step4.send_chain_key"));

    // Step 5: Alice decapsulates, takes the same root step, then her own DH step; sends a3.
    alice = alice.decrypt(b1.message(), extra, T1, aliceRandom).next();
    check(!alice.awaitsPqStep(), "Alice's ML-KEM key is used up");
    root = step("step5", "alice", alice, alice.sendKey, bob.sendKey.publicKey(), root, null);
    RatchetState.Sealed a3 = alice.encrypt("a3".getBytes(UTF_8), extra, T1, aliceRandom);
    alice = a3.next();
    message("a3", a3.message(), get("step5.send_chain_key"));

    // Step 6: Bob gets a3 and takes his next DH step.
    bob = bob.decrypt(a3.message(), extra, T1, bobRandom).next();
    step("step6", "bob", bob, bob.sendKey, alice.sendKey.publicKey(), root, null);
    check(aliceRandom.isUsedUp() && bobRandom.isUsedUp(), "every random input is used");
    check(MessageDigest.isEqual(alice.rootKey, get("step5.root_key")), "Alice's root key");
  }

  /**
   * Records a DH ratchet step that produced {@code sender}'s sending chain: its key pair (which
   * must be the one drawn from the step's random input), the DH output, and the root and chain key,
   * recomputed from KDF_RK's definition and compared with the state's.
   */
  private byte[] step(
      String step,
      String who,
      RatchetState state,
      X25519.KeyPair ours,
      byte[] theirs,
      byte[] previousRoot,
      byte[] kemSecret)
      throws Exception {
    check(
        MessageDigest.isEqual(ours.rawPrivateKey(), hex(step + "." + who + ".random")),
        step + ": the ratchet private key is the random input");
    put(step + "." + who + ".public", ours.publicKey());
    byte[] dh = X25519.agree(ours.privateKey(), theirs);
    put(step + ".dh_output", dh);
    byte[] ikm = kemSecret == null ? dh : RatchetKdf.concat(dh, kemSecret);
    String label = kemSecret == null ? "ztchat v2 ratchet root" : "ztchat v2 ratchet root pq";
    byte[] derived = Hkdf.derive(previousRoot, ikm, label.getBytes(UTF_8), 64);
    byte[] root = java.util.Arrays.copyOf(derived, 32);
    byte[] chain = java.util.Arrays.copyOfRange(derived, 32, 64);
    check(MessageDigest.isEqual(root, state.rootKey), step + ": the root key");
    check(
        MessageDigest.isEqual(chain, state.sendChain) || state.sendN > 0,
        step + ": the sending chain key");
    put(step + ".root_key", root);
    put(step + ".send_chain_key", chain);
    return root;
  }

  private void message(String name, byte[] message, byte[] chainKey) throws Exception {
    put(name + ".chain_key", chainKey);
    byte[] messageKey = hmac(chainKey, (byte) 0x01);
    put(name + ".message_key", messageKey);
    put(name + ".aead_key_and_nonce", RatchetKdf.aeadKeyAndNonce(messageKey));
    int headerLength = RatchetHeader.decode(message).length();
    put(name + ".header", java.util.Arrays.copyOf(message, headerLength));
    put(name + ".ciphertext", java.util.Arrays.copyOfRange(message, headerLength, message.length));
  }

  private byte[] get(String name) {
    return HEX.parseHex(out.get(name));
  }

  private static byte[] hmac(byte[] key, byte constant) throws GeneralSecurityException {
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(new byte[] {constant});
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("vector: " + what + " does not hold");
    }
  }

  /** The inputs of the published vector: SHA-256 of a label naming each, lengths as needed. */
  static Map<String, String> defaultInputs() throws Exception {
    Map<String, String> inputs = new LinkedHashMap<>();
    for (String name : INPUTS) {
      byte[] v =
          MessageDigest.getInstance("SHA-256")
              .digest(("ztchat v2 ratchet vector " + name).getBytes(UTF_8));
      inputs.put(name, HEX.formatHex(v));
    }
    inputs.put("extra_ad", HEX.formatHex("v2 routing prefix".getBytes(UTF_8)));
    return inputs;
  }

  /** Prints the vector block for docs/v2/ratchet.md section 11. */
  public static void main(String[] args) throws Exception {
    for (Map.Entry<String, String> e : compute(defaultInputs()).entrySet()) {
      System.out.println(e.getKey() + " = " + e.getValue());
    }
  }
}
