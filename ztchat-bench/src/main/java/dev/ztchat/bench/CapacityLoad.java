package dev.ztchat.bench;

import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.protocol.Frame;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens and holds many authenticated connections, each with its own user certificate, at most
 * {@link #IN_FLIGHT} handshakes at a time. A connection counts once the server showed it accepted
 * it: ztchat's welcome, MQTT's CONNACK, or (nginx) a completed TLS handshake.
 */
final class CapacityLoad implements AutoCloseable {
  /** Handshakes in progress at once. */
  static final int IN_FLIGHT = 32;

  /** What the connections talk. */
  enum Kind {
    ZTCHAT,
    MQTT,
    TLS
  }

  private final Dialer dialer = new Dialer(2);
  private final List<Channel> channels = new ArrayList<>();
  final AtomicInteger delivered = new AtomicInteger();

  /** Opens one connection per user; returns how many the server accepted within the time limit. */
  int open(int port, X509Certificate ca, List<UserIdentity> users, Kind kind, long timeoutSeconds)
      throws Exception {
    Semaphore slots = new Semaphore(IN_FLIGHT);
    CountDownLatch all = new CountDownLatch(users.size());
    AtomicInteger ok = new AtomicInteger();
    for (UserIdentity u : users) {
      slots.acquire();
      boolean[] once = new boolean[1];
      Runnable accepted =
          () -> {
            if (!once[0]) {
              once[0] = true;
              ok.incrementAndGet();
              slots.release();
              all.countDown();
            }
          };
      var f =
          dialer.dial(
              port,
              Dialer.clientContext(u.signing(), ca),
              p -> {
                switch (kind) {
                  case ZTCHAT ->
                      ZtFrameHandler.install(
                          p,
                          new ZtFrameHandler.Listener() {
                            @Override
                            public void onFrame(ChannelHandlerContext ctx, Frame frame) {
                              if (frame instanceof Frame.Welcome) {
                                accepted.run();
                              } else if (frame instanceof Frame.Deliver) {
                                delivered.incrementAndGet();
                              }
                            }
                          });
                  case MQTT -> new MqttRelayLoad.Client(m -> {}).install(p);
                  case TLS ->
                      p.addLast(
                          new ChannelInboundHandlerAdapter() {
                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                              if (evt instanceof SslHandshakeCompletionEvent e && e.isSuccess()) {
                                accepted.run();
                              }
                              ctx.fireUserEventTriggered(evt);
                            }
                          });
                }
              });
      Channel ch = f.channel();
      f.addListener(
          done -> {
            if (!done.isSuccess()) {
              if (!once[0]) {
                once[0] = true;
                slots.release();
                all.countDown();
              }
            } else if (kind == Kind.MQTT) {
              MqttRelayLoad.Client c = ch.pipeline().get(MqttRelayLoad.Client.class);
              ch.writeAndFlush(
                  MqttMessageBuilders.connect()
                      .clientId(u.name())
                      .protocolVersion(MqttVersion.MQTT_3_1_1)
                      .cleanSession(true)
                      .keepAlive(0)
                      .build());
              Thread.ofVirtual()
                  .start(
                      () -> {
                        try {
                          if (c.connected.await(60, TimeUnit.SECONDS)) {
                            accepted.run();
                          }
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        }
                      });
            }
          });
      ch.closeFuture()
          .addListener(
              c -> {
                if (!once[0]) {
                  once[0] = true;
                  slots.release();
                  all.countDown();
                }
              });
      channels.add(ch);
    }
    all.await(timeoutSeconds, TimeUnit.SECONDS);
    return ok.get();
  }

  /** Connections still open. */
  int open() {
    return (int) channels.stream().filter(Channel::isActive).count();
  }

  @Override
  public void close() {
    channels.forEach(Channel::close);
    dialer.close();
  }
}
