package dev.ztchat.attacks;

import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.server.SecurityEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code connection-flood}: one insider opens as many authenticated connections as it can and holds
 * them, then another user must still connect and chat.
 */
final class ConnectionFloodAttack implements Attack {
  private static final int ATTEMPTS = 100;
  private static final int PARALLEL = 8;

  @Override
  public String name() {
    return "connection-flood";
  }

  @Override
  public String whatIsTried() {
    return "alice opens "
        + ATTEMPTS
        + " authenticated connections ("
        + PARALLEL
        + " at a time) and holds them; then bob"
        + " connects and writes to carol";
  }

  @Override
  public String expectedDefence() {
    return "the relay refuses alice's connections past her per-user cap (error rate_limited, then"
        + " closed; SECURITY event=TOO_MANY_CONNECTIONS), keeps those it let in, and bob"
        + " connects and reaches carol";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    long before = target.count(SecurityEvent.TOO_MANY_CONNECTIONS);
    List<RawFrameClient> held = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
    try {
      List<Future<RawFrameClient>> opening = new ArrayList<>();
      for (int i = 0; i < ATTEMPTS; i++) {
        opening.add(pool.submit(() -> AttackConnections.welcomedOrRefused(target, "alice")));
      }
      int refused = 0;
      for (Future<RawFrameClient> f : opening) {
        RawFrameClient c = f.get();
        if (c == null) {
          refused++;
        } else {
          held.add(c);
        }
      }
      int refusedCount = refused;
      String figures =
          "alice's "
              + ATTEMPTS
              + " connections: "
              + held.size()
              + " let in, "
              + refused
              + " refused";
      if (refused == 0) {
        return Verdict.broken("no connection cap: " + figures);
      }
      try (RawFrameClient bob = AttackConnections.welcomed(target, "bob");
          RawFrameClient carol = AttackConnections.welcomed(target, "carol")) {
        byte[] hello = Envelopes.structural("bob", "carol");
        Set<String> id = new HashSet<>(Set.of(RawFrameClient.idOf(hello)));
        bob.send(new Frame.Send("hello", hello));
        Frame answer = bob.answerTo("hello", Duration.ofSeconds(5));
        carol.ackOwn(id, Duration.ofSeconds(5));
        if (!(answer instanceof Frame.Sent) || !id.isEmpty()) {
          return Verdict.broken(
              figures
                  + "; bob connected but his message to carol "
                  + (answer instanceof Frame.Sent ? "was not delivered" : "was not accepted"));
        }
      } catch (CouldNotRunException e) {
        return Verdict.broken(figures + "; then " + e.getMessage());
      }
      int stillServed = 0;
      for (RawFrameClient c : held) {
        try {
          c.pingRoundTrip("held");
          stillServed++;
        } catch (Exception e) {
          // counted as not served
        }
      }
      figures +=
          "; bob connected while alice held hers, and his message reached carol; alice's "
              + held.size()
              + " connections still served: "
              + stillServed;
      if (stillServed < held.size()) {
        return Verdict.broken("the relay closed connections it had let in: " + figures);
      }
      if (before >= 0
          && !Polling.eventually(
              Duration.ofSeconds(2),
              () -> target.count(SecurityEvent.TOO_MANY_CONNECTIONS) >= before + refusedCount)) {
        return Verdict.broken(
            "refused without a TOO_MANY_CONNECTIONS security event for each: " + figures);
      }
      return Verdict.held(
          figures
              + (before >= 0
                  ? "; SECURITY event=TOO_MANY_CONNECTIONS logged for each refusal"
                  : ""));
    } finally {
      pool.shutdownNow();
      held.forEach(RawFrameClient::close);
    }
  }
}
