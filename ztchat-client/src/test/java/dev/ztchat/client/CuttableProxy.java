package dev.ztchat.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP proxy on loopback in front of a real relay, for losing a relay's answer on purpose: after
 * {@link #loseAnswersAndCut(boolean)}, the client's next large write (a {@code send} frame, not a
 * small request such as {@code crl}) is passed on to the relay, every byte from the relay is
 * dropped from then on, and the connection is cut once the relay's answer (sent after it stored the
 * envelope) was dropped. The TLS session runs end to end through it, untouched.
 */
final class CuttableProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int target;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private static final int LARGE_WRITE =
      600; // a send frame with a 2048-bit test key is ~900 bytes; a crl request ~60
  private final AtomicBoolean cutArmed = new AtomicBoolean();
  private final AtomicBoolean dropping = new AtomicBoolean();

  /** Counted down when bytes from the relay were dropped: its answer to the cut write came. */
  private final CountDownLatch answerDropped = new CountDownLatch(1);

  private volatile boolean relayGetsIt;

  CuttableProxy(int targetPort) throws IOException {
    this.target = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::acceptLoop, "proxy-accept");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  /**
   * The client's next large write reaches the relay (or, with {@code relayGetsIt} false, is lost
   * too); the answer and everything after it are lost, then the connection is cut.
   */
  void loseAnswersAndCut(boolean relayGetsIt) {
    this.relayGetsIt = relayGetsIt;
    cutArmed.set(true);
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
        sockets.add(client);
        sockets.add(server);
        pump(client, server, true);
        pump(server, client, false);
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to, boolean clientToServer) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16384];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                  if (!clientToServer && dropping.get()) {
                    answerDropped.countDown();
                    continue; // the answer is lost
                  }
                  boolean cut =
                      clientToServer && n >= LARGE_WRITE && cutArmed.compareAndSet(true, false);
                  if (cut) {
                    dropping.set(true);
                  }
                  if (!cut || relayGetsIt) {
                    out.write(buf, 0, n);
                    out.flush();
                  }
                  if (cut) {
                    if (relayGetsIt) {
                      // the relay answers once it stored what it got; bounded, in case it never
                      // does
                      answerDropped.await(10, TimeUnit.SECONDS);
                    }
                    from.close();
                    to.close();
                    dropping.set(false);
                    return;
                  }
                }
              } catch (IOException | InterruptedException e) {
                // closed
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }
}
