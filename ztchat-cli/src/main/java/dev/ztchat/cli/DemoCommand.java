package dev.ztchat.cli;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ChatClientConfig;
import dev.ztchat.client.ChatListener;
import dev.ztchat.client.GroupView;
import dev.ztchat.client.RelayConnection;
import dev.ztchat.client.SendResult;
import dev.ztchat.client.UntrustedContactException;
import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeFormats;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.SealedEnvelope;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.pki.PkiAdmin;
import dev.ztchat.core.pki.PkiRevocation;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import dev.ztchat.server.SecurityEvent;
import dev.ztchat.terminal.TerminalText;
import dev.ztchat.terminal.Warnings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ztchat demo}: the whole system on a throw-away setup: a temporary PKI, a relay on a free
 * loopback port, alice and bob chatting both ways, then a replay, a tampered envelope and a spoofed
 * sender, each stopped, all explained step by step. Cleans up after itself.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Show an end-to-end encrypted exchange and three attacks on a temporary setup (no set-up"
            + " needed).")
final class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--key-size",
      defaultValue = "3072",
      description = "RSA key size for the demo PKI (default: ${DEFAULT-VALUE}).")
  int keyBits;

  @Option(
      names = "--keep",
      description = "Keep the temporary folder (certificates, state) and print where it is.")
  boolean keep;

  private final PrintStream out = System.out;
  private int step;

  @Override
  public Integer call() throws Exception {
    // The demo narrates; routine log lines would drown it. Security events still show, as lines
    // of the narrative rather than raw log lines on stderr.
    Path tmp = Files.createTempDirectory("ztchat-demo-");
    try (ClientLogging logging = ClientLogging.routeTo(line -> say("log: " + line))) {
      return run(tmp);
    } finally {
      if (keep) {
        out.println("\nThe demo files are kept in " + tmp);
      } else {
        deleteTree(tmp);
      }
    }
  }

  private int run(Path tmp) throws Exception {
    out.println(
        "ztchat demo: end-to-end encrypted chat over a relay that is trusted with nothing.\n");

    step("Creating a throw-away PKI (the organisation's own certificate authority)");
    CertsLayout certs = new CertsLayout(tmp.resolve("certs"));
    PkiAdmin admin = new PkiAdmin(certs, Clock.systemUTC(), line -> say("  " + line));
    admin.init(
        PkiAdmin.InitOptions.defaults().withUsers(List.of("alice", "bob")).withKeyBits(keyBits));
    admin.issue("carol", keyBits, PkiAdmin.InitOptions.defaults().days(), false, false);
    say(
        "alice and bob each have a device key (ECDSA P-256) for protocol version 2, and two RSA"
            + " keys for version 1;");
    say("carol, on an older ztchat, has only the two RSA keys (version 1).");

    step("Starting the relay server on a free port of this machine (127.0.0.1)");
    try (RelayServer server = RelayServer.start(RelayServerConfig.defaults(certs).withPort(0))) {
      say(
          "The relay only lets in devices with a certificate from our CA (mutual TLS), using "
              + server.tlsDescription()
              + ".");

      step("alice and bob connect; the relay learns who they are from their certificates");
      Screen aliceScreen = new Screen("alice");
      Screen bobScreen = new Screen("bob");
      Map<String, byte[]> wire = new ConcurrentHashMap<>();
      UserIdentity alice = certs.readUser("alice");
      UserIdentity bob = certs.readUser("bob");
      ChatClient bobClient = ChatClient.connect(config(certs, bob, server, tmp), bobScreen);
      try (ChatClient aliceClient =
          ChatClient.connect(config(certs, alice, server, tmp), aliceScreen)) {
        tap(bobClient, wire);
        say(
            "alice is connected as '"
                + aliceClient.boundIdentity()
                + "', bob as '"
                + bobClient.boundIdentity()
                + "'.");

        step("alice checks bob's keys, then sends him a message");
        say(
            "alice's client fetched bob's certificates from the relay and checked them against the"
                + " CA itself;");
        say(
            "it pinned bob's key fingerprint "
                + aliceClient.lookUp("bob").fingerprint()
                + " (trust on first use).");
        SendResult r = aliceClient.send("bob", "Hi Bob! The relay cannot read this.");
        say(
            "alice -> relay: accepted, "
                + r.statusOf("bob").wire()
                + " (message id "
                + r.messageId()
                + ")");
        byte[] first = await(wire, r.messageId());
        say(
            "What the relay carried: "
                + first.length
                + " bytes of sealed envelope, e.g. "
                + HexFormat.of().formatHex(first, first.length - 48, first.length - 24)
                + "...");
        if (first[0] == V2Envelope.VERSION) {
          say(
              "(version 2: alice's client took one of bob's one-time prekeys from the relay and"
                  + " agreed a session key with him through X25519 and ML-KEM-768, so a future"
                  + " quantum computer does not open it either; each message then gets a key of its"
                  + " own from a ratchet, deleted once used, so keys stolen later open nothing sent"
                  + " before. alice's device key signed it all.)");
        } else {
          say(
              "(a fresh AES-256-GCM key encrypted the text; RSA-OAEP wrapped that key for bob;"
                  + " alice signed it all)");
        }
        OpenedMessage m = bobScreen.expectMessage();
        say(
            "bob's client checked the CA chain, the signature, the time window and that it is new,"
                + " then decrypted:");
        say("    bob sees  >> " + m.sender() + ": " + m.text());
        say(
            "alice's client shows: delivered (bob's client sent back a receipt signed by bob: "
                + aliceScreen.expectReceipt().substring(0, 8)
                + "...)");

        step("bob answers, and they exchange a few more messages");
        bobClient.send("alice", "Hi Alice, loud and clear.");
        say("    alice sees >> bob: " + aliceScreen.expectMessage().text());
        SendResult noon = aliceClient.send("bob", "Shall we meet at noon?");
        say("    bob sees  >> alice: " + bobScreen.expectMessage().text());
        byte[] second = await(wire, noon.messageId());

        step("bob goes offline; alice writes anyway");
        bobClient.close();
        SendResult later = aliceClient.send("bob", "Running late, see you at 12:30.");
        say(
            "alice -> relay: "
                + later.statusOf("bob").wire()
                + ": the relay stored the sealed envelope on disk (it still cannot read it)");
        bobClient = ChatClient.connect(config(certs, bob, server, tmp), bobScreen);
        tap(bobClient, wire);
        say("bob comes back online, and his client fetches what waited for him:");
        say("    bob sees  >> alice: " + bobScreen.expectMessage().text());
        say(
            "The relay deletes its copy only once bob's client has verified and stored the"
                + " message.");

        step("carol, on an older ztchat (version 1 only), writes to alice");
        Screen carolScreen = new Screen("carol");
        try (ChatClient carolClient =
            ChatClient.connect(config(certs, certs.readUser("carol"), server, tmp), carolScreen)) {
          carolClient.send("alice", "Hello alice, I have not upgraded yet.");
          say("    alice sees >> carol: " + aliceScreen.expectMessage().text());
          aliceClient.send("carol", "No problem, version 1 still works between us.");
          say("    carol sees >> alice: " + carolScreen.expectMessage().text());
          say(
              "carol has no version-2 keys, so both sides use version 1 (RSA-OAEP and RSA-PSS)"
                  + " with her; alice and bob keep version 2, and a relay cannot push them back:"
                  + " once bob's client has seen version 2 from alice, it refuses version 1 from"
                  + " her.");
        }

        groupAndSecondDevice(admin, certs, server, tmp, bobScreen);

        try (RelayConnection attacker =
            RelayConnection.connect(
                "localhost",
                server.port(),
                alice.signing(),
                PemFiles.readCertificate(certs.caCertificate()))) {
          step("Attack 1 - replay: an old captured envelope is delivered to bob a second time");
          attacker.sendOneWay(new Frame.Send(null, first));
          say("bob's client: " + bobScreen.expectWarning(RejectionReason.REPLAY));

          step("Attack 2 - tampering: one bit of an encrypted message is changed on the way");
          attacker.sendOneWay(new Frame.Send(null, flipCiphertextBit(second)));
          say("bob's client: " + bobScreen.expectWarning(RejectionReason.BAD_SIGNATURE));

          step("Attack 3 - spoofing: alice's connection sends a message claiming to be from bob");
          long spoofsBefore = server.securityLog().count(SecurityEvent.SPOOFING);
          attacker.sendOneWay(new Frame.Send(null, rewriteSender(first, "bob")));
          waitFor(() -> server.securityLog().count(SecurityEvent.SPOOFING) > spoofsBefore);
          say(
              "The relay compared the claimed sender with the certificate of the connection,"
                  + " logged");
          say("'[!] Spoofing detected.' and dropped the packet silently: nothing reached anyone.");
        }

        step("alice's laptop is stolen: the administrator revokes her certificates");
        new PkiRevocation(certs, Clock.systemUTC(), line -> {})
            .revoke("alice", RevocationReason.KEY_COMPROMISE, Duration.ofDays(7));
        say(
            "./ztchat pki revoke alice  added her certificates to the CA's revocation list"
                + " (ca.crl).");
        long cutOff = System.nanoTime();
        waitFor(() -> !aliceClient.isConnected());
        say(
            "The running relay noticed the new list by itself and cut alice's connection after "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutOff)
                + " ms; she can no longer connect.");
        say(
            "bob's client fetches the new list from the relay (it does so every few seconds"
                + " anyway): "
                + bobClient.refreshRevocations()
                + " revoked certificates, signed by the CA.");
        try {
          bobClient.send("alice", "are you there?");
          throw new IOException("bob's client sealed a message for a revoked certificate");
        } catch (UntrustedContactException e) {
          say("bob's client refuses to encrypt to her: " + e.getMessage());
        }

        step("Summary");
        say(
            "Delivered and verified: 6 messages (one while bob was offline, two in version 1 with"
                + " carol), and one group message to bob, carol and alice's phone. Dropped: 1"
                + " replay, 1 tampered message, 1 spoofed sender.");
        say("A revoked device was cut off within seconds, without restarting anything.");
        say(
            "The relay never had a key that could read a message, and could not alter, forge or"
                + " replay one unnoticed.");
      } finally {
        bobClient.close();
      }
    }
    out.println(
        "\n"
            + "Done. Try it yourself:  ./ztchat pki init  then  ./ztchat server  and, in two more"
            + " terminals,");
    out.println("./ztchat client --identity alice  and  ./ztchat client --identity bob");
    out.println("or, in a browser window:  ./ztchat web --identity alice");
    return 0;
  }

  /**
   * {@code id}'s client configuration, with its version-2 device credential when the CA issued one
   * (alice and bob talk in version 2; carol, without one, in version 1).
   */
  private ChatClientConfig config(CertsLayout certs, UserIdentity id, RelayServer server, Path tmp)
      throws IOException {
    return ChatClientConfig.of(
            "localhost",
            server.port(),
            id,
            PemFiles.readCertificate(certs.caCertificate()),
            tmp.resolve("state-" + id.name()))
        .withDevice(certs.hasDevice(id.name()) ? certs.readDevice(id.name()) : null);
  }

  /**
   * carol upgrades to version 2, alice gets a laptop and a phone (two named devices), alice's
   * laptop creates {@code #team} with bob and carol and writes to it: bob and carol read it, and
   * alice's phone shows the copy of what her laptop sent.
   */
  private void groupAndSecondDevice(
      PkiAdmin admin, CertsLayout certs, RelayServer server, Path tmp, Screen bobScreen)
      throws Exception {
    step("carol upgrades, alice gets a laptop and a phone, and alice starts the group #team");
    int days = PkiAdmin.InitOptions.defaults().days();
    admin.addDevice("carol", days);
    admin.issueDevice("alice", "laptop", keyBits, days);
    admin.issueDevice("alice", "phone", keyBits, days);
    say(
        "The CA issued carol a device key, and alice one for her laptop and one for her phone:"
            + " each device has its own key and its own sessions; no private key is copied.");
    UserIdentity alice = certs.readUser("alice");
    Screen carolScreen = new Screen("carol");
    Screen phoneScreen = new Screen("alice's phone");
    try (ChatClient phone =
            ChatClient.connect(device(certs, alice, "phone", server, tmp), phoneScreen);
        ChatClient carol =
            ChatClient.connect(config(certs, certs.readUser("carol"), server, tmp), carolScreen);
        ChatClient laptop =
            ChatClient.connect(device(certs, alice, "laptop", server, tmp), new Screen("laptop"))) {
      awaitPrekeys(List.of(phone, carol, laptop));
      createTeam(laptop);
      say(
          "alice's laptop created #team with bob and carol; each member's client checks the signed"
              + " change: only alice, its admin, may add or remove members.");
      bobScreen.expectGroupChange("created #team");
      carolScreen.expectGroupChange("created #team");
      laptop.sendToGroup("#team", "Welcome to #team, everyone.");
      say("    bob sees   >> " + bobScreen.expectGroupMessage());
      say("    carol sees >> " + carolScreen.expectGroupMessage());
      say(
          "    alice's phone shows >> "
              + phoneScreen.expectGroupMessage()
              + " (sent from her laptop)");
      say(
          "One envelope, one entry per device of every member and of alice's other devices, each"
              + " through its own pairwise session: a member removed later gets no entry in"
              + " anything sent after.");
      phone.isConnected(); // kept open until here: it receives the copy
      carol.isConnected();
    }
  }

  /**
   * Waits until each device's prekeys are at the relay: a group made before alice's phone published
   * would not reach the phone, which would then refuse the group's messages as from a group it does
   * not know.
   */
  private static void awaitPrekeys(List<ChatClient> devices) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!devices.stream().allMatch(ChatClient::prekeysPublished)) {
      if (System.nanoTime() > deadline) {
        throw new IOException("a device's prekeys did not reach the relay within 30 s");
      }
      Thread.sleep(50);
    }
  }

  /** alice's laptop creates #team, trying again while a member's first prekeys are on their way. */
  private static void createTeam(ChatClient laptop) throws Exception {
    for (int attempt = 0; ; attempt++) {
      try {
        laptop.createGroup("team", List.of("bob", "carol"));
        return;
      } catch (IOException e) {
        if (attempt >= 50) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  /** The configuration of {@code id}'s named device {@code device}, with its own state folder. */
  private ChatClientConfig device(
      CertsLayout certs, UserIdentity id, String device, RelayServer server, Path tmp)
      throws IOException {
    return ChatClientConfig.of(
            "localhost",
            server.port(),
            id,
            PemFiles.readCertificate(certs.caCertificate()),
            tmp.resolve("state-" + id.name() + "+" + device))
        .withDevice(certs.readDevice(id.name(), device));
  }

  /** Records every envelope bob's client receives, by message id (what a relay would see). */
  private static void tap(ChatClient client, Map<String, byte[]> wire) {
    client.onRawEnvelope(
        bytes -> {
          try {
            wire.put(EnvelopeFormats.decodeRoutable(bytes).messageIdHex(), bytes);
          } catch (MalformedEnvelopeException e) {
            // not an envelope: nothing to capture
          }
        });
  }

  private static byte[] await(Map<String, byte[]> wire, String messageId)
      throws InterruptedException, IOException {
    for (int i = 0; i < 500 && !wire.containsKey(messageId); i++) {
      Thread.sleep(20);
    }
    byte[] b = wire.get(messageId);
    if (b == null) {
      throw new IOException("the demo message " + messageId + " did not reach bob");
    }
    return b;
  }

  /** The same envelope with one bit of its ciphertext (version 1) or body (version 2) flipped. */
  private static byte[] flipCiphertextBit(byte[] envelope) throws MalformedEnvelopeException {
    if (EnvelopeFormats.formatOf(envelope).version() == V2Envelope.VERSION) {
      V2Envelope e = V2Envelope.decode(envelope);
      byte[] body = e.body();
      body[body.length - 20] ^= 0x01;
      return new V2Envelope(e.prefix(), body, e.signature()).encode();
    }
    SealedEnvelope e = EnvelopeCodec.decode(envelope);
    byte[] ct = e.ciphertext();
    ct[ct.length / 2] ^= 0x01;
    return EnvelopeCodec.encode(
        new SealedEnvelope(e.header(), e.keys(), e.nonce(), ct, e.signature()));
  }

  /** The same envelope with another sender written in its header or routing prefix. */
  private static byte[] rewriteSender(byte[] envelope, String newSender)
      throws MalformedEnvelopeException {
    if (EnvelopeFormats.formatOf(envelope).version() == V2Envelope.VERSION) {
      V2Envelope e = V2Envelope.decode(envelope);
      RoutingPrefix p = e.prefix();
      RoutingPrefix forged =
          new RoutingPrefix(
              p.version(), newSender, p.recipients(), p.timestampMillis(), p.messageId());
      return new V2Envelope(forged, e.body(), e.signature()).encode();
    }
    SealedEnvelope e = EnvelopeCodec.decode(envelope);
    EnvelopeHeader h = e.header();
    EnvelopeHeader forged =
        new EnvelopeHeader(
            h.version(), newSender, h.recipients(), h.timestampMillis(), h.messageId());
    return EnvelopeCodec.encode(
        new SealedEnvelope(forged, e.keys(), e.nonce(), e.ciphertext(), e.signature()));
  }

  private void step(String title) {
    step++;
    out.println();
    out.println("[" + step + "] " + title);
  }

  private void say(String line) {
    out.println("    " + TerminalText.notice(line));
  }

  private static void waitFor(BooleanSupplier condition) throws InterruptedException, IOException {
    for (int i = 0; i < 250; i++) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(20);
    }
    throw new IOException("the demo expected an event that did not happen");
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** What one user's screen shows; the demo waits on it. */
  private static final class Screen implements ChatListener {
    private final String name;
    private final BlockingQueue<OpenedMessage> messages = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> warnings = new LinkedBlockingQueue<>();
    private final BlockingQueue<RejectionReason> reasons = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> receipts = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> groupMessages = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> groupChanges = new LinkedBlockingQueue<>();

    Screen(String name) {
      this.name = name;
    }

    @Override
    public void onMessage(OpenedMessage message) {
      messages.add(message);
    }

    @Override
    public void onRejected(String claimedSender, RejectionReason reason, String explanation) {
      warnings.add(Warnings.dropped(claimedSender, reason) + " - " + explanation);
      reasons.add(reason == null ? RejectionReason.MALFORMED_CONTENT : reason);
    }

    @Override
    public void onGroupMessage(GroupView group, String sender, OpenedMessage message) {
      groupMessages.add(group.shown() + " " + sender + ": " + message.text());
    }

    @Override
    public void onGroupChange(GroupView group, String description) {
      groupChanges.add(description);
    }

    String expectGroupMessage() throws InterruptedException, IOException {
      String m = groupMessages.poll(20, TimeUnit.SECONDS);
      if (m == null) {
        throw new IOException(name + " did not receive the expected group message");
      }
      return TerminalText.notice(m);
    }

    void expectGroupChange(String part) throws InterruptedException, IOException {
      String c;
      while ((c = groupChanges.poll(20, TimeUnit.SECONDS)) != null) {
        if (c.contains(part)) {
          return;
        }
      }
      throw new IOException(name + " was not told '" + part + "'");
    }

    @Override
    public void onDelivered(String peer, String messageIdHex) {
      receipts.add(messageIdHex);
    }

    String expectReceipt() throws InterruptedException, IOException {
      String id = receipts.poll(10, TimeUnit.SECONDS);
      if (id == null) {
        throw new IOException(name + " did not get the expected receipt");
      }
      return id;
    }

    OpenedMessage expectMessage() throws InterruptedException, IOException {
      OpenedMessage m = messages.poll(10, TimeUnit.SECONDS);
      if (m == null) {
        throw new IOException(name + " did not receive the expected message");
      }
      return m;
    }

    String expectWarning(RejectionReason expected) throws InterruptedException, IOException {
      RejectionReason got = reasons.poll(10, TimeUnit.SECONDS);
      String line = warnings.poll(1, TimeUnit.SECONDS);
      if (got != expected) {
        throw new IOException(name + " expected a " + expected + " warning, got " + got);
      }
      if (!messages.isEmpty()) {
        throw new IOException("an attack message was shown to " + name + ": the defence failed");
      }
      return line;
    }
  }
}
