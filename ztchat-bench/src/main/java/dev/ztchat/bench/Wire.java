package dev.ztchat.bench;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import dev.ztchat.core.protocol.ProtocolLimits;
import io.netty.channel.ChannelHandlerContext;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;

/**
 * How the relay and store benches' load clients talk to the relay, as one of the two kinds of
 * client does:
 *
 * <ul>
 *   <li>{@link #v2}, the default between two version-2 peers (docs/v2/envelope.md section 4): each
 *       user connects with a version-2 device certificate, sends {@code features} with {@code
 *       binaryFrames} true and {@code window} 512 (docs/PROTOCOL.md section 9) after {@code
 *       welcome}, and sends version-2 envelopes ({@link GroupEnvelopes} naming the one recipient:
 *       the size of a direct text on an established session) in binary {@code send} frames that
 *       name the recipient's device, so the relay pushes them back as binary {@code deliver}
 *       frames;
 *   <li>{@link #v1}: version-1 envelopes ({@link Envelopes}, RSA-OAEP and RSA-PSS) as base64 in
 *       JSON frames over the user's signing certificate, as before version 2.
 * </ul>
 *
 * Thread-safe: device certificates are issued once per user and kept, so every connection of a user
 * in a run (and in later runs against fresh relays) is the same device.
 */
final class Wire {
  /**
   * {@code -Dztchat.bench.defaultWindow=true}: announce no live window (the relay's default of 64),
   * to compare the two on the same relay.
   */
  private static final boolean DEFAULT_WINDOW = Boolean.getBoolean("ztchat.bench.defaultWindow");

  private final String label;
  private final BenchPki pki;
  private final Map<String, Credential> devices = new ConcurrentHashMap<>();

  private Wire(String label, BenchPki pki) {
    this.label = label;
    this.pki = pki;
  }

  /** Version-1 envelopes in JSON frames. */
  static Wire v1() {
    return new Wire("version 1, JSON frames", null);
  }

  /** Version-2 envelopes in binary frames, over device certificates issued by {@code pki}. */
  static Wire v2(BenchPki pki) {
    return new Wire("version 2, binary frames", requireNonNull(pki, "pki"));
  }

  /** What a figure's name or note says of the format: "version 2, binary frames". */
  String label() {
    return label;
  }

  boolean isV2() {
    return pki != null;
  }

  /** The certificate {@code user} connects with: a device certificate for version 2. */
  Credential tls(UserIdentity user) {
    return isV2() ? devices.computeIfAbsent(user.name(), pki::device) : user.signing();
  }

  /**
   * The envelopes from {@code sender} to {@code recipient}: message number {@code seq} (the number
   * {@link Envelopes#seqOf} reads back from its message id), of a {@link Envelopes#MESSAGE_BYTES}
   * text.
   */
  LongFunction<byte[]> envelopes(UserIdentity sender, UserIdentity recipient) {
    if (isV2()) {
      GroupEnvelopes g =
          new GroupEnvelopes(sender.name(), List.of(recipient.name()), Envelopes.MESSAGE_BYTES);
      return g::envelope;
    }
    Envelopes e = new Envelopes(sender, recipient);
    return e::envelope;
  }

  /**
   * The {@code send} of {@code envelope} to {@code recipient}, with its length prefix, ready to
   * write: a binary {@code send} naming the recipient's device for version 2 (the relay compares
   * the named devices with the recipient's current ones, docs/v2/devices.md section 6.2), JSON for
   * version 1.
   */
  byte[] sendFrame(byte[] envelope, UserIdentity recipient) {
    Frame.Send send =
        isV2()
            ? new Frame.Send(null, envelope, true, List.of(deviceEntry(recipient)))
            : new Frame.Send(null, envelope);
    return ZtFrameHandler.framed(FrameCodec.encode(send));
  }

  /**
   * After {@code welcome}: asks a relay that routes version 2 for binary frames and the largest
   * live window, as the reference client does; returns whether it did (its {@code ok} follows).
   */
  boolean welcomed(ChannelHandlerContext ctx, Frame.Welcome welcome) {
    if (!isV2() || !welcome.versions().contains(2)) {
      return false;
    }
    int window = DEFAULT_WINDOW ? 0 : ProtocolLimits.MAX_LIVE_WINDOW;
    ctx.writeAndFlush(new Frame.Features(null, true, window), ctx.voidPromise());
    return true;
  }

  private String deviceEntry(UserIdentity user) {
    return user.name()
        + ":"
        + HexFormat.of().formatHex(Certificates.sha256(tls(user).certificate()));
  }
}
