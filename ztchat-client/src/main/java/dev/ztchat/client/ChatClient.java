package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.conversation.ForwardedChange;
import dev.ztchat.core.conversation.ForwardedChangeVerifier;
import dev.ztchat.core.conversation.V2Device;
import dev.ztchat.core.conversation.V2MessageOpener;
import dev.ztchat.core.envelope.ContentKind;
import dev.ztchat.core.envelope.EnvelopeRejectedException;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.MessageOpener;
import dev.ztchat.core.envelope.MessageOpeners;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.envelope.ReplayGuard;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.RsaOaepAesGcmMessageOpener;
import dev.ztchat.core.envelope.RsaOaepAesGcmOpener;
import dev.ztchat.core.envelope.SenderCertificateLookup;
import dev.ztchat.core.envelope.SenderLookupUnavailableException;
import dev.ztchat.core.envelope.UnopenableVersionException;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.group.GroupChangeRefusedException;
import dev.ztchat.core.group.GroupOp;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.CrlRejectedException;
import dev.ztchat.core.pki.KeyFingerprint;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.remedy.Remedy;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.session.LedgerNotice;
import dev.ztchat.core.session.SessionSetupException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An end-to-end encrypted chat session for one identity. It keeps a connection to the relay
 * (reconnecting with backoff), seals outgoing messages for verified and pinned contacts, opens
 * incoming envelopes and hands the user interface only messages that passed every check, stores the
 * conversation (encrypted at rest), acknowledges what it processed and sends signed receipts.
 */
public final class ChatClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChatClient.class);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

  /** How often messages to a contact whose keys were renewed look for the new keys. */
  static final Duration RENEWED_CONTACT_RECHECK = Duration.ofSeconds(10);

  private volatile ChatClientConfig config; // replaced when the keys are renewed
  private final ChatListener listener;
  private final ClientStore store;
  private final ReplayGuard replayGuard;
  private final ConversationHistory history;
  private final Outbox outbox;
  private final AckLedger acks;
  private final ContactDirectory contacts;
  final OutgoingMessages outgoing; // package-private: tests watch its sealing
  private final GroupConversations groupChats;
  private final GroupSync groupSync;
  private final GroupSyncSending groupSyncSending;
  private volatile MessageOpeners openers; // by envelope version; replaced when keys are renewed
  private final CertificateVerifier verifier;
  private final ExecutorService receiver;
  private final ScheduledExecutorService rechecks;
  private final ReceiptPacer receipts;
  private final CountDownLatch closing = new CountDownLatch(1);
  private boolean notProcessedShown; // receive thread only
  private final Set<Integer> unopenableShown = new HashSet<>(); // receive thread only
  private final ConnectionSupervisor<RelayConnection> supervisor;
  private final RelayFailover failover;
  private final AckSender acker;
  private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
  private volatile Consumer<byte[]> wireTap = b -> {};
  private volatile boolean ackEnabled = true;
  private final SqliteSessionStore sessions;
  final PeerDevices devices; // package-private: tests fetch bundles through it
  private final HiddenDevices hiddenDevices; // devices the relay left out (devices.md 6.4)
  private final StoredPeerVersions peerVersions;
  private final V2Device v2device; // null without a device credential
  private final SecureRandom random = new SecureRandom();
  private final PrekeyPublisher prekeyPublisher; // null without a device credential
  private volatile RelayConnection prekeysPublishedOn; // the connection the relay took them on
  private final ExecutorService prekeyThread;

  /** How often, while connected, the relay's stock of this device's prekeys is checked. */
  static final Duration PREKEY_RECHECK = Duration.ofHours(1);

  /**
   * The first pause before publishing again on the same connection after the relay turned the
   * publication away for a passing reason (its frame budget for this user spent, its store busy);
   * it doubles each time up to {@link #PREKEY_RETRY_MAX}.
   */
  static final Duration PREKEY_RETRY_FIRST = Duration.ofSeconds(1);

  static final Duration PREKEY_RETRY_MAX = Duration.ofMinutes(1);

  /** Tries on one connection before waiting for the next connection or {@link #PREKEY_RECHECK}. */
  static final int PREKEY_RETRIES = 8;

  private ChatClient(
      ChatClientConfig config,
      ChatListener listener,
      ClientStore store,
      ReplayGuard replayGuard,
      RelayFailover failover,
      RelayConnection first)
      throws IOException {
    this.config = config;
    this.failover = requireNonNull(failover, "failover");
    this.listener = requireNonNull(listener, "listener");
    this.store = store;
    this.replayGuard = replayGuard;
    AtRestKey key = AtRestKey.openOrCreate(store, config.me(), config.previousEncryption());
    this.history = new ConversationHistory(store, key, config.clock());
    this.outbox = new Outbox(store, key, config.clock());
    this.acks = new AckLedger(store, config.clock());
    this.acker = new AckSender(acks, this::currentConnection, this::track);
    acks.evictOlderThan(config.acceptance().retention());
    DeviceKey device = config.device() == null ? null : deviceKey(config);
    this.sessions = SqliteSessionStore.open(store, key);
    this.prekeyPublisher =
        device == null
            ? null
            : new PrekeyPublisher(sessions, device, config.clock(), new SecureRandom());
    this.peerVersions = new StoredPeerVersions(store);
    // The live prekey store is shared by the publisher and the version-2 opener.
    this.v2device =
        device == null
            ? null
            : new V2Device(config.me().name(), device, prekeyPublisher.prekeys(), sessions);
    this.prekeyThread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "ztchat-prekeys-" + config.me().name());
              t.setDaemon(true);
              return t;
            });
    this.verifier = new CertificateVerifier(config.rootCa());
    ContactPins pins = new ContactPins(store, config.clock());
    this.contacts = new ContactDirectory(this::connection, verifier, pins, config.clock());
    this.devices =
        new PeerDevices(
            this::connection,
            verifier,
            contacts,
            store,
            peerVersions,
            config.clock(),
            listener::onNotice);
    this.outgoing =
        new OutgoingMessages(
            config,
            contacts,
            outbox,
            history,
            this::connection,
            listener,
            new V2Sending(v2device, devices, peerVersions, this::connection, config.clock(), random)
                .onNewDevices(config.sendToNewDevices(), listener)
                .ownDevice(config.device() == null ? null : config.device().certificate()));
    GroupStore groupStore = new GroupStore(store, key, config.clock());
    Groups groups = new Groups(groupStore);
    outgoing.useGroups(groups);
    GroupRecords groupRecords = new GroupRecords(new GroupRecordStore(store, key));
    this.groupSyncSending = outgoing.groupSyncFor(groupRecords);
    outgoing.useGroupSync(groupSyncSending);
    devices.onAccepted(outgoing::sendGroupRecords);
    this.groupChats =
        new GroupConversations(
            config.me().name(),
            groups,
            groupStore,
            history,
            new GroupChangeLines(history, config.clock(), random),
            new GroupTextFit(
                config.me().name(),
                this::announcedMaxFrame,
                person -> devices.deviceSet(person).size(),
                config.device() == null ? null : config.device().certificate()),
            outgoing,
            listener,
            random,
            groupRecords);
    this.groupSync =
        new GroupSync(
            new ForwardedChangeVerifier(verifier, contacts::refusal, config.clock()),
            groupChats,
            listener);
    this.openers = openersFor(config);
    this.hiddenDevices =
        new HiddenDevices(
            config.me().name(),
            v2device,
            devices,
            config.sendToNewDevices(),
            listener,
            config.clock(),
            random);
    this.receipts =
        new ReceiptPacer(
            config.me().name(),
            (peer, messageId) -> outgoing.sendReceipt(peer, MessageContent.receipt(messageId)));
    // One thread, so messages are opened and shown in the order they arrived; never the network
    // thread, because opening may ask the directory for a sender's certificate.
    this.receiver =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "ztchat-receive-" + config.me().name());
              t.setDaemon(true);
              return t;
            });
    // A contact whose keys were renewed has not connected with the new ones yet: look again now and
    // then, so their messages go out once the new keys are there (and the user accepted them).
    this.rechecks =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ztchat-recheck-" + config.me().name());
              t.setDaemon(true);
              return t;
            });
    AtomicBoolean recheckQueued = new AtomicBoolean();
    rechecks.scheduleWithFixedDelay(
        () -> {
          // At most one waits behind a slow receive, so a stalled receive thread does not pile them
          // up.
          if (outgoing.waitingForRenewedKeys()
              && isConnected()
              && recheckQueued.compareAndSet(false, true)) {
            try {
              receiver.execute(
                  () -> {
                    recheckQueued.set(false);
                    outgoing.flush();
                  });
            } catch (RejectedExecutionException closing) {
              // closed meanwhile
            }
          }
        },
        RENEWED_CONTACT_RECHECK.toSeconds(),
        RENEWED_CONTACT_RECHECK.toSeconds(),
        TimeUnit.SECONDS);
    AtomicReference<RelayConnection> firstConnection = new AtomicReference<>(first);
    this.supervisor =
        new ConnectionSupervisor<>(
            () -> {
              RelayConnection ready = firstConnection.getAndSet(null);
              return ready != null ? ready : failover.connectCurrent(this::connectWithCurrentKeys);
            },
            Backoff.forReconnect(),
            status -> listener.onConnectionState(status.withRelay(failover.current())),
            conn -> {
              try {
                onConnected(conn);
              } catch (IOException | RuntimeException e) {
                failover.failed(conn.relay()); // e.g. its store failed: another relay may serve
                throw e;
              }
            });
    if (prekeyPublisher != null) {
      // The relay hands out one-time prekeys while this device is online too.
      rechecks.scheduleWithFixedDelay(
          () ->
              supervisor.current().filter(RelayConnection::isOpen).ifPresent(this::publishPrekeys),
          PREKEY_RECHECK.toSeconds(),
          PREKEY_RECHECK.toSeconds(),
          TimeUnit.SECONDS);
    }
  }

  private static DeviceKey deviceKey(ChatClientConfig c) throws IOException {
    try {
      return new DeviceKey(c.device().privateKey(), c.device().certificate());
    } catch (SessionSetupException e) {
      throw new IOException(
          "your device key cannot be used ("
              + e.getMessage()
              + "): ask your administrator for a new one (pki issue "
              + c.me().name()
              + " --add-device)",
          e);
    }
  }

  /**
   * Publishes this device's prekeys on {@code conn} in the background, when the relay routes
   * version 2: never delays the connection, and a failure is logged (no key material) and tried
   * again on the next connection.
   */
  private void publishPrekeys(RelayConnection conn) {
    publishPrekeys(conn, 0);
  }

  private void publishPrekeys(RelayConnection conn, int attempt) {
    if (prekeyPublisher == null
        || config.device() == null // renewed: the device certificate in use is no longer valid
        || !conn.relayVersions().contains(V2Envelope.VERSION)) {
      return;
    }
    try {
      prekeyThread.execute(
          () -> {
            if (!conn.isOpen()) {
              return;
            }
            try {
              prekeyPublisher.publish(conn);
              prekeysPublishedOn = conn;
            } catch (IOException | RuntimeException e) {
              if (closing.getCount() == 0 || !conn.isOpen()) {
                // the next connection publishes again; nothing for the user to do
                LOG.debug("prekey publication stopped: the connection closed");
              } else if (attempt + 1 < PREKEY_RETRIES && passing(e)) {
                Duration pause = prekeyRetryPause(attempt);
                LOG.info(
                    "the server put off this device's prekeys ({}); trying again in {} s",
                    e.getMessage(),
                    pause.toSeconds());
                retryPublication(conn, attempt + 1, pause);
              } else {
                LOG.warn(
                    "could not publish this device's prekeys ({}); trying again on the next"
                        + " connection",
                    e.getMessage());
                if (e instanceof RelayConnection.RelayException r
                    && (r.code() == ErrorCode.BAD_PREKEY
                        || r.code() == ErrorCode.BAD_CERTIFICATE)) {
                  listener.onNotice(prekeysRefusedNotice(r.getMessage()));
                }
              }
            }
          });
    } catch (RejectedExecutionException closing) {
      // closed meanwhile
    }
  }

  private void retryPublication(RelayConnection conn, int attempt, Duration pause) {
    try {
      rechecks.schedule(
          () -> publishPrekeys(conn, attempt), pause.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // closed meanwhile
    }
  }

  /** Whether the relay turned a publication away for a reason that passes by itself. */
  private static boolean passing(Exception e) {
    return e instanceof RelayConnection.RelayException r
        && (r.code() == ErrorCode.RATE_LIMITED || r.code() == ErrorCode.INTERNAL);
  }

  /** The pause before try {@code attempt + 2} of a publication on one connection. */
  static Duration prekeyRetryPause(int attempt) {
    Duration pause = PREKEY_RETRY_FIRST.multipliedBy(1L << Math.min(attempt, 16));
    return pause.compareTo(PREKEY_RETRY_MAX) > 0 ? PREKEY_RETRY_MAX : pause;
  }

  /**
   * What the user is told when the relay refuses this device's prekeys: peers cannot start new
   * version-2 conversations with this device until it is fixed. {@code why} is the relay's words,
   * made safe for a terminal.
   */
  static String prekeysRefusedNotice(String why) {
    return "[!] The server refused this device's version-2 keys ("
        + String.valueOf(why).replaceAll("[\\p{Cntrl}\\p{Cf}]", "?")
        + "), so others cannot start new conversations with this device. If you reset or"
        + " restored your data folder, ask your administrator for a new device certificate"
        + " (pki renew YOUR-NAME); otherwise tell them this message.";
  }

  /** Test seam: this device's prekey publisher, null without a device credential. */
  PrekeyPublisher prekeyPublisher() {
    return prekeyPublisher;
  }

  /**
   * The openers of every envelope version this client reads (docs/v2/envelope.md section 6):
   * version 1 always, version 2 when this device has a device credential; both behind the downgrade
   * rule of the peers' versions.
   */
  private MessageOpeners openersFor(ChatClientConfig c) {
    List<MessageOpener> all = new ArrayList<>();
    all.add(new RsaOaepAesGcmMessageOpener(openerFor(c)));
    if (v2device != null) {
      all.add(
          new V2MessageOpener(
              v2device,
              verifier,
              replayGuard,
              c.clock(),
              c.acceptance(),
              contacts::refusal,
              peerVersions,
              random));
    }
    // The downgrade rule: version 1 is refused from a peer known to speak version 2.
    return MessageOpeners.of(all, peerVersions);
  }

  private RsaOaepAesGcmOpener openerFor(ChatClientConfig c) {
    return new RsaOaepAesGcmOpener(
        c.me(),
        c.previousEncryption(),
        verifier,
        new SenderCertificateLookup() {
          @Override
          public X509Certificate signingCertificate(String name) {
            List<X509Certificate> all = signingCertificates(name);
            return all.isEmpty() ? null : all.getFirst();
          }

          @Override
          public List<X509Certificate> signingCertificates(String name) {
            return contacts.signingCertificatesOf(name, listener::onKeyChanged);
          }
        },
        replayGuard,
        c.clock(),
        c.acceptance(),
        contacts::refusal);
  }

  /**
   * Connects to {@code relay} with the keys in use; if the relay refuses them because they were
   * renewed, carries on with the new keys ({@link KeyRenewal}), or fails saying what to do.
   */
  @SuppressWarnings("ReferenceEquality") // were the keys replaced
  private RelayConnection connectWithCurrentKeys(RelayEndpoints.Endpoint relay) throws IOException {
    AtomicReference<ChatClientConfig> keys = new AtomicReference<>(config);
    RelayConnection conn = connectRenewing(keys, relay, listener);
    if (keys.get() != config) {
      useKeys(keys.get());
    }
    return conn;
  }

  /**
   * Connects to {@code relay} with {@code config}'s keys; after a refusal because they were
   * renewed, sets {@code config} to the renewed keys and connects with them.
   */
  private static RelayConnection connectRenewing(
      AtomicReference<ChatClientConfig> config,
      RelayEndpoints.Endpoint relay,
      ChatListener listener)
      throws IOException {
    ChatClientConfig c = config.get();
    try {
      return RelayConnection.connect(relay, c.tlsCredential(), c.rootCa());
    } catch (CertificateRefusedException refused) {
      ChatClientConfig renewed = renewedKeys(c, refused, listener);
      config.set(renewed);
      return RelayConnection.connect(relay, renewed.tlsCredential(), c.rootCa());
    }
  }

  /**
   * {@code c} with the renewed keys found on disk after the relay refused {@code c}'s certificate
   * (the user is told), or the refusal, saying what to do, when there are none ({@link
   * KeyRenewal}).
   */
  private static ChatClientConfig renewedKeys(
      ChatClientConfig c, CertificateRefusedException refused, ChatListener listener)
      throws CertificateRefusedException {
    KeyReload.StoredKeys renewed = KeyRenewal.newerKeys(c, refused, c.clock().instant());
    ChatClientConfig withNewKeys = c.withKeys(renewed.me(), KeyRenewal.previousAfter(c, renewed));
    listener.onNotice(RENEWED_NOTICE);
    if (c.device() != null) {
      // The renewal revoked the device certificate in use: carry on with the renewed version-1
      // keys, and without version 2 until a restart reads the new device files.
      withNewKeys = withNewKeys.withDevice(null);
      listener.onNotice(DEVICE_RENEWED_NOTICE);
    }
    return withNewKeys;
  }

  /** What the user is told when a renewal replaced the device certificate in use. */
  static final String DEVICE_RENEWED_NOTICE =
      "[!] your device certificate was renewed too: restart ztchat to use it. Until then messages"
          + " to contacts who use version 2 wait in your outbox.";

  /** What the user is told when the client switches to renewed keys. */
  static final String RENEWED_NOTICE = "your keys were renewed; reconnecting with the new keys";

  /** From now on: sign and seal with the renewed keys, open with them and every earlier one. */
  private void useKeys(ChatClientConfig renewed) {
    openers = openersFor(renewed);
    outgoing.useKeys(renewed.me());
    if (renewed.device() == null) {
      outgoing.stopVersion2(); // the device key in use was renewed: nothing more is sealed with it
    }
    config = renewed;
  }

  /**
   * Opens the local state and connects; fails (IOException with the reason) if the first connection
   * cannot be made. Afterwards a lost connection is re-established automatically. For scripts.
   */
  public static ChatClient connect(ChatClientConfig config, ChatListener listener)
      throws IOException {
    return open(config, listener, true);
  }

  /**
   * Opens the local state and connects in the background, retrying with backoff until it works;
   * {@link ChatListener#onConnectionState} tells the user. Messages typed meanwhile wait in the
   * outbox. For the interactive client.
   */
  public static ChatClient start(ChatClientConfig config, ChatListener listener)
      throws IOException {
    return open(config, listener, false);
  }

  private static ChatClient open(
      ChatClientConfig config, ChatListener listener, boolean connectFirst) throws IOException {
    ClientStore store =
        ClientStore.open(config.dataDir(), config.me().name()); // holds the identity's lock
    ReplayGuard guard = null;
    RelayConnection first = null;
    RelayFailover failover = new RelayFailover(config.relays());
    try {
      guard =
          ReplayGuard.persistent(
              config.dataDir().resolve("seen.db"), config.acceptance(), config.clock());
      if (connectFirst) {
        AtomicReference<ChatClientConfig> keys = new AtomicReference<>(config);
        first = failover.connectAny(relay -> connectRenewing(keys, relay, listener));
        config = keys.get();
      }
      ChatClient client = new ChatClient(config, listener, store, guard, failover, first);
      client.supervisor.start();
      if (connectFirst) {
        client.awaitConnected(REQUEST_TIMEOUT);
      }
      return client;
    } catch (IOException | RuntimeException e) {
      if (first != null) {
        first.close();
      }
      if (guard != null) {
        guard.close();
      }
      store.close();
      throw e;
    }
  }

  private void awaitConnected(Duration timeout) throws IOException {
    if (!pollUntil(
        () -> supervisor.state() == ConnectionState.CONNECTED && supervisor.current().isPresent(),
        timeout)) {
      close();
      throw new IOException("could not finish connecting to the server");
    }
  }

  /** A condition {@link #pollUntil} waits for; it may read the local store. */
  @FunctionalInterface
  private interface Condition {
    boolean holds() throws IOException;
  }

  /**
   * Checks {@code condition} every 10 ms until it holds (true) or {@code timeout} passes (false).
   */
  private static boolean pollUntil(Condition condition, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    return true;
  }

  /** Runs on every new connection: check the bound identity, listen, publish, send what waits. */
  private void onConnected(RelayConnection conn) throws IOException {
    if (!conn.welcome().identity().equals(config.me().name())) {
      throw new IOException(
          "the server bound this connection to '"
              + conn.welcome().identity()
              + "', not '"
              + config.me().name()
              + "'");
    }
    receiver.execute(unopenableShown::clear); // told again on each connection: redelivered then
    conn.onDelivery(
        bytes ->
            receiver.execute(
                () -> {
                  try {
                    receive(bytes);
                  } finally {
                    conn.deliveryProcessed();
                    if (conn.unprocessedDeliveries() == 0) {
                      acker.flush(); // what this read brought is handled: one acks for all of it
                    }
                  }
                }));
    conn.onClose(
        why -> {
          failover.failed(conn.relay()); // the next attempt goes to the next relay, if any
          supervisor.connectionLost(
              conn,
              KeyRenewal.renewedOnDisk(config, config.clock().instant())
                  ? "your keys were renewed" // the relay cut the old certificate: not a
                  // revocation to the user
                  : why == null ? "the server closed the connection" : why.getMessage());
        });
    String ref = conn.nextRef();
    conn.request(
        new Frame.Publish(ref, PemFiles.toPem(config.me().encryption().certificate())),
        ref,
        REQUEST_TIMEOUT);
    receiver.execute(outgoing::flush);
    publishPrekeys(conn);
    RelayTtlCheck.warnIfWindowShorter(config.acceptance(), conn.welcome(), listener::onNotice);
    Remedy renew = Remedy.forUser(Remedy.Kind.RENEW_USER, config.me().name());
    warnOfExpiry("your signing certificate", config.me().signing().certificate(), renew);
    warnOfExpiry("your encryption certificate", config.me().encryption().certificate(), renew);
    if (config.device() != null) {
      warnOfExpiry("your device certificate", config.device().certificate(), renew);
    }
    X509Certificate serverCert = conn.serverCertificate();
    if (serverCert != null) {
      warnOfExpiry("the server's certificate", serverCert, null);
    }
  }

  /**
   * Warns of {@code cert}'s expiry; {@code renew} is what the user can do, null for someone else's
   * certificate.
   */
  private void warnOfExpiry(String what, X509Certificate cert, Remedy renew) {
    long days = Duration.between(config.clock().instant(), cert.getNotAfter().toInstant()).toDays();
    if (days < Certificates.EXPIRY_WARNING_DAYS) {
      String notice =
          "[!] "
              + what
              + " expires on "
              + cert.getNotAfter().toInstant()
              + " (in "
              + Math.max(0, days)
              + " days)";
      if (renew == null) {
        listener.onNotice(notice + ": ask your administrator for a new one.");
      } else {
        listener.onNotice(notice, renew);
      }
    }
  }

  /** The connection to the relay, if there is one now. */
  private Optional<RelayConnection> currentConnection() {
    return supervisor.current();
  }

  RelayConnection connection() throws IOException {
    return supervisor
        .current()
        .orElseThrow(() -> new IOException("not connected to the server (reconnecting)"));
  }

  /** My identity's name. */
  public String me() {
    return config.me().name();
  }

  /** The identity the server bound to the current connection. */
  public String boundIdentity() throws IOException {
    return connection().welcome().identity();
  }

  public boolean isConnected() {
    return supervisor.current().map(RelayConnection::isOpen).orElse(false);
  }

  /**
   * Whether the relay this device is connected to holds its prekeys, published on this connection:
   * from then on others can start version-2 sessions with it, and a group created meanwhile by
   * one's own other device reaches it. False for a device without a version-2 credential.
   */
  public boolean prekeysPublished() {
    RelayConnection on = prekeysPublishedOn;
    return on != null && on.isOpen() && supervisor.current().orElse(null) == on;
  }

  /**
   * Seals {@code text} for {@code to} and hands it to the relay now (after whatever earlier runs
   * left unconfirmed in the outbox); returns what the relay did. Throws, having sent nothing, if
   * the contact's keys cannot be verified or changed, or if there is no connection; throws {@link
   * UnconfirmedSendException} if the answer never came, the message then waiting in the outbox for
   * the next connection. For scripts; the interactive client uses {@link #sendOrKeep}.
   */
  public SendResult send(String to, String text)
      throws IOException, UntrustedContactException, KeyChangedException, MessageTooLongException {
    return outgoing.sendNow(to, text);
  }

  /** How many relays this client may use ({@code --server h:p,h:p}). */
  public int relayCount() {
    return config.relays().size();
  }

  /**
   * Waits until the relay accepted the kept message {@code messageIdHex} (an {@link
   * UnconfirmedSendException}'s), sent again from the outbox on a later connection, e.g. to the
   * next relay after one that could not store it; false when {@code timeout} passes first (it stays
   * kept).
   */
  public boolean awaitAccepted(String messageIdHex, Duration timeout) throws IOException {
    requireNonNull(messageIdHex, "messageIdHex");
    return pollUntil(
        () -> outbox.pending().stream().noneMatch(p -> messageIdHex.equals(p.messageIdHex())),
        timeout);
  }

  /**
   * Keeps {@code text} for {@code to} in the durable outbox, then sends everything waiting if
   * connected. Results arrive through the listener. Throws only if the text can never be sent.
   */
  public void sendOrKeep(String to, String text) throws IOException, MessageTooLongException {
    outgoing.keep(to, text);
    receiver.execute(outgoing::flush);
  }

  /**
   * Creates group {@code name} (1 to 32 characters of a user name's alphabet) with me as its only
   * admin and {@code members}, and sends the creation to them (docs/v2/groups.md); returns the new
   * group. Every member must be reachable over version 2.
   *
   * @throws GroupChangeRefusedException when the rule does not allow it (an empty or too large
   *     group, an invalid name): nothing was sent
   * @throws PeerKeysWithheldException when a member has no version-2 keys now: nothing was sent
   * @throws IOException when not connected, or the relay refused it: nothing was sent
   */
  public GroupView createGroup(String name, Collection<String> members)
      throws IOException,
          GroupChangeRefusedException,
          UntrustedContactException,
          MessageTooLongException {
    return groupChats.create(name, members);
  }

  /** Adds {@code member} to the group {@code group} names (an admin's change); as createGroup. */
  public GroupView addToGroup(String group, String member)
      throws IOException,
          UnknownGroupException,
          GroupChangeRefusedException,
          UntrustedContactException,
          MessageTooLongException {
    return groupChats.change(group, GroupOp.ADD, List.of(member));
  }

  /**
   * Removes {@code member} from the group (an admin's change): they learn it, and no message sent
   * after it is sealed to their devices.
   */
  public GroupView removeFromGroup(String group, String member)
      throws IOException,
          UnknownGroupException,
          GroupChangeRefusedException,
          UntrustedContactException,
          MessageTooLongException {
    return groupChats.change(group, GroupOp.REMOVE, List.of(member));
  }

  /** Leaves the group; it stays in {@link #groups()} as removed. */
  public GroupView leaveGroup(String group)
      throws IOException,
          UnknownGroupException,
          GroupChangeRefusedException,
          UntrustedContactException,
          MessageTooLongException {
    return groupChats.change(group, GroupOp.LEAVE, List.of(me()));
  }

  /**
   * Test seam: {@code record} sealed as a forwarded change (content kind 5) to {@code person}'s
   * device {@code deviceHex} alone, as this device forwards a kept one, for a test that sends a
   * record this device would never keep; empty when it cannot be sealed now.
   */
  Optional<V2Envelope> sealForwarded(String person, String deviceHex, ForwardedChange record)
      throws IOException, UntrustedContactException, MessageTooLongException {
    return groupSyncSending.seal(person, deviceHex, record);
  }

  /** The groups this device knows, in the order it learnt them, each with its shown name. */
  public List<GroupView> groups() throws IOException {
    return groupChats.views();
  }

  /**
   * The group {@code ref} names: {@code #name}, {@code #name~2}, the name alone when only one group
   * has it, or its id in hex.
   */
  public GroupView group(String ref) throws IOException, UnknownGroupException {
    return groupChats.resolve(ref);
  }

  /**
   * Seals {@code text} to every current member of the group (and my other devices) and hands it to
   * the relay now, durably as {@link #send}; returns the relay's answer per member. What waits in
   * the outbox goes first; a text never goes before an earlier change of its group.
   *
   * @throws GroupTextQueuedException when a change of mine to the group still waits after that: the
   *     text was kept behind it, and goes out after it on a later connection or send
   */
  public SendResult sendToGroup(String group, String text)
      throws IOException,
          UnknownGroupException,
          UntrustedContactException,
          MessageTooLongException {
    try {
      return groupChats.sendNow(group, text);
    } catch (OutgoingMessages.NotAMemberException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /**
   * Keeps {@code text} for the group in the durable outbox, then sends everything waiting if
   * connected (sealed to the members as they are when it is sent); returns the group's shown name.
   */
  public String sendToGroupOrKeep(String group, String text)
      throws IOException, UnknownGroupException, MessageTooLongException {
    String shown = groupChats.keep(group, text);
    receiver.execute(outgoing::flush);
    return shown;
  }

  /**
   * The last {@code limit} messages of the group, oldest first; each entry's peer is its sender.
   * The changes of its members are not among them (see {@link #groupConversation}).
   */
  public List<HistoryEntry> groupHistory(String group, int limit)
      throws IOException, UnknownGroupException {
    return groupChats.history(group, limit);
  }

  /**
   * The last {@code limit} lines of the group's conversation, oldest first, in the order this
   * device stored them: its messages (each entry's peer is its sender) and the changes of its
   * members (an entry whose peer is empty, its text the change in words, e.g. {@code alice added
   * dave to #team}), so a window shows the changes in their place after a restart.
   */
  public List<HistoryEntry> groupConversation(String group, int limit)
      throws IOException, UnknownGroupException {
    return groupChats.conversation(group, limit);
  }

  /**
   * The most UTF-8 bytes of text a message to the group can hold now, whatever state its sessions
   * are in (a composer shows it; {@link #sendToGroupOrKeep} refuses a longer text).
   */
  public int maxGroupTextBytes(String group) throws IOException, UnknownGroupException {
    return groupChats.maxTextBytes(group);
  }

  /** The frame limit the relay announced on the current connection; 0 while offline. */
  private int announcedMaxFrame() {
    try {
      return connection().welcome().maxFrame();
    } catch (IOException e) {
      return 0;
    }
  }

  /** The texts for the group {@code group} names that wait in the outbox, oldest first. */
  public List<String> groupWaiting(String group) throws IOException, UnknownGroupException {
    return waiting(Groups.KEY_PREFIX + groupChats.resolve(group).idHex());
  }

  /** The members who confirmed, with signed receipts, that they received my group message. */
  public List<String> groupReceipts(String messageIdHex) throws IOException {
    return groupChats.receipts(messageIdHex);
  }

  /** Test seam: my current state of group {@code idHex}. */
  dev.ztchat.core.group.GroupState groupState(String idHex) throws IOException {
    return groupChats.state(idHex);
  }

  /** Users online now. */
  public List<String> whoIsOnline() throws IOException {
    RelayConnection conn = connection();
    String ref = conn.nextRef();
    Frame f = conn.request(new Frame.Who(ref), ref, REQUEST_TIMEOUT);
    if (f instanceof Frame.Online online) {
      return online.users();
    }
    throw new IOException("unexpected answer from the server: " + f.type());
  }

  /** The contact's verified keys (not checked against the pin). */
  public VerifiedContact lookUp(String name) throws IOException, UntrustedContactException {
    return contacts.fetchVerified(name);
  }

  /**
   * The contact's keys as a message to them would use them: verified, checked against the
   * revocation list and the pin (pinned on first use). Throws as sending would.
   */
  public VerifiedContact checkContact(String name)
      throws IOException, UntrustedContactException, KeyChangedException {
    return contacts.forSending(name);
  }

  /** The safety number for me and {@code name}, the same on both sides. */
  public String safetyNumber(String name) throws IOException, UntrustedContactException {
    VerifiedContact them = contacts.fetchVerified(name);
    VerifiedContact mine =
        new VerifiedContact(
            me(), config.me().signing().certificate(), config.me().encryption().certificate());
    return SafetyNumber.of(mine, them);
  }

  /**
   * The keys pinned for {@code name} on this device and the safety number they give, read from the
   * local store only (so it works offline); empty when no keys are pinned for {@code name}.
   */
  public Optional<PinnedKeys> pinnedKeys(String name) throws IOException {
    var pin = new ContactPins(store, config.clock()).pinned(name);
    if (pin.isEmpty()) {
      return Optional.empty();
    }
    VerifiedContact mine =
        new VerifiedContact(
            me(), config.me().signing().certificate(), config.me().encryption().certificate());
    String sig = pin.get().signingKeyHex();
    String enc = pin.get().encryptionKeyHex();
    return Optional.of(
        new PinnedKeys(
            name,
            KeyFingerprint.grouped(sig),
            KeyFingerprint.grouped(enc),
            SafetyNumber.ofPinned(
                mine, name, HexFormat.of().parseHex(sig), HexFormat.of().parseHex(enc))));
  }

  /**
   * Accept a contact's changed keys (after the user compared fingerprints); waiting messages go
   * out.
   */
  public void acceptKeyChange(VerifiedContact newKeys) throws IOException {
    contacts.acceptChange(newKeys);
    receiver.execute(outgoing::flush);
  }

  /**
   * Accepts what {@code change} reported: a contact's changed keys, or a contact's new device
   * (docs/v2/devices.md section 6.3), which is sealed to from now; waiting messages go out.
   */
  public void acceptChange(KeyChangedException change) throws IOException {
    if (change.newDevice() == null) {
      acceptKeyChange(change.newKeys());
      return;
    }
    if (!acceptDevice(change.contact(), change.newDevice())) {
      receiver.execute(outgoing::flush); // accepted already (elsewhere): what waits goes out
    }
  }

  /**
   * Accepts {@code contact}'s held device {@code deviceId} (64 hex digits, as {@link #devicesOf}
   * lists it) after the user compared its fingerprint (docs/v2/devices.md section 6.3): it is
   * sealed to from now, what was sent to {@code contact} while it was held goes to it, and waiting
   * messages go out. The one accept path for a new device, whether told by a warning ({@link
   * #acceptChange}) or chosen from the list; false when that device was not held.
   */
  public boolean acceptDevice(String contact, String deviceId) throws IOException {
    Optional<Instant> heldSince = devices.heldSince(contact, deviceId);
    if (heldSince.isEmpty()) {
      return false;
    }
    devices.accept(contact, deviceId);
    receiver.execute(
        () -> {
          outgoing.sendHeldMessages(contact, deviceId, heldSince.get());
          outgoing.flush();
        });
    return true;
  }

  /**
   * The devices of {@code name} this device knows, from the local store: those messages are sealed
   * to, then those held until the user accepts them (docs/v2/devices.md section 6).
   */
  public List<ContactDevice> devicesOf(String name) throws IOException {
    List<ContactDevice> out = new ArrayList<>();
    for (String d : devices.deviceSet(name)) {
      out.add(new ContactDevice(d, PeerDevices.fingerprint(d), true));
    }
    for (String d : devices.heldDevices(name)) {
      out.add(new ContactDevice(d, PeerDevices.fingerprint(d), false));
    }
    return out;
  }

  /**
   * This device as its contacts are shown it (docs/v2/devices.md section 6.3): its device name and
   * its fingerprint, the one a contact told of it as a new device compares with the user out of
   * band. Empty for a client without a device certificate (version 1 only).
   */
  public Optional<ContactDeviceStanding> thisDevice() {
    if (config.device() == null) {
      return Optional.empty();
    }
    X509Certificate c = config.device().certificate();
    String id;
    try {
      id = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("this device's certificate cannot be encoded", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable in this JDK", e);
    }
    return Optional.of(
        new ContactDeviceStanding(
            new ContactDevice(id, PeerDevices.fingerprint(id), true),
            Certificates.deviceName(c),
            false));
  }

  /** {@link #devicesOf} with each device's name and whether the CA revoked its certificate. */
  public List<ContactDeviceStanding> deviceStandingsOf(String name) throws IOException {
    return new DeviceCertificates(sessions, contacts).standings(name, devicesOf(name));
  }

  /**
   * Fetches the CA's revocation list from the relay now (it is otherwise refreshed every few
   * seconds while sending) and says how many certificates it revokes.
   */
  public int refreshRevocations() throws IOException {
    contacts.forgetRevocations();
    try {
      var crl = contacts.revocations().crl();
      return crl.getRevokedCertificates() == null ? 0 : crl.getRevokedCertificates().size();
    } catch (CrlRejectedException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** The last {@code limit} messages exchanged with {@code peer}, oldest first, decrypted. */
  public List<HistoryEntry> history(String peer, int limit) throws IOException {
    return history.recent(peer, limit);
  }

  /** The peers of every stored conversation, the latest first (for a list of conversations). */
  public List<String> conversations() throws IOException {
    return history.peers();
  }

  /**
   * About the most UTF-8 bytes of text one message to {@code peer} can hold (a composer shows it
   * before the limit is hit; {@link #sendOrKeep} checks exactly).
   */
  public int maxTextBytes(String peer) {
    ContactDirectory.ConnectionSource relay = this::connection;
    return outgoing.maxTextBytes(relay.currentMaxFrame(), peer);
  }

  /** The texts for {@code peer} that wait in the outbox not yet sealed (offline), oldest first. */
  public List<String> waiting(String peer) throws IOException {
    return outbox.pending().stream()
        .filter(p -> p.peer().equals(peer) && !p.sealed())
        .map(PendingMessage::text)
        .toList();
  }

  /**
   * For diagnostics and the demo: sees each sealed envelope as it arrived, before any check. The
   * bytes are ciphertext; nothing here has been verified.
   */
  public void onRawEnvelope(Consumer<byte[]> tap) {
    this.wireTap = requireNonNull(tap, "tap");
  }

  private void receive(byte[] bytes) {
    wireTap.accept(bytes.clone());
    RoutingPrefix envelope;
    try {
      envelope = openers.prefixOf(bytes);
    } catch (MalformedEnvelopeException e) {
      malformed(e);
      return;
    } catch (UnopenableVersionException e) {
      unopenable(e.prefix());
      return;
    }
    String sender = envelope.sender();
    String id = envelope.messageIdHex();
    LookupRetry retry = null;
    boolean reopened = false;
    while (true) {
      try {
        process(bytes, envelope, sender, id);
        notProcessedShown = false;
        return;
      } catch (MalformedEnvelopeException e) {
        malformed(e); // the prefix was fine, the rest of the envelope is not
        return;
      } catch (UnopenableVersionException e) {
        unopenable(e.prefix());
        return;
      } catch (EnvelopeRejectedException e) {
        if (!reopened && mayBeOutdatedKeys(e.reason()) && contacts.forgetSender(sender)) {
          reopened = true; // the cached certificates may predate a renewal: ask the directory again
          continue;
        }
        rejected(sender, id, e, bytes);
        return;
      } catch (SenderLookupUnavailableException e) {
        // Not a verdict on the message: never acknowledged, so the relay keeps it. The relay
        // does not push it again on this connection, so try again here while the connection lives.
        if (retry == null) {
          retry = new LookupRetry();
        }
        if (!retry.waitBeforeRetry(e)) {
          notProcessed(sender, e.getMessage());
          return;
        }
      } catch (IOException | RuntimeException e) {
        // Fail closed: a message that could not be checked or stored is not acknowledged (so the
        // relay keeps it) and never shown unverified.
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        LOG.warn("could not process an envelope: {}", cause.toString());
        notProcessed(
            sender,
            cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
        return;
      }
    }
  }

  /**
   * Opens, stores, shows and acknowledges one envelope; throws, having acknowledged nothing, if it
   * cannot.
   */
  private void process(byte[] bytes, RoutingPrefix envelope, String sender, String id)
      throws EnvelopeRejectedException,
          MalformedEnvelopeException,
          UnopenableVersionException,
          IOException {
    OpenedMessage m;
    try {
      m = openers.open(bytes);
    } catch (UncheckedIOException e) {
      // The session store or the peer versions failed: nothing was shown or saved, so the relay's
      // next delivery must be opened rather than refused as a replay.
      releaseMessageId(sender, envelope);
      throw e;
    }
    dispatch(m, bytes, sender, id, envelope);
    hiddenDevices.opened(m, bytes); // after it was shown: it never changes what the user reads
  }

  /** Stores, shows and acknowledges the opened {@code m} according to what it is. */
  private void dispatch(
      OpenedMessage m, byte[] bytes, String sender, String id, RoutingPrefix envelope)
      throws IOException {
    if (m.kind() == ContentKind.FORWARDED_GROUP_CHANGE) {
      forwarded(m, sender, id, envelope);
      return;
    }
    if (m.content().isGroupContent()) {
      group(m, bytes, sender, id, envelope);
      return;
    }
    if (m.sender().equals(config.me().name())) {
      ownCopy(m, sender, id, envelope);
      return;
    }
    boolean delivered;
    try {
      contacts.senderAccepted(m.sender());
      acks.processed(sender, id);
      if (m.kind() == ContentKind.RECEIPT) {
        // Only a receipt from the very peer the message went to counts.
        String receiptFor = HexFormat.of().formatHex(m.receiptFor());
        delivered =
            history.markDelivered(m.sender(), receiptFor)
                || groupChats.receipt(m.sender(), receiptFor);
      } else {
        history.recordIncoming(
            m.sender(), id, m.timestamp(), m.text()); // stored before acknowledged
        delivered = false;
      }
    } catch (IOException | RuntimeException e) {
      // Nothing was shown or acknowledged: let the redelivered copy be opened again rather than
      // refused as a replay of an envelope that was never kept.
      releaseMessageId(sender, envelope);
      throw e;
    }
    tellLedgerNotices(m);
    if (m.kind() == ContentKind.RECEIPT) {
      if (delivered) {
        listener.onDelivered(m.sender(), HexFormat.of().formatHex(m.receiptFor()));
      }
    } else {
      listener.onMessage(m);
      sendReceipt(m);
    }
    acknowledge(sender, id);
  }

  /**
   * Applies, stores and shows a group text or change (docs/v2/groups.md), mine from another device
   * included; a shown text from someone else gets a receipt.
   */
  private void group(
      OpenedMessage m, byte[] bytes, String sender, String id, RoutingPrefix envelope)
      throws IOException {
    boolean own = m.sender().equals(config.me().name());
    boolean shown;
    try {
      if (!own) {
        contacts.senderAccepted(m.sender());
      }
      acks.processed(sender, id);
      shown = groupChats.receive(m, bytes); // stored before acknowledged
    } catch (IOException | RuntimeException e) {
      releaseMessageId(sender, envelope);
      throw e;
    }
    if (!own) {
      tellLedgerNotices(m);
    }
    if (shown) {
      sendReceipt(m);
    }
    acknowledge(sender, id);
  }

  /**
   * Verifies and applies a group change forwarded by {@code m.sender()} (docs/v2/groups.md section
   * 6.6), then acknowledges it; never answered with a receipt. A copy applied before changes
   * nothing.
   */
  private void forwarded(OpenedMessage m, String sender, String id, RoutingPrefix envelope)
      throws IOException {
    byte[] record = m.content().forwardedChange();
    try {
      acks.processed(sender, id);
      groupSync.receive(m.sender(), record); // stored before acknowledged
    } catch (IOException | RuntimeException e) {
      releaseMessageId(sender, envelope);
      throw e;
    } finally {
      Arrays.fill(record, (byte) 0);
    }
    acknowledge(sender, id);
  }

  /**
   * Keeps and shows a copy of what this person sent from another device: in the conversation with
   * the other party, as sent by me; never answered with a receipt (it would go to myself).
   */
  private void ownCopy(OpenedMessage m, String sender, String id, RoutingPrefix envelope)
      throws IOException {
    String me = config.me().name();
    String peer = m.recipients().stream().filter(r -> !r.equals(me)).findFirst().orElse(me);
    try {
      acks.processed(sender, id);
      if (m.kind() != ContentKind.RECEIPT) {
        history.recordOutgoing(peer, id, m.timestamp(), m.text()); // stored before acknowledged
        history.markSent(peer, id);
      }
    } catch (IOException | RuntimeException e) {
      releaseMessageId(sender, envelope);
      throw e;
    }
    if (m.kind() != ContentKind.RECEIPT) {
      listener.onOwnMessage(peer, m);
    }
    acknowledge(sender, id);
  }

  private void releaseMessageId(String sender, RoutingPrefix envelope) {
    try {
      replayGuard.release(sender, envelope.messageId());
    } catch (RuntimeException release) {
      LOG.warn("cannot release the message id after a local failure: {}", release.getMessage());
    }
  }

  /**
   * Tells the user what the conversation ledger noticed when {@code m} arrived (messages missing,
   * lost, out of order: docs/v2/conversation-ledger.md), one notice each, the peer's name made safe
   * for a terminal.
   */
  private void tellLedgerNotices(OpenedMessage m) {
    String peer = m.sender().replaceAll("[\\p{Cntrl}\\p{Cf}]", "?");
    for (LedgerNotice n : m.notices()) {
      listener.onNotice("[!] " + n.describe(peer));
    }
  }

  /**
   * Test seam: processes {@code envelope} as if the relay had pushed it on this connection, as a
   * hostile relay may push any envelope to anyone.
   */
  void deliverAsRelay(byte[] envelope) {
    byte[] copy = envelope.clone();
    receiver.execute(
        () -> {
          receive(copy);
          acker.flush();
        });
  }

  /** Test seam: the version-2 session store. */
  SqliteSessionStore sessionStore() {
    return sessions;
  }

  private void malformed(MalformedEnvelopeException e) {
    listener.onRejected(
        null, null, "a malformed envelope arrived and was discarded (" + e.getMessage() + ")");
  }

  /**
   * A well-formed envelope of a version this client cannot open: kept on the relay (not
   * acknowledged: nothing is lost), and the user is told once per version and connection so they
   * can update (docs/v2/envelope.md section 6).
   */
  private void unopenable(RoutingPrefix prefix) {
    if (!unopenableShown.add(prefix.version())) {
      LOG.debug("kept unopened: a version {} message from {}", prefix.version(), prefix.sender());
      return;
    }
    listener.onNotProcessed(prefix.sender(), unopenableExplanation(prefix));
  }

  /** What the user is told about a message in an envelope version this client cannot open. */
  static String unopenableExplanation(RoutingPrefix prefix) {
    return "A message from "
        + prefix.sender()
        + " uses envelope version "
        + prefix.version()
        + ", which this version of ztchat cannot open yet. It was kept on the server, unread;"
        + " update ztchat to read it (it is delivered again on the next connection).";
  }

  /** Test seam: the local store, to make it fail as a broken disk would. */
  ClientStore localStore() {
    return store;
  }

  private static boolean mayBeOutdatedKeys(RejectionReason reason) {
    return reason == RejectionReason.BAD_SIGNATURE
        || reason == RejectionReason.UNTRUSTED_SENDER_CERTIFICATE;
  }

  private void rejected(String sender, String id, EnvelopeRejectedException e, byte[] bytes) {
    try {
      if (e.reason() == RejectionReason.REPLAY && acks.awaitingConfirmation(sender, id)) {
        // The relay never confirmed our acknowledgement (lost, or we died first), so it delivered
        // the message again: absorb the copy silently. It is not shown twice either way.
        acknowledge(sender, id);
        return;
      }
    } catch (IOException io) {
      LOG.warn("cannot read the acknowledgement ledger: {}", io.getMessage());
    }
    LOG.debug("dropped envelope id={} claimed sender={}: {}", id, sender, e.reason());
    if (e.reason() == RejectionReason.FOR_MY_OTHER_DEVICES) {
      // Sealed to my other devices only, and signed by the sender's device (the sender holds this
      // one, or sends a device of mine it accepted later what that device missed): nothing here to
      // read, and nothing wrong.
      acknowledge(sender, id);
      return;
    }
    if (e.reason() == RejectionReason.NOT_FOR_ME
        && OtherDeviceCopies.sealedToMyOtherDevices(bytes, config.me().name())) {
      // Sealed to my other devices only, by a device of the sender this one has not met (a receipt
      // for a message another device of mine wrote): nothing for this device, nothing wrong.
      LOG.debug("set aside id={} from {}: sealed to my other devices only", id, sender);
      acknowledge(sender, id);
      return;
    }
    listener.onRejected(sender, e.reason(), e.getMessage());
    acknowledge(sender, id); // processed: the relay may delete its copy
  }

  /**
   * Tells the user once per run of failures that a message waits on the relay; nothing was dropped.
   */
  private void notProcessed(String sender, String cause) {
    if (notProcessedShown) {
      LOG.debug("not processed either: a message from {}: {}", sender, cause);
      return;
    }
    notProcessedShown = true;
    listener.onNotProcessed(sender, notProcessedExplanation(sender, cause));
  }

  /** What the user is told about a message that could not be processed locally. */
  static String notProcessedExplanation(String sender, String cause) {
    return "A message from "
        + sender
        + " could not be processed locally: "
        + cause
        + "; it was kept on the server and will be retried (on the next connection at the latest).";
  }

  /**
   * Waits between attempts to open an envelope whose sender could not be looked up: backoff with
   * jitter, at least what the relay asked for ({@code rate_limited}), for as long as the connection
   * that was current at the first failure lives. After that the relay delivers the envelope again
   * on the next connection.
   */
  private final class LookupRetry {
    private final RelayConnection conn = supervisor.current().orElse(null);
    private final Backoff backoff =
        new Backoff(LOOKUP_RETRY_FIRST, 2.0, LOOKUP_RETRY_MAX, RandomGenerator.getDefault());

    boolean waitBeforeRetry(SenderLookupUnavailableException e) {
      if (!stillConnected()) {
        return false;
      }
      acker.flush(); // what was handled before this envelope need not wait for it
      Duration delay = backoff.next();
      if (delay.compareTo(e.retryAfter()) < 0) {
        delay = e.retryAfter();
      }
      if (delay.compareTo(LOOKUP_RETRY_FLOOR) < 0) {
        delay = LOOKUP_RETRY_FLOOR;
      }
      LOG.debug(
          "sender lookup failed ({}); trying again in {} ms", e.getMessage(), delay.toMillis());
      try {
        if (closing.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
          return false;
        }
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        return false;
      }
      return stillConnected();
    }

    private boolean stillConnected() {
      return conn != null && conn.isOpen() && supervisor.current().orElse(null) == conn;
    }
  }

  /**
   * Bounds of the wait between attempts to look up a sender (the relay's answer may ask for more).
   */
  static final Duration LOOKUP_RETRY_FIRST = Duration.ofMillis(500);

  static final Duration LOOKUP_RETRY_MAX = Duration.ofSeconds(30);
  private static final Duration LOOKUP_RETRY_FLOOR = Duration.ofMillis(100);

  /**
   * Tells the relay this envelope was processed, so it can delete its stored copy: with the others
   * handled in the same read (an {@code acks}) when the relay takes batches ({@link AckSender}).
   */
  private void acknowledge(String sender, String messageIdHex) {
    if (ackEnabled) {
      acker.add(sender, messageIdHex);
    }
  }

  /**
   * Has {@code m}'s sender sent a receipt signed by me, paced, so they see "delivered". Best
   * effort.
   */
  private void sendReceipt(OpenedMessage m) {
    receipts.submit(m.sender(), m.messageId());
  }

  private void track(CompletableFuture<?> f) {
    inFlight.add(f);
    f.whenComplete((r, e) -> inFlight.remove(f));
  }

  /** Test seam: a client that never acknowledges, as if it died before each acknowledgement. */
  void disableAcknowledgements() {
    this.ackEnabled = false;
  }

  @Override
  public void close() {
    closing.countDown();
    rechecks.shutdownNow();
    prekeyThread.shutdownNow(); // a publication in progress is tried again on the next run
    receiver.shutdown();
    try {
      prekeyThread.awaitTermination(5, TimeUnit.SECONDS);
      receiver.awaitTermination(5, TimeUnit.SECONDS);
      acker.flush();
      receipts.sendWaiting(ReceiptPacer.PER_SECOND);
      // Let acknowledgements and receipts already sent get their answers, briefly.
      CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(2, TimeUnit.SECONDS);
      receipts.inFlight().get(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.debug("closing with unanswered requests: {}", e.toString());
    } finally {
      receipts.close();
    }
    supervisor.close();
    replayGuard.close();
    sessions.close();
    store.close();
  }
}
