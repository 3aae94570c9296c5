package dev.ztchat.attacks;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RecipientKey;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.envelope.RsaOaepAesGcmSealer;
import dev.ztchat.core.envelope.SealedEnvelope;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.envelope.WrappedKey;
import dev.ztchat.core.testkit.MutableClock;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code downgrade-envelope}: after alice and bob spoke version 2, a hostile relay tries to bring
 * them back to version 1: it hides bob's prekeys from alice (every bundle request answered {@code
 * no_prekeys}), and delivers to bob a version-1 envelope genuinely signed with alice's version-1
 * keys (an insider holding them, as in {@code stale}) and one of alice's version-2 envelopes
 * re-encoded in the version-1 format.
 */
final class EnvelopeDowngradeAttack implements Attack {
  @Override
  public String name() {
    return "downgrade-envelope";
  }

  @Override
  public String whatIsTried() {
    return "after a version-2 exchange, a hostile relay hides bob's prekeys from alice and delivers"
        + " to bob a version-1 envelope signed with alice's real version-1 keys and a version-2"
        + " envelope of alice's re-encoded as version 1";
  }

  @Override
  public String expectedDefence() {
    return "bob refuses both as DOWNGRADE and shows nothing; alice sends bob nothing in version 1";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    try (V2Pair pair = V2Pair.start(target, Clock.systemUTC(), MutableClock.followingSystem())) {
      pair.aliceSends("version 2 first");
      pair.bobShown("version 2 first");
      pair.bobSends("version 2 reply");
      pair.aliceShown("version 2 reply");

      AtomicInteger hidden = new AtomicInteger();
      pair.relay.answerBundleRequests(
          "bob",
          ref -> {
            hidden.incrementAndGet();
            return InterceptingRelay.noPrekeys(ref);
          });
      pair.relay.holdDeliveriesTo("bob");
      String id = pair.alice.send("bob", "while bob's prekeys are hidden").messageId();
      InterceptingRelay.Sent held;
      do { // alice's receipts to bob may go out meanwhile: this message, by its id
        held = pair.relay.nextSent("alice", V2Pair.WAIT);
      } while (held != null && !held.prefix().messageIdHex().equals(id));
      if (held == null) {
        throw new CouldNotRunException("alice's message did not reach the relay");
      }

      List<String> results = new ArrayList<>();
      UserIdentityKeys keys = new UserIdentityKeys(target);
      SealedEnvelope insider =
          new RsaOaepAesGcmSealer(keys.alice, Clock.systemUTC())
              .seal(MessageContent.text("version 1 from an insider"), List.of(keys.bob));
      results.add(
          "version-1 envelope signed by alice's keys -> "
              + deliver(pair, EnvelopeCodec.encode(insider)));
      if (held.prefix().version() == V2Envelope.VERSION) {
        results.add(
            "alice's version-2 envelope re-encoded as version 1 -> "
                + deliver(pair, asVersion1(held.envelope())));
        // The genuine envelope, delivered last, still opens: the refusals were the downgrade.
        pair.relay.inject("bob", held.envelope(), held.binary());
        OpenedMessage control = pair.bobScreen.nextShown(V2Pair.WAIT);
        results.add(
            "the genuine version-2 envelope -> " + (control != null ? "shown" : "not shown"));
      }
      long version1ToBob =
          pair.relay.allSent().stream()
              .filter(s -> s.from().equals("alice") && s.prefix().recipients().contains("bob"))
              .filter(s -> s.prefix().version() != V2Envelope.VERSION)
              .count();
      String observed =
          String.join("; ", results)
              + "; bundle requests for bob answered no_prekeys: "
              + hidden.get()
              + "; alice's message while they were hidden went out in version "
              + held.prefix().version()
              + " (on her existing session); version-1 envelopes alice sent bob: "
              + version1ToBob
              + "; other messages shown to bob: "
              + pair.bobScreen.shownCount();
      boolean held1 =
          results.get(0).endsWith(RejectionReason.DOWNGRADE.name())
              && results.size() == 3
              && results.get(1).endsWith(RejectionReason.DOWNGRADE.name())
              && results.get(2).equals("the genuine version-2 envelope -> shown")
              && version1ToBob == 0
              && pair.bobScreen.shownCount() == 0;
      return held1 ? Verdict.held(observed) : Verdict.broken(observed);
    }
  }

  /** alice's and bob's version-1 keys, as the insider holds them. */
  private static final class UserIdentityKeys {
    final dev.ztchat.core.pki.UserIdentity alice;
    final RecipientKey bob;

    UserIdentityKeys(AttackTarget target) throws CouldNotRunException {
      this.alice = target.user("alice");
      this.bob = new RecipientKey("bob", target.user("bob").encryption().certificate());
    }
  }

  /**
   * The version-1 format around a version-2 envelope: its routing fields in the version-1 header,
   * its body as the ciphertext, its signature as the signature.
   */
  private static byte[] asVersion1(byte[] v2) throws Exception {
    V2Envelope e = V2Envelope.decode(v2);
    return EnvelopeCodec.encode(
        new SealedEnvelope(
            new EnvelopeHeader(
                EnvelopeHeader.VERSION,
                e.prefix().sender(),
                e.prefix().recipients(),
                e.prefix().timestampMillis(),
                e.prefix().messageId()),
            List.of(new WrappedKey("bob", Envelopes.random(32), Envelopes.random(256))),
            Envelopes.random(12),
            e.body(),
            padded(e.signature())));
  }

  private static byte[] padded(byte[] signature) {
    byte[] out = new byte[256];
    System.arraycopy(signature, 0, out, 0, Math.min(signature.length, out.length));
    return out;
  }

  private static String deliver(V2Pair pair, byte[] envelope) throws Exception {
    return V2Outcomes.deliver(pair, envelope, false);
  }
}
