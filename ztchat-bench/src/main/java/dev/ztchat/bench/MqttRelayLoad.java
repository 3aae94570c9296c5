package dev.ztchat.bench;

import dev.ztchat.core.envelope.EnvelopeFormats;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.pki.UserIdentity;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * The same load as {@link ZtRelayLoad}, over MQTT 3.1.1 to Mosquitto: each pair is a publisher and
 * a subscriber to the subscriber's own topic, with the same envelope bytes as payload (those of the
 * {@link Wire} given). QoS 1 keeps up to {@link ZtRelayLoad#WINDOW} publishes unacknowledged
 * (packet ids stay far below 65,535); QoS 0 writes whenever the connection is writable. Publishers
 * run at their full rate or at a fixed offered load ({@link OfferedLoad}). Losses are what never
 * arrived.
 */
final class MqttRelayLoad {
  private MqttRelayLoad() {}

  static Latencies run(
      int port,
      X509Certificate ca,
      Wire wire,
      List<UserIdentity[]> pairs,
      int perPair,
      MqttQoS qos,
      OfferedLoad load,
      Duration deadline)
      throws Exception {
    int total = pairs.size() * perPair;
    Latencies lat = new Latencies(total);
    CountDownLatch allReceived = new CountDownLatch(total);
    try (Dialer dialer = new Dialer(1)) {
      List<Channel> channels = new ArrayList<>();
      for (UserIdentity[] pair : pairs) {
        Client sub = new Client(msg -> {});
        Channel s = connect(dialer, port, ca, pair[1], sub);
        sub.onPublish =
            p -> {
              try {
                byte[] env = ByteBufUtil.getBytes(p.payload());
                if (lat.received(
                    (int) Envelopes.seqOf(EnvelopeFormats.decodeRoutable(env).messageId()))) {
                  allReceived.countDown();
                }
              } catch (MalformedEnvelopeException e) {
                s.close();
              }
              pubAckIfNeeded(s, p);
            };
        subscribe(s, sub, qos, topic(pair[1]));
        channels.add(s);
      }
      List<Publisher> pubs = new ArrayList<>();
      for (int i = 0; i < pairs.size(); i++) {
        LongFunction<byte[]> env = wire.envelopes(pairs.get(i)[0], pairs.get(i)[1]);
        byte[][] payloads = new byte[perPair][];
        for (int k = 0; k < perPair; k++) {
          payloads[k] = env.apply(i * perPair + k);
        }
        Publisher pub =
            new Publisher(i, load, topic(pairs.get(i)[1]), payloads, i * perPair, qos, lat);
        Client c = new Client(m -> {});
        Channel ch = connect(dialer, port, ca, pairs.get(i)[0], c);
        c.onPubAck = () -> pub.acked(ch);
        c.onWritable = () -> pub.pump(ch);
        pub.channel = ch;
        pubs.add(pub);
        channels.add(ch);
      }
      List<Runnable> wake = new ArrayList<>();
      for (Publisher p : pubs) {
        wake.add(() -> p.channel.eventLoop().execute(() -> p.pump(p.channel)));
      }
      load.start();
      wake.forEach(Runnable::run);
      Thread pacer = load.drive(wake, perPair);
      allReceived.await(deadline.toMillis(), TimeUnit.MILLISECONDS);
      OfferedLoad.stop(pacer);
      channels.forEach(Channel::close);
    }
    return lat;
  }

  /** Subscribes {@code s} to {@code topic} and waits for Mosquitto's confirmation. */
  static void subscribe(Channel s, Client sub, MqttQoS qos, String topic)
      throws InterruptedException {
    sub.await = new CountDownLatch(1);
    s.writeAndFlush(
        MqttMessageBuilders.subscribe().messageId(1).addSubscription(qos, topic).build());
    if (!sub.await.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("Mosquitto did not confirm the subscription");
    }
  }

  /** Acknowledges {@code p} on {@code s} when it came at QoS 1. */
  static void pubAckIfNeeded(Channel s, MqttPublishMessage p) {
    if (p.fixedHeader().qosLevel() == MqttQoS.AT_LEAST_ONCE) {
      s.write(
          MqttMessageBuilders.pubAck().packetId(p.variableHeader().packetId()).build(),
          s.voidPromise());
    }
  }

  private static String topic(UserIdentity user) {
    return "u/" + user.name();
  }

  static Channel connect(Dialer dialer, int port, X509Certificate ca, UserIdentity user, Client c)
      throws Exception {
    Channel ch =
        dialer
            .dial(port, Dialer.clientContext(user.signing(), ca), p -> c.install(p))
            .sync()
            .channel();
    ch.writeAndFlush(
        MqttMessageBuilders.connect()
            .clientId(user.name())
            .protocolVersion(MqttVersion.MQTT_3_1_1)
            .cleanSession(true)
            .keepAlive(600)
            .build());
    if (!c.connected.await(30, TimeUnit.SECONDS)) {
      ch.close();
      throw new IllegalStateException(
          "Mosquitto did not accept the MQTT connection of " + user.name());
    }
    return ch;
  }

  /** One publisher's pacing. Runs on its channel's event loop only. */
  private static final class Publisher {
    private final int index;
    private final OfferedLoad load;
    private final String topic;
    private final byte[][] payloads;
    private final int firstSeq;
    private final MqttQoS qos;
    private final Latencies lat;
    Channel channel;
    private int next;
    private int unacked;

    Publisher(
        int index,
        OfferedLoad load,
        String topic,
        byte[][] payloads,
        int firstSeq,
        MqttQoS qos,
        Latencies lat) {
      this.index = index;
      this.load = load;
      this.topic = topic;
      this.payloads = payloads;
      this.firstSeq = firstSeq;
      this.qos = qos;
      this.lat = lat;
    }

    void acked(Channel ch) {
      unacked--;
      pump(ch);
    }

    void pump(Channel ch) {
      boolean q1 = qos == MqttQoS.AT_LEAST_ONCE;
      int due = load.due(index, payloads.length);
      while (next < due && (q1 ? unacked < ZtRelayLoad.WINDOW : ch.isWritable())) {
        var b =
            MqttMessageBuilders.publish()
                .topicName(topic)
                .qos(qos)
                .retained(false)
                .payload(Unpooled.wrappedBuffer(payloads[next]));
        if (q1) {
          b.messageId(next % 60_000 + 1);
          unacked++;
        }
        lat.sent(firstSeq + next, load.scheduledAt(index, next));
        ch.write(b.build(), ch.voidPromise());
        payloads[next] = null;
        next++;
      }
      ch.flush();
    }
  }

  /** The MQTT side of one connection. */
  static final class Client extends SimpleChannelInboundHandler<MqttMessage> {
    final CountDownLatch connected = new CountDownLatch(1);
    volatile CountDownLatch await = new CountDownLatch(1);
    volatile Consumer<MqttPublishMessage> onPublish;
    volatile Runnable onPubAck = () -> {};
    volatile Runnable onWritable = () -> {};

    Client(Consumer<MqttPublishMessage> onPublish) {
      this.onPublish = onPublish;
    }

    void install(ChannelPipeline p) {
      p.addLast("mqttDecoder", new MqttDecoder(1 << 20))
          .addLast("mqttEncoder", MqttEncoder.INSTANCE)
          .addLast("bench", this);
    }

    @Override
    public boolean isSharable() {
      return true;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, MqttMessage msg) {
      MqttMessageType t = msg.fixedHeader().messageType();
      switch (t) {
        case CONNACK -> {
          if (((MqttConnAckMessage) msg).variableHeader().connectReturnCode().byteValue() == 0) {
            connected.countDown();
          } else {
            ctx.close();
          }
        }
        case SUBACK -> await.countDown();
        case PUBLISH -> onPublish.accept((MqttPublishMessage) msg);
        case PUBACK -> onPubAck.run();
        default -> {}
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        onWritable.run();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
