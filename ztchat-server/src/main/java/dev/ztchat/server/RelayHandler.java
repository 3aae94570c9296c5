package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.EnvelopeFormats;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.pki.CertificateRejectedException;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.IdentityName;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.MalformedFrameException;
import dev.ztchat.core.protocol.ProtocolLimits;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one authenticated connection's frames: relays envelopes to the recipients' live
 * connections, serves the directory and the online list, accepts the client's encryption
 * certificate. It never reads message contents (it cannot) and never logs them.
 *
 * <p>Envelopes of every version the registry knows ({@link EnvelopeFormats}) take the same path:
 * the relay reads their routing prefix only. A {@code send} whose envelope names a sender other
 * than the connection's identity is a spoofing attempt: logged, dropped silently, connection kept
 * open (docs/PROTOCOL.md section 4.2).
 */
final class RelayHandler extends SimpleChannelInboundHandler<Frame> {
  private static final Logger LOG = LoggerFactory.getLogger(RelayHandler.class);

  private final RelayContext relay;
  private int errors;

  RelayHandler(RelayContext relay) {
    this.relay = requireNonNull(relay, "relay");
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
    String identity = ConnectionIdentity.of(ctx.channel());
    if (identity == null) {
      ctx.close(); // cannot happen after a completed handshake; fail closed
      return;
    }
    switch (frame) {
      case Frame.Send send -> relay(ctx, identity, send);
      case Frame.DirectoryRequest req -> directory(ctx, req);
      case Frame.CrlRequest req -> {
        var crl = relay.revocations().current();
        ctx.writeAndFlush(
            crl == null
                ? new Frame.Error(
                    req.ref(), ErrorCode.NO_CRL, "this server has no revocation list from the CA")
                : new Frame.Revocations(req.ref(), PemFiles.toPem(crl)));
      }
      case Frame.Who who -> who(ctx, identity, who);
      case Frame.Publish pub -> publish(ctx, identity, pub);
      case Frame.Ack ack -> acknowledge(ctx, identity, ack);
      case Frame.Acks acks -> acknowledge(ctx, identity, acks);
      case Frame.Features features -> {
        ConnectionFeatures.binaryFrames(ctx.channel(), features.binaryFrames());
        if (features.window() != 0) {
          relay.deliveries().announceWindow(ctx.channel(), features.window());
        }
        ctx.writeAndFlush(new Frame.Ok(features.ref()));
      }
      case Frame.Ping ping -> ctx.writeAndFlush(new Frame.Pong(ping.ref()));
      case Frame.PublishPrekeys p ->
          answerLater(ctx, relay.prekeys().publish(identity, ctx.channel().remoteAddress(), p));
      case Frame.BundleRequest b ->
          answerLater(ctx, relay.prekeys().bundle(identity, ctx.channel().remoteAddress(), b));
      default ->
          reject(
              ctx,
              new Frame.Error(
                  null,
                  ErrorCode.UNKNOWN_TYPE,
                  "frame type '" + frame.type() + "' is not accepted from clients"),
              false);
    }
  }

  /** The envelopes this read accepted for live recipients go to their connections now. */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    LiveOffers.handOver(ctx.channel());
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    LiveOffers.handOver(ctx.channel());
    ctx.fireChannelInactive();
  }

  /**
   * Answers a payload that is not a valid frame with {@code error}; one that is not even a JSON
   * object also closes the connection (docs/PROTOCOL.md section 4.3). Anything else goes on to the
   * guard.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    String identity = ConnectionIdentity.of(ctx.channel());
    if (!(cause instanceof MalformedPayloadException malformed) || identity == null) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    MalformedFrameException e = malformed.reason();
    relay
        .security()
        .record(
            SecurityEvent.MALFORMED_FRAME,
            identity,
            ctx.channel().remoteAddress(),
            "code",
            e.code().wire(),
            "size",
            malformed.size());
    reject(ctx, new Frame.Error(e.ref(), e.code(), e.getMessage()), e.isUnparseable());
  }

  private void relay(ChannelHandlerContext ctx, String identity, Frame.Send send) {
    byte[] bytes = send.envelope();
    RoutingPrefix header;
    try {
      header = EnvelopeFormats.decodeRoutable(bytes);
    } catch (MalformedEnvelopeException e) {
      reject(
          ctx,
          new Frame.Error(
              send.ref(), ErrorCode.BAD_ENVELOPE, "envelope rejected: " + e.getMessage()),
          false);
      return;
    }
    int deliverable = ProtocolLimits.maxEnvelopeBytes(relay.config().maxFrame());
    if (bytes.length > deliverable) {
      // Only an envelope in a binary send can be this large; every client must be able to take
      // its JSON deliver (docs/v2/envelope.md section 4.4).
      reject(
          ctx,
          new Frame.Error(
              send.ref(),
              ErrorCode.BAD_ENVELOPE,
              "envelope rejected: "
                  + bytes.length
                  + " bytes is more than the "
                  + deliverable
                  + " this relay can deliver to every client"),
          false);
      return;
    }
    if (!header.sender().equals(identity)) {
      relay
          .security()
          .human(
              "[!] Spoofing detected. Connection '"
                  + identity
                  + "' claimed to be '"
                  + header.sender()
                  + "'; packet dropped.");
      relay
          .security()
          .record(
              SecurityEvent.SPOOFING,
              identity,
              ctx.channel().remoteAddress(),
              "claimed",
              header.sender(),
              "recipients",
              String.join(",", header.recipients()),
              "action",
              "dropped");
      return; // silent drop: no answer, nothing forwarded
    }
    if (send.devices() != null) {
      String senderDevice = DeliveryService.deviceOf(ctx.channel());
      var stale =
          DeviceSetCheck.check(
              header,
              send.devices(),
              person ->
                  relay
                      .deliveries()
                      .deviceTargets(
                          person, identity, senderDevice, relay.directory()::currentDeviceIds));
      if (stale.isPresent()) {
        // nothing is stored: the sender refreshes its device list and seals again
        ctx.writeAndFlush(
            new Frame.Error(send.ref(), ErrorCode.STALE_DEVICES, stale.get().message()));
        return;
      }
    }
    relay
        .deliveries()
        .accept(
            ctx.channel(),
            send.ref(),
            header,
            bytes,
            relay.directory()::knows,
            relay.directory()::currentDeviceIds);
  }

  /**
   * Answers {@code who} with the online users among the requester's contacts only
   * (docs/SECURITY.md).
   */
  private void who(ChannelHandlerContext ctx, String identity, Frame.Who who) {
    relay
        .deliveries()
        .contactsOf(identity)
        .whenComplete(
            (contacts, failure) -> {
              if (failure != null) {
                LOG.error("who for {} failed: {}", identity, failure.getMessage());
                ctx.writeAndFlush(
                    new Frame.Error(
                        who.ref(),
                        ErrorCode.INTERNAL,
                        "the server could not answer; try again later"));
              } else {
                ctx.writeAndFlush(
                    new Frame.Online(
                        who.ref(), relay.connections().onlineVisibleTo(identity, contacts)));
              }
            });
  }

  private void acknowledge(ChannelHandlerContext ctx, String identity, Frame.Ack ack) {
    if (!AckRules.valid(ack.sender(), ack.messageId())) {
      reject(
          ctx, new Frame.Error(ack.ref(), ErrorCode.MALFORMED, "ack " + AckRules.BAD_NAME), false);
      return;
    }
    // Only the connection's own queue is touched: an identity can acknowledge nothing of another's.
    relay
        .deliveries()
        .acknowledge(ctx.channel(), identity, ack.ref(), ack.sender(), ack.messageId());
  }

  /** A batch of acknowledgements: taken whole, or refused whole (docs/PROTOCOL.md section 9). */
  private void acknowledge(ChannelHandlerContext ctx, String identity, Frame.Acks acks) {
    String refusal = AckRules.refusal(acks);
    if (refusal != null) {
      reject(ctx, new Frame.Error(acks.ref(), ErrorCode.MALFORMED, refusal), false);
      return;
    }
    relay.deliveries().acknowledge(ctx.channel(), identity, acks.ref(), AckRules.envelopes(acks));
  }

  private void directory(ChannelHandlerContext ctx, Frame.DirectoryRequest req) {
    String user = req.user();
    var entry =
        IdentityName.isValid(user)
            ? relay.directory().lookup(user)
            : Optional.<Directory.Entry>empty();
    if (entry.isEmpty() || entry.get().signing() == null || entry.get().encryption() == null) {
      ctx.writeAndFlush(
          new Frame.Error(
              req.ref(), ErrorCode.UNKNOWN_USER, "no certificates known for that user"));
      return;
    }
    ctx.writeAndFlush(
        new Frame.Certificates(
            req.ref(),
            user,
            PemFiles.toPem(entry.get().signing()),
            PemFiles.toPem(entry.get().encryption()),
            entry.get().earlierSigning().stream().map(PemFiles::toPem).toList()));
  }

  private void publish(ChannelHandlerContext ctx, String identity, Frame.Publish pub) {
    try {
      relay
          .directory()
          .learnPresented(
              identity,
              PemFiles.parseCertificate(pub.encryption()),
              CertificateRole.USER_ENCRYPTION);
      ctx.writeAndFlush(new Frame.Ok(pub.ref()));
    } catch (IOException | CertificateRejectedException e) {
      relay
          .security()
          .record(
              SecurityEvent.BAD_CERTIFICATE,
              identity,
              ctx.channel().remoteAddress(),
              "reason",
              e.getMessage(),
              "action",
              "refused");
      reject(
          ctx,
          new Frame.Error(
              pub.ref(), ErrorCode.BAD_CERTIFICATE, "certificate refused: " + e.getMessage()),
          false);
    }
  }

  /**
   * Writes an answer computed off the event loop. An {@code error} for bad input counts towards the
   * connection's error limit like any other (docs/PROTOCOL.md section 4.3); one that only reports a
   * state ({@code no_prekeys}, {@code unknown_user}, {@code rate_limited}...) does not, as with
   * {@code directory}.
   */
  private void answerLater(ChannelHandlerContext ctx, CompletableFuture<Frame> answer) {
    answer.thenAccept(
        frame ->
            ctx.executor()
                .execute(
                    () -> {
                      if (frame instanceof Frame.Error e
                          && (e.code() == ErrorCode.MALFORMED
                              || e.code() == ErrorCode.BAD_PREKEY
                              || e.code() == ErrorCode.BAD_CERTIFICATE)) {
                        reject(ctx, e, false);
                      } else {
                        ctx.writeAndFlush(frame);
                      }
                    }));
  }

  private void reject(ChannelHandlerContext ctx, Frame.Error error, boolean fatal) {
    errors++;
    if (errors >= ProtocolLimits.MAX_ERRORS_PER_CONNECTION) {
      relay
          .security()
          .record(
              SecurityEvent.TOO_MANY_ERRORS,
              ConnectionIdentity.of(ctx.channel()),
              ctx.channel().remoteAddress(),
              "errors",
              errors,
              "action",
              "closed");
      fatal = true;
    }
    var f = ctx.writeAndFlush(error);
    if (fatal) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }
}
