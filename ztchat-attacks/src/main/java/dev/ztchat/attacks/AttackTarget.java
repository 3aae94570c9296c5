package dev.ztchat.attacks;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.pki.PkiAdmin;
import dev.ztchat.core.pki.PkiException;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import dev.ztchat.server.SecurityEvent;
import dev.ztchat.server.SecurityLog;
import dev.ztchat.server.store.QueueLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The server under attack and the certificates the attacks use: either a relay this class started
 * on a free loopback port with a temporary PKI (short timeouts, so the suite takes seconds), or a
 * running server named by host and port with its certs folder.
 */
public final class AttackTarget implements AutoCloseable {
  /** Users the temporary PKI creates: alice and bob, and carol as a bystander or third party. */
  public static final List<String> USERS = List.of("alice", "bob", "carol");

  /**
   * How long a remote target is left alone between two attacks: the time the relay's default
   * per-identity budget (burst {@link ProtocolLimits#DEFAULT_FRAME_BURST} frames at {@link
   * ProtocolLimits#DEFAULT_FRAMES_PER_SECOND} a second) takes to refill, so that one attack's
   * traffic as alice or bob never counts against the next.
   */
  static final Duration BUDGET_REFILL =
      Duration.ofMillis(
          1000L * ProtocolLimits.DEFAULT_FRAME_BURST / ProtocolLimits.DEFAULT_FRAMES_PER_SECOND);

  private final String host;
  private volatile int port;
  private final CertsLayout certs;
  private volatile RelayServer server;
  private final RelayServerConfig localConfig;
  private int relaysStarted;
  private long lastAttackEndedNanos;
  private final Duration frameTimeout;
  private final Duration handshakeTimeout;
  private final Path workDir;
  private final Map<String, UserIdentity> users = new ConcurrentHashMap<>();
  private final X509Certificate ca;

  private AttackTarget(
      String host,
      int port,
      CertsLayout certs,
      RelayServer server,
      RelayServerConfig localConfig,
      Duration frameTimeout,
      Duration handshakeTimeout,
      Path workDir)
      throws IOException {
    this.host = requireNonNull(host, "host");
    this.port = port;
    this.certs = requireNonNull(certs, "certs");
    this.server = server;
    this.localConfig = localConfig;
    this.frameTimeout = frameTimeout;
    this.handshakeTimeout = handshakeTimeout;
    this.workDir = workDir;
    this.ca = PemFiles.readCertificate(certs.caCertificate());
  }

  /**
   * Starts a relay on 127.0.0.1 port 0 with a fresh RSA-2048 PKI for {@link #USERS}, frame timeout
   * 2 s, handshake timeout 3 s, idle timeout 30 s, the default rate limit and a quota of 400
   * envelopes per recipient.
   */
  public static AttackTarget startLocal() throws IOException, InterruptedException {
    Path work = Files.createTempDirectory("ztchat-attack-");
    try {
      CertsLayout certs = new CertsLayout(work.resolve("certs"));
      new PkiAdmin(certs, Clock.systemUTC(), line -> {})
          .init(PkiAdmin.InitOptions.defaults().withUsers(USERS).withKeyBits(2048));
      Duration frame = Duration.ofSeconds(2);
      Duration handshake = Duration.ofSeconds(3);
      RelayServerConfig config =
          RelayServerConfig.defaults(certs)
              .withPort(0)
              .withTimeouts(Duration.ofSeconds(30), frame, handshake);
      // a small mailbox (400 envelopes per recipient), so that filling it takes seconds under the
      // rate limit
      config =
          config.withQueue(config.queue().withQuota(400, config.queue().maxBytesPerRecipient()));
      RelayServer server = RelayServer.start(config);
      return new AttackTarget(
          "localhost", server.port(), certs, server, config, frame, handshake, work);
    } catch (IOException | RuntimeException | InterruptedException e) {
      deleteTree(work);
      throw e;
    } catch (PkiException e) {
      deleteTree(work);
      throw new IOException(e.getMessage(), e);
    }
  }

  /**
   * A running server at {@code host:port}; {@code certsDir} holds its CA certificate and the user
   * identities the attacks act as (alice, bob, carol). The attacks assume the default frame and
   * handshake timeouts (10 s each).
   */
  public static AttackTarget remote(String host, int port, Path certsDir) throws IOException {
    Path work = Files.createTempDirectory("ztchat-attack-");
    return new AttackTarget(
        host,
        port,
        new CertsLayout(certsDir),
        null,
        null,
        ProtocolLimits.DEFAULT_FRAME_TIMEOUT,
        ProtocolLimits.DEFAULT_HANDSHAKE_TIMEOUT,
        work);
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** Where the target is, for reports. */
  public String describe() {
    return (server == null ? "server " : "a relay started for the attack on ") + host + ":" + port;
  }

  CertsLayout certs() {
    return certs;
  }

  X509Certificate caCertificate() {
    return ca;
  }

  Duration frameTimeout() {
    return frameTimeout;
  }

  Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** A user's identity (certificates and keys) from the certs folder. */
  UserIdentity user(String name) throws CouldNotRunException {
    UserIdentity id = users.get(name);
    if (id != null) {
      return id;
    }
    try {
      id = certs.readUser(name);
    } catch (IOException e) {
      throw new CouldNotRunException(
          "needs user '"
              + name
              + "' in "
              + certs.root()
              + " (create it with ./ztchat pki issue "
              + name
              + "): "
              + e.getMessage());
    }
    users.put(name, id);
    return id;
  }

  /** The root CA with its private key, for attacks that mint certificates the CA did sign. */
  Credential caCredential() throws CouldNotRunException {
    try {
      return new Credential(ca, PemFiles.readPrivateKey(certs.caKey()));
    } catch (IOException e) {
      throw new CouldNotRunException(
          "needs the CA's private key " + certs.caKey() + " to mint this certificate");
    }
  }

  /** The server's certificate and key, held by the hostile relay (a compromised server). */
  Credential serverCredential() throws CouldNotRunException {
    try {
      return new Credential(
          PemFiles.readCertificate(certs.serverCertificate()),
          PemFiles.readPrivateKey(certs.serverKey()));
    } catch (IOException e) {
      throw new CouldNotRunException(
          "the hostile relay plays a compromised server and needs "
              + certs.serverCertificate()
              + " and "
              + certs.serverKey());
    }
  }

  /** The relay's security log when this target started it; empty for a remote server. */
  Optional<SecurityLog> securityLog() {
    return server == null ? Optional.empty() : Optional.of(server.securityLog());
  }

  /** How many times the started relay logged {@code event}; -1 for a remote server. */
  long count(SecurityEvent event) {
    return server == null ? -1 : server.securityLog().count(event);
  }

  /**
   * Makes the target ready for the next attack, so that attacks do not depend on each other: a
   * relay this class started is replaced by a new one on the same PKI with an empty store, no
   * devices, no prekeys and full rate budgets (its port changes); a remote server is left alone
   * until {@link #BUDGET_REFILL} has passed since the previous attack ended.
   */
  synchronized void beforeAttack() throws IOException, InterruptedException {
    if (localConfig == null) {
      if (lastAttackEndedNanos != 0) {
        long waited = System.nanoTime() - lastAttackEndedNanos;
        long left = BUDGET_REFILL.toNanos() - waited;
        if (left > 0) {
          Thread.sleep(left / 1_000_000, (int) (left % 1_000_000)); // the relay's own refill
        }
      }
      return;
    }
    if (relaysStarted++ == 0) {
      return; // the relay startLocal began is still untouched
    }
    server.close();
    Path data = workDir.resolve("relay-data-" + relaysStarted);
    RelayServer next =
        RelayServer.start(
            localConfig.withQueue(
                QueueLimits.defaults(data)
                    .withQuota(
                        localConfig.queue().maxMessagesPerRecipient(),
                        localConfig.queue().maxBytesPerRecipient())));
    server = next;
    port = next.port();
  }

  /** Marks the end of an attack (see {@link #beforeAttack}). */
  synchronized void afterAttack() {
    lastAttackEndedNanos = System.nanoTime();
  }

  /** A fresh, empty folder for one client's state. */
  Path newStateDir(String name) throws IOException {
    return Files.createTempDirectory(workDir, "state-" + name + "-");
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
    deleteTree(workDir);
  }

  private static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // best effort: a temporary folder left behind is not worth failing a report for
    }
  }
}
