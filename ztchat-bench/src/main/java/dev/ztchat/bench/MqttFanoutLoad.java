package dev.ztchat.bench;

import dev.ztchat.core.envelope.EnvelopeFormats;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.pki.UserIdentity;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The same fan-out as {@link ZtFanoutLoad}, over MQTT 3.1.1 to Mosquitto: every receiver subscribes
 * to one topic and the sender publishes the same group envelope bytes to it. QoS 1 keeps up to
 * {@link ZtRelayLoad#WINDOW} publishes unacknowledged; QoS 0 writes whenever the connection is
 * writable. Losses are arrivals that never came.
 */
final class MqttFanoutLoad {
  private static final String TOPIC = "g/team";

  private MqttFanoutLoad() {}

  static Latencies run(
      int port,
      X509Certificate ca,
      UserIdentity sender,
      List<UserIdentity> receivers,
      int messages,
      int textBytes,
      MqttQoS qos,
      Duration deadline)
      throws Exception {
    int n = receivers.size();
    Latencies lat = new Latencies(messages * n);
    CountDownLatch allReceived = new CountDownLatch(messages * n);
    try (Dialer dialer = new Dialer(1)) {
      List<Channel> channels = new ArrayList<>();
      for (int r = 0; r < n; r++) {
        int index = r;
        MqttRelayLoad.Client sub = new MqttRelayLoad.Client(p -> {});
        Channel s = MqttRelayLoad.connect(dialer, port, ca, receivers.get(r), sub);
        sub.onPublish =
            p -> {
              try {
                byte[] env = ByteBufUtil.getBytes(p.payload());
                int m = (int) Envelopes.seqOf(EnvelopeFormats.decodeRoutable(env).messageId());
                if (lat.received(m * n + index)) {
                  allReceived.countDown();
                }
              } catch (MalformedEnvelopeException e) {
                s.close();
              }
              MqttRelayLoad.pubAckIfNeeded(s, p);
            };
        MqttRelayLoad.subscribe(s, sub, qos, TOPIC);
        channels.add(s);
      }
      GroupEnvelopes env =
          new GroupEnvelopes(
              sender.name(), receivers.stream().map(UserIdentity::name).toList(), textBytes);
      byte[][] payloads = new byte[messages][];
      for (int m = 0; m < messages; m++) {
        payloads[m] = env.envelope(m);
      }
      Publisher pub = new Publisher(payloads, n, qos, lat);
      MqttRelayLoad.Client c = new MqttRelayLoad.Client(m -> {});
      Channel ch = MqttRelayLoad.connect(dialer, port, ca, sender, c);
      c.onPubAck = () -> pub.acked(ch);
      c.onWritable = () -> pub.pump(ch);
      channels.add(ch);
      ch.eventLoop().execute(() -> pub.pump(ch));
      allReceived.await(deadline.toMillis(), TimeUnit.MILLISECONDS);
      channels.forEach(Channel::close);
    }
    return lat;
  }

  /** The publishing member. Runs on its channel's event loop only. */
  private static final class Publisher {
    private final byte[][] payloads;
    private final int receivers;
    private final MqttQoS qos;
    private final Latencies lat;
    private int next;
    private int unacked;

    Publisher(byte[][] payloads, int receivers, MqttQoS qos, Latencies lat) {
      this.payloads = payloads;
      this.receivers = receivers;
      this.qos = qos;
      this.lat = lat;
    }

    void acked(Channel ch) {
      unacked--;
      pump(ch);
    }

    void pump(Channel ch) {
      boolean q1 = qos == MqttQoS.AT_LEAST_ONCE;
      while (next < payloads.length && (q1 ? unacked < ZtRelayLoad.WINDOW : ch.isWritable())) {
        var b =
            MqttMessageBuilders.publish()
                .topicName(TOPIC)
                .qos(qos)
                .retained(false)
                .payload(Unpooled.wrappedBuffer(payloads[next]));
        if (q1) {
          b.messageId(next % 60_000 + 1);
          unacked++;
        }
        long now = System.nanoTime();
        for (int r = 0; r < receivers; r++) {
          lat.sent(next * receivers + r, now);
        }
        ch.write(b.build(), ch.voidPromise());
        payloads[next] = null;
        next++;
      }
      ch.flush();
    }
  }
}
