package dev.ztchat.attacks;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.server.SecurityEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code flood}: one authenticated client sends messages as fast as it can (at most {@value
 * #MAX_FRAMES} frames or {@value #MAX_MILLIS} ms) while another user's message must still get
 * through.
 */
final class FloodAttack implements Attack {
  private static final int MAX_FRAMES = 3000;
  private static final long MAX_MILLIS = 3000;
  private static final long ACK_PACE_MS = 55;
  private static final Duration CLEANUP = Duration.ofSeconds(20);

  @Override
  public String name() {
    return "flood";
  }

  @Override
  public String whatIsTried() {
    return "alice sends messages to bob as fast as she can (at most "
        + MAX_FRAMES
        + " frames or "
        + MAX_MILLIS
        + " ms) while carol writes to bob";
  }

  @Override
  public String expectedDefence() {
    return "alice's identity is rate-limited (error rate_limited, then disconnected with a reason);"
        + " carol's message flows";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    long before = target.count(SecurityEvent.RATE_LIMITED);
    try (RawFrameClient alice = AttackConnections.welcomed(target, "alice");
        RawFrameClient bob = AttackConnections.welcomed(target, "bob");
        RawFrameClient carol = AttackConnections.welcomed(target, "carol")) {
      AtomicInteger accepted = new AtomicInteger();
      AtomicInteger limited = new AtomicInteger();
      AtomicReference<String> lastReason = new AtomicReference<>("");
      // Only our own envelopes are judged and acknowledged: bob's real messages stay queued for
      // him.
      Set<String> injected = ConcurrentHashMap.newKeySet();
      Set<String> acceptedIds = ConcurrentHashMap.newKeySet();
      Set<String> acked = ConcurrentHashMap.newKeySet();
      Map<String, String> ackRefs = new ConcurrentHashMap<>();
      CompletableFuture<Void> aliceClosed =
          CompletableFuture.runAsync(
              () -> {
                try {
                  while (true) {
                    Frame f = alice.read(Duration.ofSeconds(10));
                    if (f instanceof Frame.Sent s) {
                      accepted.incrementAndGet();
                      acceptedIds.add(s.messageId());
                    } else if (f instanceof Frame.Error e && e.code() == ErrorCode.RATE_LIMITED) {
                      limited.incrementAndGet();
                      lastReason.set(e.message());
                    }
                  }
                } catch (Exception closed) {
                  // the connection ended: that is what we wait for
                }
              });
      AtomicInteger fromCarol = new AtomicInteger();
      CompletableFuture<Void> bobReader =
          CompletableFuture.runAsync(
              () -> {
                try {
                  while (true) {
                    Frame f = bob.read(Duration.ofSeconds(10));
                    if (f instanceof Frame.Deliver d) {
                      EnvelopeHeader h = EnvelopeCodec.decodeHeader(d.envelope());
                      if (injected.contains(h.messageIdHex())) {
                        if (h.sender().equals("carol")) {
                          fromCarol.incrementAndGet();
                        }
                        String ref = "ack" + ackRefs.size();
                        ackRefs.put(ref, h.messageIdHex());
                        bob.send(new Frame.Ack(ref, h.sender(), h.messageIdHex()));
                        Thread.sleep(
                            ACK_PACE_MS); // bob's acknowledgements stay under his own rate limit
                      }
                    } else if (f instanceof Frame.Ok ok && ackRefs.containsKey(ok.ref())) {
                      acked.add(ackRefs.get(ok.ref())); // the relay confirmed the deletion
                    }
                  }
                } catch (Exception closed) {
                  // reader ends with the attack
                }
              });
      long start = System.nanoTime();
      int sent = 0;
      long witnessNanos = -1;
      boolean witnessSent = false;
      try {
        while (sent < MAX_FRAMES
            && System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(MAX_MILLIS)) {
          byte[] e = Envelopes.structural("alice", "bob");
          injected.add(RawFrameClient.idOf(e));
          alice.send(new Frame.Send(null, e));
          sent++;
          if (sent == 100 && !witnessSent) {
            witnessSent = true;
            long w = System.nanoTime();
            byte[] witness = Envelopes.structural("carol", "bob");
            injected.add(RawFrameClient.idOf(witness));
            carol.send(new Frame.Send("witness", witness));
            if (carol.answerTo("witness", Duration.ofSeconds(5)) instanceof Frame.Sent s) {
              witnessNanos = System.nanoTime() - w;
              acceptedIds.add(s.messageId());
            }
          }
        }
      } catch (IOException e) {
        // the server closed alice's connection
      }
      long floodMs = (System.nanoTime() - start) / 1_000_000;
      boolean disconnected = waitDone(aliceClosed, 5);
      // bob acknowledges at a pace under his own rate limit, and the relay pushes at most 64
      // unacknowledged envelopes at a time: carol's, accepted behind alice's, may take a while.
      boolean carolDelivered = Polling.eventually(CLEANUP, () -> fromCarol.get() > 0);
      boolean cleaned = Polling.eventually(CLEANUP, () -> acked.containsAll(acceptedIds));
      int leftQueued = (int) acceptedIds.stream().filter(id -> !acked.contains(id)).count();
      bob.close();
      bobReader.get(5, TimeUnit.SECONDS);
      String figures =
          "alice sent "
              + sent
              + " frames in "
              + floodMs
              + " ms; the relay accepted "
              + accepted.get()
              + ", refused "
              + limited.get()
              + " with rate_limited"
              + (disconnected
                  ? ", then closed her connection: '" + lastReason.get() + "'"
                  : " and kept her connection open")
              + "; carol's message to bob "
              + (carolDelivered
                  ? "was delivered (accepted in " + Waits.ms(witnessNanos / 1e6) + ")"
                  : "did NOT arrive")
              + (cleaned
                  ? "; bob acknowledged every accepted envelope, so none stays queued"
                  : "; "
                      + leftQueued
                      + " accepted envelopes could not be acknowledged and stay queued for bob");
      if (!carolDelivered || witnessNanos < 0) {
        return Verdict.broken(figures);
      }
      if (limited.get() == 0) {
        return Verdict.broken("no rate limit: " + figures);
      }
      if (before >= 0
          && !Polling.eventually(
              Duration.ofSeconds(2), () -> target.count(SecurityEvent.RATE_LIMITED) > before)) {
        return Verdict.broken("throttled but no RATE_LIMITED security event: " + figures);
      }
      return Verdict.held(figures + (before >= 0 ? "; SECURITY event=RATE_LIMITED logged" : ""));
    }
  }

  private static boolean waitDone(CompletableFuture<Void> f, int seconds) {
    try {
      f.get(seconds, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}
