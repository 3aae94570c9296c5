package dev.ztchat.web;

import static dev.ztchat.web.BrowserWindow.text;
import static dev.ztchat.web.BrowserWindow.textOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ChatClientConfig;
import dev.ztchat.client.ChatListener;
import dev.ztchat.client.RelayConnection;
import dev.ztchat.client.VerifiedContact;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.KeyFingerprint;
import dev.ztchat.core.pki.PkiRevocation;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;

/**
 * The chat window in a real browser (Debian's chromium, driven by chromium-driver through
 * Selenium): alice and bob each run their client and window against a real relay on loopback with
 * real TLS and a PKI minted here. One browser pair serves the whole class, in order: a conversation
 * both ways, hostile text, a message typed while the relay is down, a key change, a revoked
 * contact, a renewed one, a narrow window, a restart. The run writes screenshots of the main views
 * to docs/web/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebChatBrowserIntegrationTest {
  static final Duration WAIT = BrowserWindow.WAIT;

  Path dir;
  TestPki pki;
  CertsLayout certs;
  RelayServer relay;
  int relayPort;
  BrowserWindow alice;
  BrowserWindow bob;

  BrowserWindow window(String name) throws IOException {
    return new BrowserWindow(dir, name, config(pki.user(name), name));
  }

  /** A client without a window, for the users the test plays itself. */
  static final class Inbox implements ChatListener {
    final BlockingQueue<OpenedMessage> messages = new LinkedBlockingQueue<>();

    @Override
    public void onMessage(OpenedMessage message) {
      messages.add(message);
    }

    @Override
    public void onRejected(String claimedSender, RejectionReason reason, String explanation) {}

    String next() throws InterruptedException {
      OpenedMessage m = messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(m).as("a message arrives").isNotNull();
      return m.text();
    }
  }

  @BeforeAll
  void start(@TempDir Path tmp) throws Exception {
    dir = tmp;
    Assumptions.assumeTrue(
        BrowserWindow.available(),
        "needs Debian's chromium and chromium-driver (.ci/run installs them)");
    pki =
        TestPki.create(
            "alice", "bob", "carol", "dave", "erin", "frank", "gina", "henry", "iris", "judy");
    certs = pki.writeTo(dir.resolve("certs"));
    relay = RelayServer.start(relayConfig(0));
    relayPort = relay.port();
    alice = window("alice");
    bob = window("bob");
  }

  @AfterAll
  void stop() {
    for (AutoCloseable c : new AutoCloseable[] {alice, bob}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // the next one still closes
      }
    }
    if (relay != null) {
      relay.close();
    }
  }

  RelayServerConfig relayConfig(int port) {
    return RelayServerConfig.defaults(certs, dir.resolve("relay-data")).withPort(port);
  }

  ChatClientConfig config(UserIdentity id, String dataName) {
    return ChatClientConfig.of(
        "localhost", relayPort, id, pki.ca().certificate(), dir.resolve("data-" + dataName));
  }

  @Test
  @Order(1)
  void aliceAndBob_exchangeMessagesBothWays_liveWithUnreadCountsReceiptsAndKeyboard()
      throws Exception {
    alice.open("bob");
    alice.type("Hello bob, is the window working?", Keys.ENTER);
    alice.await(
        () -> alice.messages().equals(List.of("received: Hello bob, is the window working?")),
        "alice's message, received by bob's client");

    bob.await(
        () -> text(bob.find(".conversation[data-peer='alice'] .unread")).equals("1"),
        "one unread message from alice in bob's list");
    assertThat(bob.read(".conversation[data-peer='alice'] .preview"))
        .isEqualTo("Hello bob, is the window working?");
    bob.find(".conversation[data-peer='alice']").sendKeys(Keys.ENTER); // by keyboard
    bob.await(
        () -> bob.messages().equals(List.of("in: Hello bob, is the window working?")),
        "alice's message in bob's window");
    assertThat(bob.all(".conversation[data-peer='alice'] .unread")).as("read now").isEmpty();

    bob.type("Yes, it is.", Keys.chord(Keys.SHIFT, Keys.ENTER), "Two lines, one message.");
    assertThat(bob.messages()).as("Shift+Enter does not send").hasSize(1);
    bob.type(Keys.ENTER);
    alice.await(
        () ->
            alice.messages().contains("in: Yes, it is.\nTwo lines, one message.")
                && alice.messages().size() == 2,
        "bob's two-line reply, live in alice's open conversation");
    bob.await(
        () -> bob.messages().getLast().equals("received: Yes, it is.\nTwo lines, one message."),
        "bob's reply marked received");
    alice.screenshot("conversation");
    bob.screenshot("conversation-bob");
  }

  @Test
  @Order(2)
  void theComposer_showsTheLengthLimit_beforeItIsHit() {
    alice.await(() -> !text(alice.find("#count")).isEmpty(), "the byte counter");
    int max = Integer.parseInt(text(alice.find("#count")).replaceAll(".*/ (\\d+) bytes.*", "$1"));
    JavascriptExecutor js = alice.browser;
    js.executeScript(
        "const t = document.getElementById('text'); t.value = arguments[0];"
            + " t.dispatchEvent(new Event('input'));",
        "x".repeat(max - 10));
    assertThat(text(alice.find("#count"))).isEqualTo("10 bytes left");
    alice.type("x".repeat(11));
    assertThat(text(alice.find("#count"))).startsWith("Too long by 1 bytes");
    assertThat(alice.find("#send").isEnabled()).isFalse();
    js.executeScript(
        "const t = document.getElementById('text'); t.value = '';"
            + " t.dispatchEvent(new Event('input'));");
    assertThat(alice.find("#send").isEnabled()).isTrue();
  }

  @Test
  @Order(3)
  void htmlAndTerminalInjection_fromTheNetwork_renderAsText() throws Exception {
    String html =
        "<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script><b>bold</b>";
    String terminal = "\u001b[2J\u001b]0;owned\u0007clear\r\u202eevil\u200b";
    try (ChatClient carol = ChatClient.connect(config(pki.user("carol"), "carol"), new Inbox())) {
      carol.send("alice", html);
      carol.send("alice", terminal);
    }
    alice.await(
        () -> alice.all(".conversation[data-peer='carol']").size() == 1, "carol in alice's list");
    alice.find(".conversation[data-peer='carol']").click();
    alice.await(() -> alice.messages().size() == 2, "carol's two messages");
    assertThat(alice.messages())
        .containsExactly("in: " + html, "in: \\e[2J\\e]0;owned\\x07clear\\x0d\\u202eevil\\u200b");
    assertThat(alice.all("#messages img, #messages script, #messages b")).isEmpty();
    assertThat(alice.browser.executeScript("return window.pwned === undefined")).isEqualTo(true);
    assertThat(alice.read(".conversation[data-peer='carol'] .preview"))
        .as("the preview is one line")
        .isEqualTo("\\e[2J\\e]0;owned\\x07clear \\u202eevil\\u200b");
    alice.screenshot("hostile-text");
  }

  @Test
  @Order(4)
  void aMessageTypedWhileTheRelayIsDown_isShownKept_thenDeliveredAfterItsRestart()
      throws Exception {
    alice.find(".conversation[data-peer='bob']").click();
    alice.await(() -> alice.messages().size() == 2, "the conversation with bob");
    relay.close();
    try {
      String relayName = "localhost:" + relayPort;
      alice.await(
          () ->
              text(alice.find("#conn"))
                  .matches(
                      "offline.*: reconnecting in \\d+ s with "
                          + Pattern.quote(relayName)
                          + "; messages are kept"),
          "offline, reconnecting in N s with the relay");
      assertThat(alice.read("#conn .relay")).isEqualTo(relayName);
      alice.type("Typed while the relay was down", Keys.ENTER);
      alice.await(
          () -> alice.messages().getLast().equals("kept: Typed while the relay was down"),
          "the message kept on alice's device");
      alice.screenshot("offline-kept");
    } finally {
      relay = RelayServer.start(relayConfig(relayPort));
    }
    alice.awaitText(By.id("conn"), "online, connected to localhost:" + relayPort);
    assertThat(alice.read("#conn .relay")).isEqualTo("localhost:" + relayPort);
    alice.await(
        () -> alice.messages().getLast().equals("received: Typed while the relay was down"),
        "the kept message, delivered and received after the restart");
    bob.await(
        () -> bob.messages().getLast().equals("in: Typed while the relay was down"),
        "bob's window shows it");
  }

  @Test
  @Order(5)
  void aKeyChange_showsTheWarning_andIsSentOnlyAfterItIsAccepted() throws Exception {
    try (ChatClient dave = ChatClient.connect(config(pki.user("dave"), "dave"), new Inbox())) {
      dave.send("alice", "hi alice, it's dave");
    }
    alice.await(
        () -> alice.all(".conversation[data-peer='dave']").size() == 1, "dave in alice's list");
    alice.find(".conversation[data-peer='dave']").click();
    alice.await(() -> alice.messages().size() == 1, "dave's message");

    // dave gets new keys from the CA (a new device, or an attacker with a mis-issued certificate);
    // the relay learns them when they connect
    UserIdentity newDave = pki.addUser("dave");
    Inbox newDaveInbox = new Inbox();
    try (ChatClient dave2 = ChatClient.connect(config(newDave, "dave2"), newDaveInbox)) {
      alice.type("for dave's eyes only", Keys.ENTER);
      alice.await(() -> alice.find("#keychange").isDisplayed(), "the key-change warning");
      assertThat(text(alice.find("#keychange .keychange-title")))
          .isEqualTo("Warning: the keys of dave have changed.");
      assertThat(text(alice.find("#kc-pinned"))).isNotEqualTo(text(alice.find("#kc-new")));
      alice.await(
          () -> alice.messages().getLast().equals("blocked: for dave's eyes only"),
          "the message waiting for the decision");
      assertThat(alice.read(".conversation[data-peer='dave'] .mark")).isEqualTo("keys changed");
      assertThat(newDaveInbox.messages.poll(500, TimeUnit.MILLISECONDS))
          .as("nothing sent to the new keys before accepting")
          .isNull();
      alice.screenshot("key-change");

      alice.find("#accept").click();
      assertThat(newDaveInbox.next()).isEqualTo("for dave's eyes only");
      alice.await(() -> !alice.find("#keychange").isDisplayed(), "the warning gone");
      assertThat(alice.all(".conversation[data-peer='dave'] .mark")).isEmpty();
    }
  }

  @Test
  @Order(6)
  void aRevokedContact_isMarked() throws Exception {
    CrlFiles.write(
        certs.crl(),
        pki.revoke(pki.user("carol").signing().certificate(), RevocationReason.KEY_COMPROMISE));
    relay.reloadRevocations();
    alice.await(
        () -> {
          alice.find(".conversation[data-peer='carol']").click();
          return alice.all(".conversation[data-peer='carol'] .mark-revoked").size() == 1;
        },
        "carol marked revoked in the list");
    alice.await(
        () -> text(alice.find("#peer-mark")).equals("revoked"), "carol marked in the header");
    alice.find("#info-toggle").click();
    alice.await(
        () -> text(alice.find("#contact-status")).contains("certificate REVOKED"),
        "the contact panel says so");

    alice.type("are you still there?", Keys.ENTER);
    alice.await(
        () ->
            alice.all("#messages li[data-state='failed'] .msg-state").stream()
                .anyMatch(
                    e -> text(e).contains("not sent: the certificate of 'carol' was revoked")),
        "the message failed, with the reason");
    alice.screenshot("revoked-contact");
  }

  @Test
  @Order(7)
  void aContactWhoseKeysTheCaRenewed_isMarkedRenewed_notAsAKeyChange_andTheRevokedOneStaysRevoked()
      throws Exception {
    try (ChatClient erin = ChatClient.connect(config(pki.user("erin"), "erin"), new Inbox())) {
      erin.send("alice", "hello from erin");
    }
    alice.await(
        () -> alice.all(".conversation[data-peer='erin']").size() == 1, "erin in alice's list");
    alice.find(".conversation[data-peer='erin']").click();
    alice.await(() -> alice.messages().size() == 1, "erin's message");

    // The CA renews erin in the administrator's copy of the folder and gives the relay only the
    // new list: the relay still serves erin's old certificates until she connects with the new.
    int listed = alice.client.refreshRevocations();
    CertsLayout admin = pki.writeTo(dir.resolve("admin"));
    new PkiRevocation(admin, Clock.systemUTC(), line -> {})
        .renew("erin", TestPki.TEST_KEY_BITS, 30, Duration.ofDays(7));
    Files.copy(admin.crl(), certs.crl(), StandardCopyOption.REPLACE_EXISTING);
    relay.reloadRevocations();
    alice.await(
        () -> {
          try {
            return alice.client.refreshRevocations() > listed;
          } catch (IOException e) {
            return false;
          }
        },
        "alice's client has the list naming erin's renewed keys");

    alice.type("are you there, erin?", Keys.ENTER);
    alice.await(
        () -> text(alice.find(".conversation[data-peer='erin'] .mark")).equals("keys renewed"),
        "erin marked renewed in the list");
    alice.await(
        () -> text(alice.find("#peer-mark")).equals("keys renewed"), "erin marked in the header");
    assertThat(alice.all(".conversation[data-peer='erin'] .mark-changed")).isEmpty();
    assertThat(alice.find("#keychange").isDisplayed()).as("no key-change warning").isFalse();
    alice.await(
        () -> alice.messages().getLast().equals("renewal: are you there, erin?"),
        "the message kept for erin's new keys");
    assertThat(alice.read(".conversation[data-peer='carol'] .mark")).isEqualTo("revoked");
    alice.screenshot("renewed-contact");
  }

  @Test
  @Order(8)
  void aNarrowWindow_showsTheListOrTheConversation() throws Exception {
    alice.browser.manage().window().setSize(new Dimension(420, 760));
    alice.await(() -> alice.find("#back").isDisplayed(), "the open conversation, with a way back");
    assertThat(alice.find("#conversations").isDisplayed()).isFalse();
    alice.find("#back").click();
    alice.await(() -> alice.find("#conversations").isDisplayed(), "the list");
    alice.find(".conversation[data-peer='bob']").click();
    alice.await(() -> alice.find("#messages").isDisplayed(), "the conversation");
    assertThat(alice.find("#conversations").isDisplayed()).isFalse();
    alice.screenshot("narrow");
    alice.find("#back").click();
    alice.await(() -> alice.find("#conversations").isDisplayed(), "the list again");
    assertThat(alice.find("#messages").isDisplayed()).isFalse();
    alice.browser.manage().window().setSize(new Dimension(1100, 700));
  }

  @Test
  @Order(9)
  void unreadCounts_surviveARestartOfTheWindow_andSoDoesOpeningTheConversation() throws Exception {
    alice.find(".conversation[data-peer='dave']").click();
    alice.await(() -> text(alice.find("#peer-name")).equals("dave"), "dave's conversation open");
    for (String text : List.of("one", "two", "three")) {
      bob.client.send("alice", text);
    }
    alice.await(
        () -> text(alice.find(".conversation[data-peer='bob'] .unread")).equals("3"),
        "three unread from bob");

    alice.close();
    alice = window("alice");
    alice.await(
        () -> text(alice.find(".conversation[data-peer='bob'] .unread")).equals("3"),
        "still three unread from bob after the restart");

    alice.find(".conversation[data-peer='bob']").click();
    alice.await(() -> alice.messages().getLast().equals("in: three"), "bob's messages");
    alice.await(() -> alice.all(".conversation[data-peer='bob'] .unread").isEmpty(), "read now");

    alice.close();
    alice = window("alice");
    alice.await(
        () -> alice.all(".conversation[data-peer='bob']").size() == 1,
        "the list after the second restart");
    assertThat(alice.all(".conversation[data-peer='bob'] .unread"))
        .as("still read after the restart")
        .isEmpty();
  }

  @Test
  @Order(10)
  void whenTheRelayRefusesTheOwnCertificate_theWindowSaysRefusedByThatRelayWithTheReason()
      throws Exception {
    CrlFiles.write(
        certs.crl(),
        pki.revoke(pki.user("bob").signing().certificate(), RevocationReason.KEY_COMPROMISE));
    relay.reloadRevocations();
    bob.await(
        () -> "refused".equals(bob.find("#conn").getDomAttribute("data-state")),
        "bob's window: refused");
    assertThat(text(bob.find("#conn")))
        .startsWith("refused by the server localhost:" + relayPort + " (")
        .endsWith("): not retrying; your keys must be renewed");
    bob.screenshot("refused");
  }

  @Test
  @Order(11)
  void theContactPanel_showsTheSafetyNumberAndFingerprints_andAMessageForAnOfflineContactIsStored()
      throws Exception {
    alice.find(".conversation[data-peer='dave']").click();
    alice.await(() -> text(alice.find("#peer-name")).equals("dave"), "dave's conversation");
    alice.find("#info-toggle").click();
    String safetyNumber = alice.client.safetyNumber("dave");
    VerifiedContact dave = alice.client.checkContact("dave");
    alice.await(
        () -> text(alice.find("#safety-number")).equals(safetyNumber), "dave's safety number");
    assertThat(text(alice.find("#fp-signing"))).isEqualTo(KeyFingerprint.of(dave.signing()));
    assertThat(text(alice.find("#fp-encryption"))).isEqualTo(KeyFingerprint.of(dave.encryption()));
    alice.screenshot("contact");

    alice.type("see you later, dave", Keys.ENTER); // dave's new device is offline
    alice.await(
        () -> alice.messages().getLast().equals("stored: see you later, dave"),
        "the message stored at the relay until dave is online");
  }

  @Test
  @Order(12)
  void aMessageSentFromAnotherOfMyDevices_appearsInTheWindowAsMine() throws Exception {
    Credential laptop = namedDevice("frank", "laptop");
    Credential phone = namedDevice("frank", "phone");
    Credential ginasDevice = namedDevice("gina", "phone");
    try (BrowserWindow frank =
            new BrowserWindow(
                dir, "frank+laptop", config(pki.user("frank"), "frank+laptop").withDevice(laptop));
        ChatClient frankPhone =
            ChatClient.connect(
                config(pki.user("frank"), "frank+phone").withDevice(phone), new Inbox());
        ChatClient gina =
            ChatClient.connect(
                config(pki.user("gina"), "gina").withDevice(ginasDevice), new Inbox());
        RelayConnection asker =
            RelayConnection.connect("localhost", relayPort, ginasDevice, pki.ca().certificate())) {
      // frank's phone seals to every device of frank the relay lists: wait until both are there
      frank.awaitDevices(asker, "frank", 2);

      frankPhone.send("gina", "written on my phone");
      frank.await(
          () -> !frank.all(".conversation[data-peer='gina']").isEmpty(),
          "the conversation with gina in the laptop's list");
      frank.find(".conversation[data-peer='gina']").click();
      frank.await(
          () ->
              frank.all("#messages li").stream()
                  .anyMatch(
                      li ->
                          String.valueOf(li.getDomAttribute("class")).contains("msg-out")
                              && textOf(li, ".msg-text").equals("written on my phone")),
          "the phone's message shown on the laptop as sent by frank");
      assertThat(gina.history("frank", 10)).isNotEmpty();
    }
  }

  @Test
  @Order(13)
  void aContactsNewDevice_isWarnedAbout_getsNothingTillAccepted_thenGetsTheHeldMessage_received()
      throws Exception {
    Credential irisPhone = namedDevice("iris", "phone");
    Credential irisTablet = namedDevice("iris", "tablet");
    Inbox phone = new Inbox();
    Inbox tablet = new Inbox();
    try (BrowserWindow henry =
            new BrowserWindow(
                dir,
                "henry+desk",
                config(pki.user("henry"), "henry+desk").withDevice(namedDevice("henry", "desk")));
        ChatClient irisOnPhone =
            ChatClient.connect(
                config(pki.user("iris"), "iris+phone").withDevice(irisPhone), phone);
        RelayConnection asker =
            RelayConnection.connect("localhost", relayPort, irisPhone, pki.ca().certificate())) {
      henry.awaitDevices(asker, "iris", 1);
      henry.open("iris");
      henry.type("hello iris", Keys.ENTER);
      assertThat(phone.next()).isEqualTo("hello iris");
      henry.await(
          () -> henry.messages().equals(List.of("received: hello iris")),
          "the first message received by the phone");

      try (ChatClient irisOnTablet =
          ChatClient.connect(
              config(pki.user("iris"), "iris+tablet").withDevice(irisTablet), tablet)) {
        henry.awaitDevices(asker, "iris", 2);
        henry.type("the tablet must wait for this", Keys.ENTER);
        assertThat(phone.next()).isEqualTo("the tablet must wait for this");
        henry.await(() -> henry.find("#keychange").isDisplayed(), "the new-device warning");
        assertThat(text(henry.find("#keychange .keychange-title")))
            .isEqualTo("Warning: iris has a new device named \"tablet\".");
        String tabletFingerprint = grouped(hexId(irisTablet));
        String phoneFingerprint = grouped(hexId(irisPhone));
        assertThat(text(henry.find("#kc-new"))).isEqualTo(tabletFingerprint);
        assertThat(henry.read(".conversation[data-peer='iris'] .mark")).isEqualTo("new device");
        henry.find("#info-toggle").click();
        henry.await(
            () ->
                devices(henry)
                    .equals(
                        List.of(
                            "accepted phone " + phoneFingerprint,
                            "new tablet " + tabletFingerprint)),
            "both of iris's devices in the contact panel with their names, the tablet marked new");
        henry.await(
            () ->
                henry
                    .messages()
                    .equals(
                        List.of("received: hello iris", "received: the tablet must wait for this")),
            "the message received by the phone, the device iris had");
        assertThat(tablet.messages.poll(500, TimeUnit.MILLISECONDS))
            .as("nothing reaches the new device before it is accepted")
            .isNull();
        henry.screenshot("new-device");

        henry.find("#accept").click();
        assertThat(tablet.next())
            .as("the held message reaches the tablet once accepted")
            .isEqualTo("the tablet must wait for this");
        henry.await(() -> !henry.find("#keychange").isDisplayed(), "the warning gone");
        henry.await(
            () ->
                henry.all("#contact-devices li[data-state='accepted']").size() == 2
                    && henry.all(".conversation[data-peer='iris'] .mark").isEmpty(),
            "both devices accepted, the mark gone");
        assertThat(henry.messages())
            .containsExactly("received: hello iris", "received: the tablet must wait for this");

        henry.type("now to both", Keys.ENTER);
        assertThat(phone.next()).isEqualTo("now to both");
        assertThat(tablet.next()).isEqualTo("now to both");
        assertThat(phone.messages.poll(500, TimeUnit.MILLISECONDS)).as("each once").isNull();

        // the CA revokes the tablet's certificate: the panel says so
        CrlFiles.write(
            certs.crl(), pki.revoke(irisTablet.certificate(), RevocationReason.KEY_COMPROMISE));
        relay.reloadRevocations();
        henry.await(
            () -> {
              try {
                henry.client.refreshRevocations();
              } catch (IOException e) {
                return false;
              }
              henry.find("#info-toggle").click(); // closed, then opened: asked again
              if (!henry.find("#contact").isDisplayed()) {
                henry.find("#info-toggle").click();
              }
              return devices(henry)
                  .equals(
                      List.of(
                          "accepted phone " + phoneFingerprint,
                          "revoked tablet " + tabletFingerprint));
            },
            "the tablet marked revoked in the contact panel");
        assertThat(text(henry.find("#contact-devices li[data-state='revoked'] .device-state")))
            .isEqualTo("REVOKED by your CA: gets nothing");
        henry.screenshot("devices");
      }
    }
  }

  @Test
  @Order(14)
  void aMessageWhoseAnswerHasNotComeYet_isShownSending_thenReceived() throws Exception {
    try (HoldingProxy proxy = new HoldingProxy(relayPort);
        BrowserWindow judy =
            new BrowserWindow(
                dir,
                "judy",
                ChatClientConfig.of(
                    "localhost",
                    proxy.port(),
                    pki.user("judy"),
                    pki.ca().certificate(),
                    dir.resolve("data-judy")))) {
      judy.open("alice");
      proxy.holdAnswers(true); // the relay stores it; its answer waits in the proxy
      judy.type("are you there, alice?", Keys.ENTER);
      judy.await(
          () -> judy.messages().equals(List.of("sending: are you there, alice?")),
          "the message shown as sending");
      assertThat(text(judy.find("#messages li .msg-state"))).isEqualTo("… sending");
      proxy.holdAnswers(false);
      judy.await(
          () -> judy.messages().equals(List.of("received: are you there, alice?")),
          "the message received by alice once the answers came");
    }
  }

  /** The contact panel's devices, each as its state, its name and its fingerprint. */
  static List<String> devices(BrowserWindow w) {
    return w.all("#contact-devices li").stream()
        .map(
            li ->
                li.getDomAttribute("data-state")
                    + " "
                    + textOf(li, ".device-name")
                    + " "
                    + textOf(li, ".fp"))
        .toList();
  }

  /** A device's id (the SHA-256 of its certificate) in hex. */
  static String hexId(Credential device) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256")
                .digest(device.certificate().getEncoded()));
  }

  /** Hex in groups of four, as the page shows a fingerprint. */
  static String grouped(String hex) {
    return String.join(" ", hex.split("(?<=\\G.{4})"));
  }

  Credential namedDevice(String name, String device) {
    return CertificateIssuer.issueDevice(
        pki.ca(),
        name,
        device,
        Instant.now().minus(Duration.ofMinutes(5)),
        Duration.ofDays(30),
        null);
  }
}
