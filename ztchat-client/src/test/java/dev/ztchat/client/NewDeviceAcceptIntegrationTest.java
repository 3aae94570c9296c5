package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.ChatClientIntegrationTest.Inbox;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A contact's new device held until accepted (docs/v2/devices.md section 6.3), driven as the web
 * window drives it: messages go through the outbox ({@code sendOrKeep}), the {@link
 * KeyChangedException} told by {@code onSendBlocked} is kept, and the user's accept comes later
 * from another thread. What was sent while the device was held reaches it once accepted.
 */
class NewDeviceAcceptIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  TestPki pki;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    server =
        RelayServer.start(
            RelayServerConfig.defaults(pki.writeTo(dir.resolve("certs")), dir.resolve("relay"))
                .withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  Credential device(String name, String device) {
    return CertificateIssuer.issueDevice(
        pki.ca(),
        name,
        device,
        Instant.now().minus(Duration.ofMinutes(5)),
        Duration.ofDays(30),
        null);
  }

  ChatClient connect(String user, String folder, Credential device, ChatListener inbox)
      throws Exception {
    return ChatClient.connect(
        ChatClientConfig.of(
                "localhost",
                server.port(),
                pki.user(user),
                pki.ca().certificate(),
                dir.resolve(folder))
            .withDevice(device),
        inbox);
  }

  /** The window's view of the client: the change it was told, and the receipts. */
  static final class Window extends Inbox {
    final BlockingQueue<KeyChangedException> blocked = new LinkedBlockingQueue<>();
    final Set<String> delivered = ConcurrentHashMap.newKeySet();

    @Override
    public void onSendBlocked(KeyChangedException change) {
      blocked.add(change);
    }

    @Override
    public void onDelivered(String peer, String messageIdHex) {
      delivered.add(messageIdHex);
    }
  }

  static String idOf(ChatClient client, String peer, String text) throws java.io.IOException {
    return client.history(peer, 50).stream()
        .filter(e -> e.text().equals(text) && e.direction() == HistoryEntry.Direction.OUT)
        .map(HistoryEntry::messageIdHex)
        .findFirst()
        .orElse(null);
  }

  @Test
  void aReceipt_reachesTheDeviceThatSentTheMessage_whenTheSenderHasSeveral() throws Exception {
    Window desksWindow = new Window();
    Inbox phonesInbox = new Inbox();
    try (ChatClient desk = connect("alice", "alice+desk", device("alice", "desk"), desksWindow);
        ChatClient laptop =
            connect("alice", "alice+laptop", device("alice", "laptop"), new Inbox());
        ChatClient phone = connect("bob", "bob+phone", device("bob", "phone"), phonesInbox)) {
      MultiDeviceIntegrationTest.awaitDevices(phone, "alice", 2);
      MultiDeviceIntegrationTest.awaitDevices(desk, "bob", 1);
      laptop.send("bob", "from the laptop");
      assertThat(phonesInbox.next().text()).isEqualTo("from the laptop");
      desk.sendOrKeep("bob", "from the desk");
      assertThat(phonesInbox.next().text()).isEqualTo("from the desk");
      assertThat(
              Polling.eventually(
                  WAIT,
                  () -> {
                    try {
                      String id = idOf(desk, "bob", "from the desk");
                      return id != null && desksWindow.delivered.contains(id);
                    } catch (java.io.IOException e) {
                      return false;
                    }
                  }))
          .as("the desk's message is marked received by bob's receipt")
          .isTrue();
    }
  }

  @Test
  void aMessageHeldFromANewDevice_reachesItOnceAccepted_fromAnotherThread_andStaysReceived()
      throws Exception {
    Window alicesWindow = new Window();
    Inbox phonesInbox = new Inbox();
    Inbox tabletsInbox = new Inbox();
    ExecutorService page = Executors.newSingleThreadExecutor();
    try (ChatClient alice = connect("alice", "alice", device("alice", "desk"), alicesWindow);
        ChatClient phone = connect("bob", "bob+phone", device("bob", "phone"), phonesInbox)) {
      MultiDeviceIntegrationTest.awaitDevices(alice, "bob", 1);
      alice.sendOrKeep("bob", "one");
      assertThat(phonesInbox.next().text()).isEqualTo("one");

      try (ChatClient tablet =
          connect("bob", "bob+tablet", device("bob", "tablet"), tabletsInbox)) {
        MultiDeviceIntegrationTest.awaitDevices(alice, "bob", 2);
        alice.sendOrKeep("bob", "two"); // refused as stale, the tablet held, sealed to the phone
        assertThat(phonesInbox.next().text()).isEqualTo("two");
        KeyChangedException told = alicesWindow.blocked.poll(10, TimeUnit.SECONDS);
        assertThat(told).as("the tablet is told like a key change").isNotNull();
        assertThat(told.newDevice()).isNotNull();
        String two = idOf(alice, "bob", "two");
        assertThat(Polling.eventually(WAIT, () -> alicesWindow.delivered.contains(two)))
            .as("the phone's receipt marks the message received")
            .isTrue();
        assertThat(tabletsInbox.messages.poll(1, TimeUnit.SECONDS))
            .as("held: nothing reaches the tablet before the accept")
            .isNull();

        page.submit(
                () -> {
                  alice.acceptChange(told); // the page's thread, not the client's
                  return null;
                })
            .get(10, TimeUnit.SECONDS);
        assertThat(tabletsInbox.next().text())
            .as("the message sent while the tablet was held reaches it once accepted")
            .isEqualTo("two");
        assertThat(tabletsInbox.messages.poll(1, TimeUnit.SECONDS)).as("once").isNull();
        assertThat(phonesInbox.messages.poll(1, TimeUnit.SECONDS))
            .as("the phone does not get it again")
            .isNull();
        assertThat(phonesInbox.warnings)
            .as("the phone is not told of a copy that was meant for the tablet")
            .isEmpty();
        assertThat(alice.history("bob", 10))
            .as("the history still holds each message once, received")
            .extracting(HistoryEntry::text, HistoryEntry::state)
            .containsExactly(
                org.assertj.core.groups.Tuple.tuple("one", HistoryEntry.State.DELIVERED),
                org.assertj.core.groups.Tuple.tuple("two", HistoryEntry.State.DELIVERED));

        alice.sendOrKeep("bob", "three");
        assertThat(tabletsInbox.next().text()).isEqualTo("three");
        assertThat(phonesInbox.next().text()).isEqualTo("three");
      }
    } finally {
      page.shutdownNow();
    }
  }
}
