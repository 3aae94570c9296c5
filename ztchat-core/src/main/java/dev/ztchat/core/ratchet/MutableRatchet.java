package dev.ztchat.core.ratchet;

import dev.ztchat.core.crypto.MlKem768;
import dev.ztchat.core.crypto.X25519;
import dev.ztchat.core.ratchet.RatchetException.Reason;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The working copy of a {@link RatchetState} while one message is sealed or opened: the rules of
 * docs/v2/ratchet.md sections 5 to 7. It is thrown away when a message fails, so a failure leaves
 * the state it was copied from untouched. Arrays are replaced, never written into, because they are
 * shared with that state.
 */
final class MutableRatchet {
  final byte[] ad;
  byte[] rootKey;
  X25519.KeyPair sendKey;
  byte[] receivePublic;
  byte[] sendChain;
  long sendN;
  long previousN;
  byte[] receiveChain;
  long receiveN;
  PrivateKey kemPrivateKey;
  byte[] kemEncapsulationKey;
  byte[] sendKemCiphertext;
  long messagesSincePq;
  Long lastPqSecond;
  final List<SkippedKey> skipped;

  MutableRatchet(byte[] sk, byte[] ad) {
    this.ad = ad;
    this.rootKey = sk;
    this.skipped = new ArrayList<>();
  }

  MutableRatchet(RatchetState s) {
    this.ad = s.ad;
    this.rootKey = s.rootKey;
    this.sendKey = s.sendKey;
    this.receivePublic = s.receivePublic;
    this.sendChain = s.sendChain;
    this.sendN = s.sendN;
    this.previousN = s.previousN;
    this.receiveChain = s.receiveChain;
    this.receiveN = s.receiveN;
    this.kemPrivateKey = s.kemPrivateKey;
    this.kemEncapsulationKey = s.kemEncapsulationKey;
    this.sendKemCiphertext = s.sendKemCiphertext;
    this.messagesSincePq = s.messagesSincePq;
    this.lastPqSecond = s.lastPqSecond;
    this.skipped = new ArrayList<>(s.skipped);
  }

  byte[] encrypt(byte[] plaintext, byte[] extraAd, Instant now, SecureRandom random) {
    long second = now.getEpochSecond();
    startClock(second);
    dropExpired(second);
    if (sendKey == null) {
      // The initiator's first step (Signal section 3.3): a fresh ratchet key against the prekey.
      sendKey = X25519.generate(random);
      try {
        sendChain = rootStep(dh(receivePublic), null);
      } catch (RatchetException e) {
        throw new IllegalArgumentException("the responder's prekey is not a usable X25519 key", e);
      }
      announceIfDue(second, random);
    }
    if (sendN >= RatchetHeader.MAX_COUNTER) {
      // N = 2^32 - 1 would leave Ns at 2^32, which its u32 in the stored state cannot hold.
      throw new IllegalStateException("this chain has sent 2^32 - 1 messages");
    }
    RatchetKdf.ChainStep step = RatchetKdf.chain(sendChain);
    RatchetHeader header =
        new RatchetHeader(
            sendKey.publicKey(), previousN, sendN, sendKemCiphertext, kemEncapsulationKey);
    sendChain = step.nextChainKey();
    sendN++;
    countMessage();
    byte[] headerBytes = header.encode();
    try {
      byte[] ciphertext =
          RatchetKdf.seal(step.messageKey(), associatedData(headerBytes, extraAd), plaintext);
      return RatchetKdf.concat(headerBytes, ciphertext);
    } finally {
      Arrays.fill(step.messageKey(), (byte) 0);
    }
  }

  byte[] decrypt(byte[] message, byte[] extraAd, Instant now, SecureRandom random)
      throws RatchetException {
    long second = now.getEpochSecond();
    startClock(second);
    dropExpired(second);
    RatchetHeader header = RatchetHeader.decode(message);
    if (header.n() >= RatchetHeader.MAX_COUNTER) {
      throw new RatchetException(Reason.MALFORMED, "message number 2^32 - 1 is never sent");
    }
    byte[] headerBytes = Arrays.copyOf(message, header.length());
    byte[] ciphertext = Arrays.copyOfRange(message, header.length(), message.length);
    byte[] ad2 = associatedData(headerBytes, extraAd);
    byte[] dh = header.dh();

    for (int i = 0; i < skipped.size(); i++) {
      if (skipped.get(i).isFor(dh, header.n())) {
        byte[] plaintext = RatchetKdf.open(skipped.get(i).messageKey(), ad2, ciphertext);
        skipped.remove(i);
        countMessage();
        return plaintext;
      }
    }
    if (sendKey == null) {
      throw new RatchetException(
          Reason.NOT_AUTHENTIC, "no message can arrive before the initiator's first");
    }
    if (!header.sameKey(receivePublic)) {
      // A new chain from the peer: check every bound before deriving anything.
      if (receiveChain != null && header.pn() > receiveN + RatchetState.MAX_SKIP) {
        throw tooMany(header.pn() - receiveN);
      }
      if (header.n() > RatchetState.MAX_SKIP) {
        throw tooMany(header.n());
      }
      if (receiveChain != null) {
        skipTo(header.pn(), second);
      }
      dhRatchet(header, second, random);
    } else if (receiveChain == null) {
      // The initiator's view of the prekey before any reply: no chain was ever derived for it.
      throw new RatchetException(Reason.NOT_AUTHENTIC, "no chain for this ratchet key");
    } else if (header.n() < receiveN) {
      throw new RatchetException(
          Reason.KEY_GONE, "message " + header.n() + " of this chain was used or dropped");
    } else if (header.n() > receiveN + RatchetState.MAX_SKIP) {
      throw tooMany(header.n() - receiveN);
    }
    skipTo(header.n(), second);
    RatchetKdf.ChainStep step = RatchetKdf.chain(receiveChain);
    try {
      byte[] plaintext = RatchetKdf.open(step.messageKey(), ad2, ciphertext);
      receiveChain = step.nextChainKey();
      receiveN++;
      countMessage();
      return plaintext;
    } finally {
      Arrays.fill(step.messageKey(), (byte) 0);
    }
  }

  /** Signal's DHRatchet with the ML-KEM secrets mixed in (docs/v2/ratchet.md section 5.3). */
  private void dhRatchet(RatchetHeader header, long second, SecureRandom random)
      throws RatchetException {
    byte[] received = null;
    if (kemPrivateKey != null) {
      if (header.kemCiphertext() == null) {
        throw new RatchetException(
            Reason.PQ_STEP_INVALID, "the new chain lacks the ML-KEM ciphertext asked for");
      }
      try {
        received = MlKem768.decapsulate(kemPrivateKey, header.kemCiphertext());
      } catch (InvalidKeyException e) {
        throw new RatchetException(Reason.PQ_STEP_INVALID, "the ML-KEM ciphertext is unusable");
      }
    } else if (header.kemCiphertext() != null) {
      throw new RatchetException(
          Reason.PQ_STEP_INVALID, "the new chain carries an ML-KEM ciphertext not asked for");
    }
    previousN = sendN;
    sendN = 0;
    receiveN = 0;
    receivePublic = header.dh();
    try {
      receiveChain = rootStep(dh(receivePublic), received);
    } finally {
      wipe(received);
    }
    if (received != null) {
      kemPrivateKey = null;
      kemEncapsulationKey = null;
      pqStepDone(second);
    }

    sendKey = X25519.generate(random);
    byte[] sent = null;
    sendKemCiphertext = null;
    if (header.kemKey() != null) {
      try {
        MlKem768.Encapsulated e = MlKem768.encapsulate(header.kemKey(), random);
        sendKemCiphertext = e.ciphertext();
        sent = e.sharedSecret();
      } catch (InvalidKeyException e) {
        throw new RatchetException(Reason.MALFORMED, "the announced ML-KEM key is unusable");
      }
    }
    try {
      sendChain = rootStep(dh(receivePublic), sent);
    } finally {
      wipe(sent);
    }
    if (sent != null) {
      pqStepDone(second);
    }
    announceIfDue(second, random);
  }

  private byte[] rootStep(byte[] dhOutput, byte[] kemSecret) {
    try {
      RatchetKdf.RootStep step = RatchetKdf.root(rootKey, dhOutput, kemSecret);
      rootKey = step.rootKey();
      return step.chainKey();
    } finally {
      Arrays.fill(dhOutput, (byte) 0);
    }
  }

  private byte[] dh(byte[] theirs) throws RatchetException {
    try {
      return X25519.agree(sendKey.privateKey(), theirs);
    } catch (InvalidKeyException e) {
      throw new RatchetException(Reason.MALFORMED, "the ratchet public key is unusable");
    }
  }

  /** Stores the keys of the receiving chain's messages before {@code until}. */
  private void skipTo(long until, long second) {
    while (receiveN < until) {
      RatchetKdf.ChainStep step = RatchetKdf.chain(receiveChain);
      skipped.add(new SkippedKey(receivePublic, receiveN, step.messageKey(), second));
      receiveChain = step.nextChainKey();
      receiveN++;
    }
    while (skipped.size() > RatchetState.MAX_SKIPPED_KEYS) {
      skipped.remove(0);
    }
  }

  private void dropExpired(long second) {
    long maxAge = RatchetState.SKIPPED_KEY_MAX_AGE.toSeconds();
    skipped.removeIf(k -> second - k.storedAtSecond() >= maxAge);
  }

  private void announceIfDue(long second, SecureRandom random) {
    boolean due =
        messagesSincePq >= RatchetState.PQ_STEP_MESSAGES
            || second - lastPqSecond >= RatchetState.PQ_STEP_INTERVAL.toSeconds();
    if (kemPrivateKey == null && due) {
      KeyPair pair = MlKem768.generate(random);
      kemPrivateKey = pair.getPrivate();
      kemEncapsulationKey = MlKem768.rawPublicKey(pair.getPublic());
    }
  }

  private void startClock(long second) {
    if (lastPqSecond == null) {
      // The session setup's ML-KEM encapsulation counts as the first step.
      lastPqSecond = second;
    }
  }

  private void pqStepDone(long second) {
    messagesSincePq = 0;
    lastPqSecond = second;
  }

  private void countMessage() {
    if (messagesSincePq < RatchetHeader.MAX_COUNTER) {
      messagesSincePq++;
    }
  }

  private byte[] associatedData(byte[] header, byte[] extraAd) {
    byte[] out = new byte[ad.length + header.length + extraAd.length];
    System.arraycopy(ad, 0, out, 0, ad.length);
    System.arraycopy(header, 0, out, ad.length, header.length);
    System.arraycopy(extraAd, 0, out, ad.length + header.length, extraAd.length);
    return out;
  }

  private static RatchetException tooMany(long count) {
    return new RatchetException(
        Reason.TOO_MANY_SKIPPED,
        "the message would skip " + count + " keys, more than " + RatchetState.MAX_SKIP);
  }

  private static void wipe(byte[] secret) {
    if (secret != null) {
      Arrays.fill(secret, (byte) 0);
    }
  }
}
