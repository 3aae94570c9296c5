package dev.ztchat.attacks;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.RelayConnection;
import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.envelope.ContentKind;
import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeRejectedException;
import dev.ztchat.core.envelope.InMemorySeenMessageStore;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RecipientKey;
import dev.ztchat.core.envelope.ReplayGuard;
import dev.ztchat.core.envelope.RsaOaepAesGcmOpener;
import dev.ztchat.core.envelope.RsaOaepAesGcmSealer;
import dev.ztchat.core.envelope.SealedEnvelope;
import dev.ztchat.core.envelope.SenderCertificateLookup;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code stale}: an insider holding alice's real keys, with a skewed clock, signs envelopes dated
 * outside bob's acceptance window and sends them through the real relay to bob's real client.
 */
final class StaleAttack implements Attack {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration RECEIPT_WAIT = Duration.ofSeconds(3);

  /** Just and far outside the receiver's default policy, whatever its window and skew are. */
  private static final List<Duration> SKEWS =
      List.of(
          AcceptancePolicy.DEFAULT.window().plusMinutes(5).negated(),
          AcceptancePolicy.DEFAULT.window().plusDays(1).negated(),
          AcceptancePolicy.DEFAULT.maxFutureSkew().plusMinutes(5),
          AcceptancePolicy.DEFAULT.maxFutureSkew().plusDays(1));

  @Override
  public String name() {
    return "stale";
  }

  @Override
  public String whatIsTried() {
    return "an insider with alice's keys and a skewed clock sends bob validly signed envelopes"
        + " dated before the window and after the skew, "
        + SKEWS;
  }

  @Override
  public String expectedDefence() {
    return "the relay refuses those past the window as expired; bob's client drops the rest as"
        + " STALE or FROM_THE_FUTURE (window "
        + AcceptancePolicy.DEFAULT.window()
        + ", skew "
        + AcceptancePolicy.DEFAULT.maxFutureSkew()
        + ") and shows nothing";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    UserIdentity alice = target.user("alice");
    RecipientKey bobKey = new RecipientKey("bob", target.user("bob").encryption().certificate());
    VictimScreen bobScreen = new VictimScreen();
    try (ChatClient bob =
            Victims.connect(
                target,
                "bob",
                target.host(),
                target.port(),
                target.newStateDir("bob"),
                Clock.systemUTC(),
                bobScreen);
        RelayConnection insider =
            RelayConnection.connect(
                target.host(), target.port(), alice.signing(), target.caCertificate())) {
      BlockingQueue<byte[]> toAlice = new LinkedBlockingQueue<>();
      insider.onDelivery(toAlice::add);
      List<String> seen = new ArrayList<>();
      for (Duration skew : SKEWS) {
        Clock skewed = Clock.offset(Clock.systemUTC(), skew);
        if (!send(
            insider,
            new RsaOaepAesGcmSealer(alice, skewed)
                .seal(MessageContent.text("dated " + skew), List.of(bobKey)))) {
          seen.add(skew + " -> relay refused it as expired"); // past the window: not even stored
          continue;
        }
        VictimScreen.Rejection r = bobScreen.nextRejection(WAIT);
        seen.add(
            skew
                + " -> "
                + (r != null
                    ? r.label()
                    : bobScreen.nextShown(Duration.ofMillis(10)) != null
                        ? "SHOWN"
                        : "nothing reported"));
      }
      // Control: the same insider with a correct clock gets through, so the drops were about time.
      SealedEnvelope control =
          new RsaOaepAesGcmSealer(alice, Clock.systemUTC())
              .seal(MessageContent.text("on time"), List.of(bobKey));
      send(insider, control);
      if (bobScreen.nextShown(WAIT) == null) {
        throw new CouldNotRunException("the control message dated now did not reach bob: " + seen);
      }
      acknowledgeReceipt(target, insider, toAlice, control.header().messageIdHex());
      int extra = bobScreen.shownCount();
      String observed =
          String.join(", ", seen) + "; control dated now shown; other messages shown: " + extra;
      boolean held =
          extra == 0
              && stopped(seen.get(0))
              && stopped(seen.get(1))
              && seen.get(2).endsWith("FROM_THE_FUTURE")
              && seen.get(3).endsWith("FROM_THE_FUTURE");
      return held ? Verdict.held(observed) : Verdict.broken(observed);
    }
  }

  /**
   * bob's client answers the control message with a receipt to alice: the insider takes it (and
   * only it) off the relay, so the attack leaves nothing in the real alice's queue. Other envelopes
   * for alice are left unacknowledged.
   */
  private static void acknowledgeReceipt(
      AttackTarget target, RelayConnection insider, BlockingQueue<byte[]> toAlice, String controlId)
      throws Exception {
    RsaOaepAesGcmOpener opener =
        new RsaOaepAesGcmOpener(
            target.user("alice"),
            new CertificateVerifier(target.caCertificate()),
            new BobOnly(target.user("bob").signing().certificate()),
            new ReplayGuard(
                new InMemorySeenMessageStore(), AcceptancePolicy.DEFAULT, Clock.systemUTC()),
            Clock.systemUTC(),
            AcceptancePolicy.DEFAULT);
    long deadline = System.nanoTime() + RECEIPT_WAIT.toNanos();
    byte[] bytes;
    while ((bytes = toAlice.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
        != null) {
      try {
        SealedEnvelope e = EnvelopeCodec.decode(bytes);
        if (!"bob".equals(e.header().sender())) {
          continue;
        }
        OpenedMessage m = opener.open(e);
        if (m.kind() == ContentKind.RECEIPT
            && controlId.equals(HexFormat.of().formatHex(m.receiptFor()))) {
          String ref = insider.nextRef();
          insider.request(new Frame.Ack(ref, "bob", m.messageIdHex()), ref, WAIT);
          return;
        }
      } catch (EnvelopeRejectedException | MalformedEnvelopeException notOurs) {
        // not the receipt for the control message: left for the real alice
      }
    }
  }

  private record BobOnly(X509Certificate bob) implements SenderCertificateLookup {
    @Override
    public X509Certificate signingCertificate(String name) {
      return "bob".equals(name) ? bob : null;
    }
  }

  /** Dropped by bob's client as stale, or already refused by the relay. */
  private static boolean stopped(String seen) {
    return seen.endsWith("STALE") || seen.endsWith("relay refused it as expired");
  }

  /** False when the relay refused the envelope as expired (docs/PROTOCOL.md section 9). */
  private static boolean send(RelayConnection insider, SealedEnvelope e) throws Exception {
    String ref = insider.nextRef();
    Frame answer;
    try {
      answer = insider.request(new Frame.Send(ref, EnvelopeCodec.encode(e)), ref, WAIT);
    } catch (RelayConnection.RelayException refused) {
      if (refused.code() == ErrorCode.BAD_ENVELOPE
          && refused.getMessage().startsWith("envelope expired")) {
        return false;
      }
      throw refused;
    }
    if (!(answer instanceof Frame.Sent)) {
      throw new CouldNotRunException(
          "the relay did not accept the insider's envelope: " + answer.type());
    }
    return true;
  }
}
