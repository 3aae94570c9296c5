package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import dev.ztchat.core.protocol.MalformedFrameException;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.remedy.Remedy;
import dev.ztchat.core.remedy.RemedyIOException;
import dev.ztchat.core.transport.FrameDecoder;
import dev.ztchat.core.transport.FrameEncoder;
import dev.ztchat.core.transport.FrameTooLargeException;
import dev.ztchat.core.transport.TlsContexts;
import dev.ztchat.core.transport.TlsSettings;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.IOException;
import java.net.ConnectException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One mutual-TLS connection to the relay: sends requests and matches answers by {@code ref}, passes
 * pushed envelopes to a listener, keeps itself alive with pings. It knows frames, not messages:
 * sealing and opening happen above it ({@link ChatClient}).
 *
 * <p>Security guarantees: a relay cannot make it hold more than a bounded amount of memory. Frames
 * are bounded before the welcome and, after it, by what a genuine relay with the announced {@code
 * maxFrame} sends (docs/PROTOCOL.md section 3); a larger frame closes the connection. While {@link
 * #PAUSE_READING_AT} pushed envelopes wait to be processed ({@link #deliveryProcessed}), it stops
 * reading from the socket, so a flood waits in the relay's buffers.
 */
public final class RelayConnection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RelayConnection.class);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration FRAME_TIMEOUT = Duration.ofSeconds(30);
  private static final String FRAME_DECODER = "frameDecoder";

  private final EventLoopGroup group;
  private final Channel channel;
  private final RelayEndpoints.Endpoint relay;
  private final Frame.Welcome welcome;
  private final Map<String, CompletableFuture<Frame>> pending = new ConcurrentHashMap<>();
  private final AtomicLong refs = new AtomicLong();
  private Consumer<byte[]> deliveries; // guarded by this; null until set: deliveries wait in early
  private final List<byte[]> early = new ArrayList<>();
  private volatile Consumer<Throwable> onClose = t -> {};

  /** Largest frame accepted before the {@code welcome}: a welcome is a short JSON object. */
  static final int BEFORE_WELCOME_MAX_FRAME = 1024;

  /**
   * Bytes a {@code deliver} frame may exceed the relay's {@code maxFrame} by: the envelope fit in a
   * {@code send} of at most {@code maxFrame} bytes, and {@code deliver} wraps it in a few more.
   */
  static final int DELIVER_OVERHEAD = ProtocolLimits.DELIVER_OVERHEAD;

  /**
   * Received envelopes not yet processed at which the client stops reading from the socket. A
   * genuine relay keeps far fewer unacknowledged (docs/PROTOCOL.md section 9), so only a flood
   * reaches it.
   */
  static final int PAUSE_READING_AT = 128;

  /** ... and at which it reads again. */
  static final int RESUME_READING_AT = 32;

  /**
   * The live window this client announces (docs/PROTOCOL.md section 9): as large as it can be while
   * a genuine relay can never make it stop reading. Envelopes waiting to be processed are never
   * more than those pushed and unacknowledged, so at this window they stay under {@link
   * #PAUSE_READING_AT}; a pause would also hold back the answers that processing waits for (a
   * sender's certificates).
   */
  static final int LIVE_WINDOW = PAUSE_READING_AT - 1;

  private final AtomicInteger unprocessed = new AtomicInteger();
  private volatile boolean readingPaused; // written on the event loop only

  private RelayConnection(
      EventLoopGroup group, Channel channel, RelayEndpoints.Endpoint relay, Frame.Welcome welcome) {
    this.group = group;
    this.relay = relay;
    this.channel = channel;
    this.welcome = welcome;
  }

  /**
   * Connects, completes the handshake (presenting {@code me}, trusting only {@code rootCa} for the
   * server and checking its host name) and waits for {@code welcome}.
   */
  public static RelayConnection connect(
      String host, int port, Credential me, X509Certificate rootCa) throws IOException {
    SslContext ssl;
    try {
      ssl = TlsContexts.client(me, rootCa, TlsSettings.provider());
    } catch (SSLException e) {
      throw new IOException("cannot set up TLS: " + e.getMessage(), e);
    }
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    CompletableFuture<Frame.Welcome> welcomed = new CompletableFuture<>();
    Inbound inbound = new Inbound(welcomed);
    try {
      Channel ch =
          new Bootstrap()
              .group(group)
              .channel(NioSocketChannel.class)
              .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
              .option(ChannelOption.TCP_NODELAY, true)
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                      SslHandler tls = ssl.newHandler(c.alloc(), host, port);
                      c.pipeline()
                          .addLast("tls", tls)
                          .addLast(
                              FRAME_DECODER,
                              new FrameDecoder(BEFORE_WELCOME_MAX_FRAME, FRAME_TIMEOUT))
                          .addLast("frameEncoder", FrameEncoder.INSTANCE)
                          .addLast("inbound", inbound);
                    }
                  })
              .connect(host, port)
              .sync()
              .channel();
      // Later on the event loop: a TLS alert that closes the channel reaches exceptionCaught
      // after this listener would run, and the alert says more than the close.
      IOException closedEarly =
          new IOException(
              "the server closed the connection during the handshake"
                  + " (is your certificate issued by the server's CA, valid, and not revoked?)");
      ch.closeFuture()
          .addListener(
              f -> {
                try {
                  ch.eventLoop().execute(() -> welcomed.completeExceptionally(closedEarly));
                } catch (RejectedExecutionException shuttingDown) {
                  welcomed.completeExceptionally(closedEarly);
                }
              });
      Frame.Welcome w = welcomed.get(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      RelayConnection conn =
          new RelayConnection(group, ch, new RelayEndpoints.Endpoint(host, port), w);
      // On the event loop, so frames that came right after the welcome are handled first, in order.
      ch.eventLoop().submit(() -> inbound.attach(conn)).sync();
      if (w.routes(V2Envelope.VERSION)) {
        // Envelopes of later versions may then come as bytes rather than base64 in JSON; and more
        // than the default window may be pushed unacknowledged.
        conn.sendOneWay(new Frame.Features(null, true, LIVE_WINDOW));
      }
      conn.startKeepAlive();
      return conn;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new IOException("interrupted while connecting", e);
    } catch (Exception e) {
      // Not only the declared ones: sync() rethrows the connect failure (a ConnectException)
      // undeclared.
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      var refusal = CertificateRefusedException.fromAlert(cause);
      if (refusal.isPresent()) {
        throw refusal.get();
      }
      String message = "cannot connect to " + host + ":" + port + ": " + describe(cause);
      throw isRefused(cause)
          ? new RemedyIOException(message, Remedy.of(Remedy.Kind.START_RELAY), cause)
          : new IOException(message, cause);
    }
  }

  /**
   * The largest frame a genuine relay with this {@code maxFrame} pushes unasked: a {@code deliver}
   * of an envelope that fit in a {@code send} (docs/PROTOCOL.md section 3).
   */
  static int deliverLimit(int maxFrame) {
    return Math.min(
        ProtocolLimits.CLIENT_MAX_INBOUND_FRAME, Math.max(0, maxFrame) + DELIVER_OVERHEAD);
  }

  private static boolean isRefused(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c instanceof ConnectException;
  }

  private static String describe(Throwable t) {
    if (t instanceof TimeoutException) {
      return "no answer from the server within " + CONNECT_TIMEOUT.toSeconds() + " s";
    }
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    if (c instanceof ConnectException) {
      return "connection refused";
    }
    if (m.contains("PKIX")
        || m.contains("CERTIFICATE_VERIFY_FAILED")
        || m.contains("certificate_unknown")) {
      return "the server's certificate is not from your CA or does not match the host name ("
          + m
          + ")";
    }
    return t.getMessage() == null ? m : t.getMessage();
  }

  /** Connects to {@code relay}, as {@link #connect(String, int, Credential, X509Certificate)}. */
  public static RelayConnection connect(
      RelayEndpoints.Endpoint relay, Credential me, X509Certificate rootCa) throws IOException {
    return connect(relay.host(), relay.port(), me, rootCa);
  }

  /** The relay this connection goes to. */
  public RelayEndpoints.Endpoint relay() {
    return relay;
  }

  /** The certificate the server presented (already verified by the handshake), or null. */
  public X509Certificate serverCertificate() {
    try {
      var peer =
          channel.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates();
      return peer.length > 0 && peer[0] instanceof X509Certificate x ? x : null;
    } catch (SSLPeerUnverifiedException | RuntimeException e) {
      return null;
    }
  }

  /**
   * The envelope versions the relay announced it routes (docs/v2/envelope.md section 5); version 1
   * alone when it announced none.
   */
  public List<Integer> relayVersions() {
    return welcome.versions().isEmpty() ? List.of(1) : welcome.versions();
  }

  /** The server's welcome: my identity as the server bound it, and its limits. */
  public Frame.Welcome welcome() {
    return welcome;
  }

  /**
   * Where pushed envelopes go (called on the network thread; keep it quick). Envelopes the relay
   * pushed before this was set (it starts right after the welcome) are handed over now, in order.
   */
  public synchronized void onDelivery(Consumer<byte[]> listener) {
    this.deliveries = requireNonNull(listener, "listener");
    early.forEach(listener);
    early.clear();
  }

  /** Called on the event loop for each pushed envelope, before it is handed on. */
  private synchronized void delivered(byte[] envelope) {
    if (unprocessed.incrementAndGet() >= PAUSE_READING_AT && !readingPaused) {
      // Backpressure: the relay's writes now wait in its own buffers, not in this client's heap.
      readingPaused = true;
      channel.config().setAutoRead(false);
      LOG.debug("{} received envelopes wait to be processed: reading paused", unprocessed.get());
    }
    if (deliveries == null) {
      early.add(envelope);
    } else {
      deliveries.accept(envelope);
    }
  }

  /**
   * Says that one envelope handed to the delivery listener has been processed (any thread): once
   * few enough wait, reading from the relay resumes. Every delivered envelope must be reported
   * exactly once.
   */
  public void deliveryProcessed() {
    if (unprocessed.decrementAndGet() <= RESUME_READING_AT && readingPaused && channel.isActive()) {
      try {
        channel
            .eventLoop()
            .execute(
                () -> {
                  if (readingPaused && unprocessed.get() <= RESUME_READING_AT) {
                    readingPaused = false;
                    channel.config().setAutoRead(true);
                  }
                });
      } catch (RejectedExecutionException closed) {
        // the connection is gone: nothing to resume
      }
    }
  }

  /** Envelopes delivered and not yet reported processed. */
  int unprocessedDeliveries() {
    return unprocessed.get();
  }

  /** Whether the client has stopped reading from the relay because too many envelopes wait. */
  boolean readingPaused() {
    return readingPaused;
  }

  /** Called when the connection closes, with the reason (at once if it is already closed). */
  public void onClose(Consumer<Throwable> listener) {
    this.onClose = requireNonNull(listener, "listener");
    if (!channel.isActive()) {
      listener.accept(null);
    }
  }

  public boolean isOpen() {
    return channel.isActive();
  }

  /** A fresh request reference. */
  public String nextRef() {
    return "r" + refs.incrementAndGet();
  }

  /**
   * Sends a request that carries {@code ref} and returns its answer, or an {@code error} frame as
   * {@link RelayException}. A request the server drops without answer times out.
   */
  public Frame request(Frame request, String ref, Duration timeout) throws IOException {
    CompletableFuture<Frame> answer = new CompletableFuture<>();
    pending.put(ref, answer);
    try {
      channel.writeAndFlush(request).sync();
      Frame f = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (f instanceof Frame.Error e) {
        throw new RelayException(e.code(), e.message());
      }
      return f;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io
          ? io
          : new IOException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("no answer from the server within " + timeout.toSeconds() + " s");
    } catch (RuntimeException e) {
      throw new IOException("connection to the server failed: " + e.getMessage(), e);
    } finally {
      pending.remove(ref);
    }
  }

  /**
   * Sends a request that carries {@code ref} without waiting; the future completes with the answer
   * (an {@code error} answer completes it exceptionally with {@link RelayException}).
   */
  public CompletableFuture<Frame> requestAsync(Frame request, String ref) {
    CompletableFuture<Frame> answer = new CompletableFuture<>();
    pending.put(ref, answer);
    channel
        .writeAndFlush(request)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                answer.completeExceptionally(
                    new IOException("could not send to the server: " + f.cause().getMessage()));
              }
            });
    return answer
        .whenComplete((f, e) -> pending.remove(ref))
        .thenCompose(
            f ->
                f instanceof Frame.Error e
                    ? CompletableFuture.failedFuture(new RelayException(e.code(), e.message()))
                    : CompletableFuture.completedFuture(f));
  }

  /** Sends a frame without waiting for an answer. */
  public void sendOneWay(Frame frame) {
    channel.writeAndFlush(frame);
  }

  private void startKeepAlive() {
    long every = Math.max(1, welcome.idleTimeoutSeconds() / 3);
    channel
        .eventLoop()
        .scheduleAtFixedRate(
            () -> channel.writeAndFlush(new Frame.Ping(null)), every, every, TimeUnit.SECONDS);
  }

  private void closed(Throwable why) {
    IOException e =
        new IOException(
            "connection to the server closed" + (why == null ? "" : ": " + why.getMessage()));
    pending.values().forEach(f -> f.completeExceptionally(e));
    onClose.accept(why);
  }

  // ---- prekeys (docs/v2/prekeys.md) ----

  /** How long the relay may take to answer a prekey request. */
  private static final Duration PREKEY_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Publishes prekeys of this identity's device {@code device} (hex SHA-256 of its certificate's
   * DER) and returns what the relay holds for it afterwards. {@code certificate} (DER) is needed
   * with the device's first publication; it and the signed and last-resort prekeys may be null,
   * {@code oneTime} empty (then this only asks what the relay holds). Each prekey is the device's
   * signed encoding, sent and stored byte for byte: nothing here signs or checks it.
   *
   * @throws IllegalArgumentException when the frame would exceed the relay's {@code maxFrame}: send
   *     fewer prekeys per call
   * @throws RelayException when the relay refuses (its {@link RelayException#code()} says why:
   *     {@code bad_prekey}, {@code bad_certificate}, {@code too_many_prekeys}, ...)
   */
  public Frame.PrekeyStock publishPrekeys(
      String device,
      byte[] certificate,
      byte[] signedPrekey,
      byte[] lastResort,
      List<byte[]> oneTime)
      throws IOException {
    String ref = nextRef();
    Frame.PublishPrekeys request =
        new Frame.PublishPrekeys(ref, device, certificate, signedPrekey, lastResort, oneTime);
    int size = FrameCodec.encode(request).length;
    if (size > welcome.maxFrame()) {
      throw new IllegalArgumentException(
          "a publication of "
              + size
              + " bytes exceeds the relay's frame limit of "
              + welcome.maxFrame()
              + " bytes: send fewer prekeys at a time");
    }
    Frame answer = request(request, ref, PREKEY_TIMEOUT);
    if (!(answer instanceof Frame.PrekeyStock stock)) {
      throw new IOException("the server answered a prekey publication with something else");
    }
    return stock;
  }

  /**
   * Asks the relay for a prekey bundle of one of {@code user}'s devices. The bundle's prekeys are
   * exactly what that device published, unverified: the caller verifies the certificate and the
   * signatures before using any of it.
   *
   * @throws RelayException {@code unknown_user}, {@code no_prekeys} (the user has published none,
   *     or their device certificate is no longer valid), {@code rate_limited}
   */
  public Frame.PrekeyBundle fetchBundle(String user) throws IOException {
    return fetchBundle(user, null);
  }

  /**
   * As {@link #fetchBundle(String)} for {@code user}'s device {@code device} (64 hex digits; null
   * for the newest). The answer's list of devices holds the user's current devices as the relay
   * sees them (docs/v2/devices.md section 5); it is the relay's word, not the CA's.
   */
  public Frame.PrekeyBundle fetchBundle(String user, String device) throws IOException {
    String ref = nextRef();
    Frame answer = request(new Frame.BundleRequest(ref, user, device), ref, PREKEY_TIMEOUT);
    if (!(answer instanceof Frame.PrekeyBundle bundle)
        || !bundle.user().equals(user)
        || (device != null && !bundle.device().equals(device))) {
      throw new IOException(
          "the server answered the bundle request for '" + user + "' with something else");
    }
    return bundle;
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }

  /** Inbound frames: the welcome, answers by ref, pushed envelopes. */
  private static final class Inbound extends SimpleChannelInboundHandler<ByteBuf> {
    private final CompletableFuture<Frame.Welcome> welcomed;
    private volatile RelayConnection conn;
    private Throwable failure;
    private volatile String lastUnsolicitedError;
    private int deliverLimit = BEFORE_WELCOME_MAX_FRAME; // event loop only
    private int maxFrame; // as announced in the welcome; event loop only

    Inbound(CompletableFuture<Frame.Welcome> welcomed) {
      this.welcomed = welcomed;
    }

    private final List<Frame> beforeAttach = new ArrayList<>();

    void attach(RelayConnection c) {
      this.conn = c;
      beforeAttach.forEach(f -> dispatch(c, f));
      beforeAttach.clear();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf payload) {
      int size = payload.readableBytes();
      Frame frame;
      try {
        frame = FrameCodec.decode(ByteBufUtil.getBytes(payload));
      } catch (MalformedFrameException e) {
        LOG.warn("ignoring a malformed frame from the server: {}", e.getMessage());
        return;
      }
      if (frame instanceof Frame.Welcome w) {
        if (!welcomed.isDone()) {
          maxFrame = w.maxFrame();
          deliverLimit = deliverLimit(maxFrame);
          // Answers (certificates, revocation lists) may be longer than any deliver; each is
          // checked against a request of ours below.
          ctx.pipeline()
              .replace(
                  FRAME_DECODER,
                  FRAME_DECODER,
                  new FrameDecoder(ProtocolLimits.CLIENT_MAX_INBOUND_FRAME, FRAME_TIMEOUT));
          welcomed.complete(w);
        }
        return;
      }
      if (frame instanceof Frame.Error e && !welcomed.isDone()) {
        // Refused instead of welcomed (a connection cap): its words beat the close's guess.
        welcomed.completeExceptionally(
            new IOException(
                "the server refused the connection: "
                    + String.valueOf(e.message()).replaceAll("[\\p{Cntrl}\\p{Cf}]", "?")));
        return;
      }
      RelayConnection c = conn;
      if (size > deliverLimit && !answersARequest(c, frame)) {
        refuse(
            ctx,
            new IOException(
                "the server sent a "
                    + frame.type()
                    + " frame of "
                    + size
                    + " bytes, larger than any genuine one can be (at most "
                    + deliverLimit
                    + " bytes with its maxFrame of "
                    + maxFrame
                    + "); the connection was closed"));
        return;
      }
      if (c == null) {
        beforeAttach.add(frame); // e.g. stored envelopes pushed right after the welcome
        return;
      }
      dispatch(c, frame);
    }

    private static boolean answersARequest(RelayConnection c, Frame frame) {
      return c != null
          && !(frame instanceof Frame.Deliver)
          && frame.ref() != null
          && c.pending.containsKey(frame.ref());
    }

    private void refuse(ChannelHandlerContext ctx, IOException why) {
      LOG.debug("{}", why.getMessage()); // the user hears it as the reason the connection closed
      failure = why;
      welcomed.completeExceptionally(why);
      ctx.close();
    }

    private void dispatch(RelayConnection c, Frame frame) {
      switch (frame) {
        case Frame.Deliver d -> c.delivered(d.envelope());
        case Frame.Pong p when p.ref() == null -> {}
        default -> {
          String ref = frame.ref();
          CompletableFuture<Frame> f = ref == null ? null : c.pending.get(ref);
          if (f != null) {
            f.complete(frame);
          } else if (frame instanceof Frame.Error e) {
            LOG.debug("server reported an error: {} ({})", e.message(), e.code().wire());
            lastUnsolicitedError = e.message(); // e.g. why the server is about to close
          }
        }
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof SslHandshakeCompletionEvent h && !h.isSuccess()) {
        failure = h.cause();
        welcomed.completeExceptionally(h.cause());
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof FrameTooLargeException big) {
        refuse(
            ctx,
            new IOException(
                "the server sent a frame larger than a client accepts ("
                    + big.getMessage()
                    + "); the connection was closed",
                big));
        return;
      }
      failure = cause;
      welcomed.completeExceptionally(cause);
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      RelayConnection c = conn;
      if (c != null) {
        // The server's last word (e.g. "your certificate was revoked by the CA") says more than
        // an anonymous close.
        String said = lastUnsolicitedError;
        c.closed(
            failure == null && said != null
                ? new IOException("the server said: " + said)
                : failure);
      }
      super.channelInactive(ctx);
    }
  }

  /** The server answered a request with an {@code error} frame. */
  public static final class RelayException extends IOException {
    private final ErrorCode code;

    RelayException(ErrorCode code, String message) {
      super(message);
      this.code = code;
    }

    public ErrorCode code() {
      return code;
    }
  }
}
