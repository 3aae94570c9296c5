package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.ContentKind;
import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeOpener;
import dev.ztchat.core.envelope.EnvelopeRejectedException;
import dev.ztchat.core.envelope.EnvelopeSealer;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RecipientKey;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.envelope.ReplayGuard;
import dev.ztchat.core.envelope.RsaOaepAesGcmOpener;
import dev.ztchat.core.envelope.RsaOaepAesGcmSealer;
import dev.ztchat.core.envelope.SealedEnvelope;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An end-to-end encrypted chat session for one identity: connects to the relay, publishes its
 * encryption certificate, seals outgoing messages for verified and pinned contacts, and opens
 * incoming envelopes, handing the user interface only messages that passed every check.
 */
public final class ChatClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChatClient.class);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

  private final ChatClientConfig config;
  private final RelayConnection relay;
  private final ClientStore store;
  private final ReplayGuard replayGuard;
  private final ContactDirectory contacts;
  private final EnvelopeSealer sealer;
  private final EnvelopeOpener opener;
  private final ChatListener listener;
  private final ExecutorService receiver;
  private volatile java.util.function.Consumer<byte[]> wireTap = b -> {};
  private final java.util.Set<String> unconfirmedAcks = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean ackEnabled = true;

  private ChatClient(ChatClientConfig config, RelayConnection relay, ClientStore store, ReplayGuard replayGuard,
      ChatListener listener) {
    this.config = config;
    this.relay = relay;
    this.store = store;
    this.replayGuard = replayGuard;
    this.listener = requireNonNull(listener, "listener");
    CertificateVerifier verifier = new CertificateVerifier(config.rootCa());
    this.contacts = new ContactDirectory(relay, verifier, new ContactPins(store, config.clock()), config.clock());
    this.sealer = new RsaOaepAesGcmSealer(config.me(), config.clock());
    this.opener =
        new RsaOaepAesGcmOpener(
            config.me(),
            verifier,
            name -> contacts.signingCertificateOf(name, listener::onKeyChanged),
            replayGuard,
            config.clock(),
            config.acceptance());
    // One thread, so messages are opened and shown in the order they arrived; never the network
    // thread, because opening may ask the directory for a sender's certificate.
    this.receiver = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "ztchat-receive-" + config.me().name());
      t.setDaemon(true);
      return t;
    });
  }

  /** Connects and publishes this identity's encryption certificate. */
  public static ChatClient connect(ChatClientConfig config, ChatListener listener) throws IOException {
    ClientStore store = ClientStore.open(config.dataDir());
    ReplayGuard guard = null;
    RelayConnection relay = null;
    try {
      guard = ReplayGuard.persistent(config.dataDir().resolve("seen.db"), config.acceptance(), config.clock());
      relay = RelayConnection.connect(config.host(), config.port(), config.me().signing(), config.rootCa());
      if (!relay.welcome().identity().equals(config.me().name())) {
        throw new IOException("the server bound this connection to '" + relay.welcome().identity()
            + "', not '" + config.me().name() + "'");
      }
      ChatClient client = new ChatClient(config, relay, store, guard, listener);
      relay.onDelivery(bytes -> client.receiver.execute(() -> client.receive(bytes)));
      relay.onClose(why -> listener.onDisconnected(why == null ? "the server closed the connection" : why.getMessage()));
      String ref = relay.nextRef();
      relay.request(new Frame.Publish(ref, PemFiles.toPem(config.me().encryption().certificate())), ref, REQUEST_TIMEOUT);
      return client;
    } catch (IOException | RuntimeException e) {
      if (relay != null) {
        relay.close();
      }
      if (guard != null) {
        guard.close();
      }
      store.close();
      throw e;
    }
  }

  /** My identity's name. */
  public String me() {
    return config.me().name();
  }

  /** The identity the server bound to this connection. */
  public String boundIdentity() {
    return relay.welcome().identity();
  }

  public boolean isConnected() {
    return relay.isOpen();
  }

  /**
   * Seals {@code text} for {@code to} and hands it to the relay. Returns what the relay did with
   * it. Throws before sending anything if the contact's keys cannot be verified or changed.
   */
  public SendResult send(String to, String text)
      throws IOException, UntrustedContactException, KeyChangedException, MessageTooLongException {
    VerifiedContact contact = contacts.forSending(to);
    SealedEnvelope envelope =
        sealer.seal(MessageContent.text(text), List.of(new RecipientKey(to, contact.encryption())));
    byte[] bytes = EnvelopeCodec.encode(envelope);
    String ref = relay.nextRef();
    Frame.Send frame = new Frame.Send(ref, bytes);
    int frameBytes = FrameCodec.encode(frame).length;
    int maxFrame = relay.welcome().maxFrame();
    if (frameBytes > maxFrame) {
      int textBytes = text.getBytes(StandardCharsets.UTF_8).length;
      throw new MessageTooLongException(textBytes, maxTextBytes(textBytes, bytes.length, frameBytes, maxFrame), maxFrame);
    }
    Frame answer = relay.request(frame, ref, REQUEST_TIMEOUT);
    if (!(answer instanceof Frame.Sent sent)) {
      throw new IOException("unexpected answer from the server: " + answer.type());
    }
    return new SendResult(sent.messageId(), sent.results());
  }

  /** The most text bytes that fit, given one measured envelope (sizes grow linearly). */
  private static int maxTextBytes(int textBytes, int envelopeBytes, int frameBytes, int maxFrame) {
    int fixedEnvelope = envelopeBytes - textBytes;
    int jsonOverhead = frameBytes - 4 * ((envelopeBytes + 2) / 3);
    int t = textBytes;
    while (t > 0 && jsonOverhead + 4 * ((fixedEnvelope + t + 2) / 3) > maxFrame) {
      t--;
    }
    return t;
  }

  /** Users online now. */
  public List<String> whoIsOnline() throws IOException {
    String ref = relay.nextRef();
    Frame f = relay.request(new Frame.Who(ref), ref, REQUEST_TIMEOUT);
    if (f instanceof Frame.Online online) {
      return online.users();
    }
    throw new IOException("unexpected answer from the server: " + f.type());
  }

  /** The contact's verified keys (not checked against the pin). */
  public VerifiedContact lookUp(String name) throws IOException, UntrustedContactException {
    return contacts.fetchVerified(name);
  }

  /** The safety number for me and {@code name}, the same on both sides. */
  public String safetyNumber(String name) throws IOException, UntrustedContactException {
    VerifiedContact them = contacts.fetchVerified(name);
    VerifiedContact mine = new VerifiedContact(me(), config.me().signing().certificate(), config.me().encryption().certificate());
    return SafetyNumber.of(mine, them);
  }

  /** Accept a contact's changed keys (after the user compared fingerprints). */
  public void acceptKeyChange(VerifiedContact newKeys) throws IOException {
    contacts.acceptChange(newKeys);
  }

  /**
   * For diagnostics and the demo: sees each sealed envelope as it arrived, before any check. The
   * bytes are ciphertext; nothing here has been verified.
   */
  public void onRawEnvelope(java.util.function.Consumer<byte[]> tap) {
    this.wireTap = requireNonNull(tap, "tap");
  }

  private void receive(byte[] bytes) {
    wireTap.accept(bytes.clone());
    SealedEnvelope envelope;
    try {
      envelope = EnvelopeCodec.decode(bytes);
    } catch (MalformedEnvelopeException e) {
      listener.onRejected(null, null, "a malformed envelope arrived and was discarded (" + e.getMessage() + ")");
      return;
    }
    String sender = envelope.header().sender();
    String id = envelope.header().messageIdHex();
    try {
      OpenedMessage m = opener.open(envelope);
      if (m.kind() == ContentKind.RECEIPT) {
        listener.onDelivered(m.sender(), HexFormat.of().formatHex(m.receiptFor()));
      } else {
        listener.onMessage(m);
        sendReceipt(m);
      }
      acknowledge(sender, id);
    } catch (EnvelopeRejectedException e) {
      if (e.reason() == RejectionReason.REPLAY && unconfirmedAcks.contains(sender + "/" + id)) {
        // The relay did not get (or did not confirm) our acknowledgement, so it delivered the
        // message again: absorb the copy silently, acknowledge again. Never shown twice.
        acknowledge(sender, id);
        return;
      }
      LOG.debug("dropped envelope id={} claimed sender={}: {}", id, sender, e.reason());
      listener.onRejected(sender, e.reason(), e.reason().userMessage());
      acknowledge(sender, id); // processed: the relay may delete its copy
    } catch (RuntimeException e) {
      // Fail closed: an unexpected error drops the message; it is never shown unverified.
      LOG.warn("dropped an envelope after an internal error: {}", e.toString());
      listener.onRejected(sender, null, "the message could not be checked and was discarded");
    }
  }

  /** Tells the relay this envelope was processed, so it can delete its stored copy. */
  private void acknowledge(String sender, String messageIdHex) {
    String key = sender + "/" + messageIdHex;
    unconfirmedAcks.add(key);
    if (!ackEnabled) {
      return;
    }
    String ref = relay.nextRef();
    relay.requestAsync(new Frame.Ack(ref, sender, messageIdHex), ref)
        .thenRun(() -> unconfirmedAcks.remove(key));
  }

  /** Sends {@code m}'s sender a receipt signed by me, so they see "delivered". Best effort. */
  private void sendReceipt(OpenedMessage m) {
    try {
      VerifiedContact to = contacts.forSending(m.sender());
      SealedEnvelope receipt = sealer.seal(MessageContent.receipt(m.messageId()),
          List.of(new RecipientKey(m.sender(), to.encryption())));
      String ref = relay.nextRef();
      relay.requestAsync(new Frame.Send(ref, EnvelopeCodec.encode(receipt)), ref);
    } catch (IOException | UntrustedContactException | KeyChangedException | RuntimeException e) {
      LOG.debug("no receipt sent to {}: {}", m.sender(), e.getMessage());
    }
  }

  /** Test seam: a client that never acknowledges, as if it died before each acknowledgement. */
  void disableAcknowledgements() {
    this.ackEnabled = false;
  }

  @Override
  public void close() {
    relay.close();
    receiver.shutdown();
    try {
      receiver.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    replayGuard.close();
    store.close();
  }
}
