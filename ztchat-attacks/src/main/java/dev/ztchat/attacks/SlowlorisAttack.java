package dev.ztchat.attacks;

import dev.ztchat.core.testkit.RawFrameClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code slowloris}: many connections that stall, half of them authenticated with a partial frame,
 * the rest plain TCP that never finish a TLS handshake, while a legitimate client's ping round trip
 * is measured before and during the attack.
 */
final class SlowlorisAttack implements Attack {
  private static final int AUTHENTICATED = 30;
  private static final int UNAUTHENTICATED = 20;
  private static final int PINGS = 20;
  private static final Duration MARGIN = Duration.ofSeconds(3);

  @Override
  public String name() {
    return "slowloris";
  }

  @Override
  public String whatIsTried() {
    return AUTHENTICATED
        + " authenticated connections send a partial frame and stall, "
        + UNAUTHENTICATED
        + " TCP connections start no TLS handshake";
  }

  @Override
  public String expectedDefence() {
    return "stalled connections are closed by the frame and handshake timeouts; a legitimate client"
        + " keeps its latency";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    List<RawFrameClient> stalledTls = new ArrayList<>();
    List<Socket> stalledTcp = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (RawFrameClient legit = AttackConnections.welcomed(target, "bob")) {
      List<Long> baseline = pings(legit, "base");
      long openedAt = System.nanoTime();
      List<Future<RawFrameClient>> opening = new ArrayList<>();
      for (int i = 0; i < AUTHENTICATED; i++) {
        opening.add(
            pool.submit(
                () -> {
                  RawFrameClient c = AttackConnections.welcomedOrRefused(target, "alice");
                  if (c != null) {
                    c.sendRaw(
                        new byte[] {
                          0, 0, 0, 100, '{', '"', 't', 'y'
                        }); // 100 bytes announced, 4 sent
                  }
                  return c; // null: refused at once by the relay's per-user connection cap
                }));
      }
      for (int i = 0; i < UNAUTHENTICATED; i++) {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(target.host(), target.port()), 5000);
        s.getOutputStream()
            .write(new byte[] {0x16, 0x03, 0x01, 0x02}); // the start of a TLS record, no more
        stalledTcp.add(s);
      }
      int refused = 0;
      for (Future<RawFrameClient> f : opening) {
        RawFrameClient c = f.get();
        if (c == null) {
          refused++;
        } else {
          stalledTls.add(c);
        }
      }
      List<Long> during = pings(legit, "during");
      long heldOpen =
          stalledTls.stream()
              .filter(
                  c -> {
                    try {
                      return !c.closedWithin(Duration.ofMillis(1));
                    } catch (IOException e) {
                      return false;
                    }
                  })
              .count();

      Duration limit = max(target.frameTimeout(), target.handshakeTimeout()).plus(MARGIN);
      long deadline = openedAt + limit.toNanos();
      int tlsClosed = refused;
      for (RawFrameClient c : stalledTls) {
        if (c.closedWithin(remaining(deadline))) {
          tlsClosed++;
        }
      }
      int tcpClosed = 0;
      for (Socket s : stalledTcp) {
        if (closedWithin(s, remaining(deadline))) {
          tcpClosed++;
        }
      }
      double base = Waits.medianMillis(baseline);
      double att = Waits.medianMillis(during);
      legit.pingRoundTrip("after");
      String figures =
          "legit ping median "
              + Waits.ms(base)
              + " before, "
              + Waits.ms(att)
              + " during ("
              + heldOpen
              + " of "
              + stalledTls.size()
              + " stalled TLS connections still open then); closed within "
              + limit.toSeconds()
              + " s (frame timeout "
              + target.frameTimeout().toSeconds()
              + " s, handshake timeout "
              + target.handshakeTimeout().toSeconds()
              + " s, plus "
              + MARGIN.toSeconds()
              + " s): "
              + tlsClosed
              + "/"
              + AUTHENTICATED
              + " partial-frame"
              + (refused > 0
                  ? " (" + refused + " of them refused at once by the per-user" + " connection cap)"
                  : "")
              + ", "
              + tcpClosed
              + "/"
              + UNAUTHENTICATED
              + " no-handshake";
      if (tlsClosed < AUTHENTICATED || tcpClosed < UNAUTHENTICATED) {
        return Verdict.broken("stalled connections were not all timed out: " + figures);
      }
      if (att > 5 * base + 50) {
        return Verdict.broken("the legitimate client slowed down more than 5x + 50 ms: " + figures);
      }
      return Verdict.held(figures);
    } finally {
      pool.shutdownNow();
      stalledTls.forEach(RawFrameClient::close);
      for (Socket s : stalledTcp) {
        s.close();
      }
    }
  }

  private static List<Long> pings(RawFrameClient c, String prefix) throws Exception {
    List<Long> nanos = new ArrayList<>();
    for (int i = 0; i < PINGS; i++) {
      nanos.add(c.pingRoundTrip(prefix + i));
      Thread.sleep(25); // stays well under the relay's per-user rate limit
    }
    return nanos;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(1_000_000, deadlineNanos - System.nanoTime()));
  }

  private static boolean closedWithin(Socket s, Duration timeout) {
    try {
      s.setSoTimeout((int) timeout.toMillis());
      InputStream in = s.getInputStream();
      while (in.read() != -1) {
        // drain whatever the server says (e.g. an alert) until it closes
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }
}
