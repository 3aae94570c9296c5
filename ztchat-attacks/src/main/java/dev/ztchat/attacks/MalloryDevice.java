package dev.ztchat.attacks;

import dev.ztchat.core.conversation.InMemorySessionStore;
import dev.ztchat.core.conversation.RecipientDevice;
import dev.ztchat.core.conversation.V2Device;
import dev.ztchat.core.conversation.V2MessageSealer;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.MalformedFrameException;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.session.PrekeyBundle;
import dev.ztchat.core.session.PrekeyStore;
import dev.ztchat.core.session.SignedPrekey;
import dev.ztchat.core.testkit.RawFrameClient;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A member's own modified client: a CA-issued device of {@code owner} (a second device of that
 * member, minted for the attack) driven frame by frame through the {@link InterceptingRelay}, that
 * seals any content it likes with the core sealer, under any sender name it likes, to the current
 * devices of the persons it names (their bundles fetched from the relay, as any client does).
 */
final class MalloryDevice implements AutoCloseable {
  private final SecureRandom random = new SecureRandom();
  private final Credential device;
  private final RawFrameClient connection;
  private int refs;

  private MalloryDevice(Credential device, RawFrameClient connection) {
    this.device = device;
    this.connection = connection;
  }

  /** Connects a new device of {@code owner} through {@code relay}. */
  static MalloryDevice connect(AttackTarget target, InterceptingRelay relay, String owner)
      throws Exception {
    Credential device = Victims.newDevice(target, owner);
    relay.addDevice(device);
    try {
      return new MalloryDevice(
          device,
          RawFrameClient.connectWelcomed(
              "localhost", relay.port(), device, target.caCertificate()));
    } catch (Exception e) {
      throw new CouldNotRunException(
          "could not connect a device of " + owner + " through the relay: " + e.getMessage());
    }
  }

  /**
   * Seals {@code content} with this device's key, the prefix naming {@code claimedSender} (the
   * device's owner, or anyone: the signature is this device's all the same), to the newest device
   * of each of {@code to}, each session started from a fresh bundle.
   */
  V2Envelope seal(MessageContent content, String claimedSender, List<String> to) throws Exception {
    DeviceKey key = new DeviceKey(device.privateKey(), device.certificate());
    V2Device me =
        new V2Device(
            claimedSender,
            key,
            PrekeyStore.generate(key, 1, Clock.systemUTC().instant(), random),
            new InMemorySessionStore());
    List<RecipientDevice> devices = new ArrayList<>();
    List<PrekeyBundle> bundles = new ArrayList<>();
    for (String user : to) {
      String ref = "mallory-bundle-" + ++refs;
      connection.send(new Frame.BundleRequest(ref, user));
      Frame.PrekeyBundle b = bundleAnswer(ref, user);
      devices.add(new RecipientDevice(user, HexFormat.of().parseHex(b.device())));
      bundles.add(
          new PrekeyBundle(
              b.certificate(),
              SignedPrekey.decode(b.signedPrekey()),
              SignedPrekey.decode(b.kemPrekey())));
    }
    return new V2MessageSealer(me, Clock.systemUTC(), random, connection.welcome().maxFrame())
        .seal(content, devices, bundles);
  }

  private Frame.PrekeyBundle bundleAnswer(String ref, String user) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      Frame f;
      try {
        f = connection.read(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
      } catch (SocketTimeoutException e) {
        break;
      } catch (MalformedFrameException e) {
        continue;
      }
      if (f instanceof Frame.PrekeyBundle b && ref.equals(b.ref())) {
        return b;
      }
      if (f instanceof Frame.Error e && ref.equals(e.ref())) {
        throw new CouldNotRunException(
            "the relay gave no prekey bundle of " + user + ": " + e.message());
      }
    }
    throw new CouldNotRunException("the relay gave no prekey bundle of " + user);
  }

  /**
   * {@code envelope} with its prefix naming {@code sender} instead, signed again by this device: a
   * valid signature, by a device that is not {@code sender}'s.
   */
  V2Envelope resignedAs(V2Envelope envelope, String sender) throws Exception {
    RoutingPrefix p = envelope.prefix();
    RoutingPrefix renamed =
        new RoutingPrefix(p.version(), sender, p.recipients(), p.timestampMillis(), p.messageId());
    DeviceKey key = new DeviceKey(device.privateKey(), device.certificate());
    byte[] signature = key.signEnvelope(V2Envelope.signedBytes(renamed, envelope.body()), random);
    return new V2Envelope(renamed, envelope.body(), signature);
  }

  /** Sends {@code envelope} through the relay as an ordinary {@code send}; the relay's answer. */
  Frame send(V2Envelope envelope) throws Exception {
    String ref = "mallory-send-" + ++refs;
    connection.send(new Frame.Send(ref, envelope.encode(), true, null));
    Frame answer = connection.answerTo(ref, Duration.ofSeconds(10));
    if (answer == null) {
      throw new CouldNotRunException("the relay did not answer the member's send");
    }
    return answer;
  }

  @Override
  public void close() {
    connection.close();
  }
}
