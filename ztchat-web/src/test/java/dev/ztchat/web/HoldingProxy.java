package dev.ztchat.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback in front of a real relay that can hold back what the relay sends: while
 * {@link #holdAnswers(boolean)} is on, bytes from the relay wait in the proxy, so a message the
 * client sent is stored by the relay but its answer has not come yet (the window says "sending").
 * The TLS session runs end to end through it, untouched.
 */
final class HoldingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int target;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Object gate = new Object();
  private boolean holding; // guarded by gate

  HoldingProxy(int targetPort) throws IOException {
    this.target = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().name("proxy-accept").start(this::acceptLoop);
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Holds (true) or lets through (false) what the relay sends to the client. */
  void holdAnswers(boolean hold) {
    synchronized (gate) {
      holding = hold;
      gate.notifyAll();
    }
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket relay = new Socket(InetAddress.getLoopbackAddress(), target);
        sockets.add(client);
        sockets.add(relay);
        Thread.ofPlatform().daemon().start(() -> pump(client, relay, false));
        Thread.ofPlatform().daemon().start(() -> pump(relay, client, true));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void pump(Socket from, Socket to, boolean fromRelay) {
    byte[] buf = new byte[16 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        if (fromRelay) {
          awaitGate();
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // one side closed: close both
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private void awaitGate() throws InterruptedException {
    synchronized (gate) {
      while (holding) {
        gate.wait();
      }
    }
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
    holdAnswers(false);
    listener.close();
    sockets.forEach(HoldingProxy::closeQuietly);
  }
}
