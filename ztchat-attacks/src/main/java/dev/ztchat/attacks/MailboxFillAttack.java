package dev.ztchat.attacks;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeFormats;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testkit.RawFrameClient;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * {@code mailbox-fill}: one insider, staying under the rate limit, stores envelopes for an offline
 * user until the relay says {@code full}, to lock that user's mailbox against everyone else. The
 * relay holds if another sender's envelope for the same user is still accepted. Afterwards the
 * victim's connection acknowledges exactly the envelopes this attack sent (nothing else), so no
 * real user's queue keeps anything of it.
 */
final class MailboxFillAttack implements Attack {
  /** Enough to fill the default quota (10,000) even without a per-sender share. */
  private static final int MAX_ENVELOPES = 12_000;

  private static final long MAX_MILLIS = Duration.ofMinutes(10).toMillis();

  /** After a rate_limited answer: the default budget refills a frame in 50 ms; wait a few. */
  private static final long BACKOFF_MILLIS = 200;

  @Override
  public String name() {
    return "mailbox-fill";
  }

  @Override
  public String whatIsTried() {
    return "alice, paced under the rate limit, stores envelopes for offline bob until the relay"
        + " says full (at most "
        + MAX_ENVELOPES
        + " or "
        + MAX_MILLIS / 60_000
        + " min); then carol writes to bob";
  }

  @Override
  public String expectedDefence() {
    return "alice gets full once she fills her share of bob's quota; carol's envelope is still"
        + " queued";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    Set<String> ours = new HashSet<>();
    try {
      return attack(target, ours);
    } finally {
      cleanUp(target, ours);
    }
  }

  private Verdict attack(AttackTarget target, Set<String> ours) throws Exception {
    try (RawFrameClient alice = AttackConnections.welcomed(target, "alice");
        RawFrameClient carol = AttackConnections.welcomed(target, "carol")) {
      long start = System.nanoTime();
      int stored = 0;
      int limited = 0;
      DeliveryStatus last = null;
      while (stored < MAX_ENVELOPES && (System.nanoTime() - start) / 1_000_000 < MAX_MILLIS) {
        byte[] envelope = Envelopes.structural("alice", "bob");
        DeliveryStatus status = send(alice, envelope);
        if (status == null) {
          limited++;
          Thread.sleep(
              BACKOFF_MILLIS); // pacing a real relay's budget, not waiting for time to pass
          continue;
        }
        last = status;
        if (status == DeliveryStatus.FULL || status == DeliveryStatus.UNKNOWN) {
          break;
        }
        ours.add(idOf(envelope));
        stored++;
        if (status == DeliveryStatus.DELIVERED) {
          break; // bob is online and alice may know it: his mailbox is not filling
        }
      }
      long seconds = (System.nanoTime() - start) / 1_000_000_000;
      String figures =
          "alice stored "
              + stored
              + " envelopes for bob in "
              + seconds
              + " s ("
              + limited
              + " answers rate_limited)";
      if (last != DeliveryStatus.FULL) {
        throw new CouldNotRunException(
            figures
                + " and the relay never said full (last answer: "
                + (last == null ? "none" : last.wire())
                + "): bob must be offline and the quota within this attack's bound");
      }
      byte[] witness = Envelopes.structural("carol", "bob");
      DeliveryStatus forCarol = null;
      for (int tries = 0; forCarol == null && tries < 20; tries++) {
        forCarol = send(carol, witness);
        if (forCarol == null) {
          Thread.sleep(BACKOFF_MILLIS);
        }
      }
      if (forCarol != null && forCarol.accepted()) {
        ours.add(idOf(witness));
        return Verdict.held(
            figures + ", then got full; carol's envelope for bob was still " + forCarol.wire());
      }
      return Verdict.broken(
          figures
              + " and so filled his mailbox alone: carol's envelope for bob got "
              + (forCarol == null ? "no answer" : forCarol.wire()));
    }
  }

  /** Sends and returns bob's status, or null when the relay answered rate_limited. */
  private static DeliveryStatus send(RawFrameClient from, byte[] envelope) throws Exception {
    from.send(new Frame.Send("m", envelope));
    for (int i = 0; i < 50; i++) {
      Frame f = from.read(Duration.ofSeconds(10));
      if (f instanceof Frame.Sent s) {
        return s.results().getFirst().status();
      }
      if (f instanceof Frame.Error e) {
        if (e.code() == ErrorCode.RATE_LIMITED) {
          return null;
        }
        throw new CouldNotRunException(
            "the relay refused an envelope: " + e.code().wire() + " " + e.message());
      }
    }
    throw new CouldNotRunException("no answer to a send");
  }

  /**
   * bob acknowledges this attack's envelopes, and only those: real messages stay queued for him.
   */
  private static void cleanUp(AttackTarget target, Set<String> ours) throws Exception {
    if (ours.isEmpty()) {
      return;
    }
    try (RawFrameClient bob = AttackConnections.welcomed(target, "bob")) {
      int acked = 0;
      while (!ours.isEmpty()) {
        Frame f;
        try {
          f = bob.read(Duration.ofSeconds(3));
        } catch (SocketTimeoutException quiet) {
          break; // nothing more comes
        }
        if (f instanceof Frame.Deliver d) {
          // any version: what else is queued for bob (a real user's message) is left alone
          RoutingPrefix h = EnvelopeFormats.decodeRoutable(d.envelope());
          if (ours.remove(h.messageIdHex())) {
            bob.send(new Frame.Ack("c" + ++acked, h.sender(), h.messageIdHex()));
          }
        }
      }
    } catch (IOException | CouldNotRunException | MalformedEnvelopeException e) {
      // best effort: what is left expires with the relay's TTL
    }
  }

  private static String idOf(byte[] envelope) throws Exception {
    return EnvelopeCodec.decodeHeader(envelope).messageIdHex();
  }
}
