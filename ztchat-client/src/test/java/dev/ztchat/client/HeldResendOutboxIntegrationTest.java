package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.ChatClientIntegrationTest.Inbox;
import dev.ztchat.client.NewDeviceAcceptIntegrationTest.Window;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What was sent while a contact's new device was held is re-sent to it through the outbox once
 * accepted (docs/v2/devices.md section 6.3): accepted while the relay is down, it survives a
 * restart of the client and reaches the device, once, when the relay is back.
 */
class HeldResendOutboxIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  TestPki pki;
  RelayServerConfig serverConfig;
  RelayServer server;
  Credential aliceDesk;
  Credential bobPhone;
  Credential bobTablet;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    aliceDesk = device("alice", "desk");
    bobPhone = device("bob", "phone");
    bobTablet = device("bob", "tablet");
    serverConfig =
        RelayServerConfig.defaults(pki.writeTo(dir.resolve("certs")), dir.resolve("relay"))
            .withPort(OfflineDeliveryIntegrationTest.freePort());
    server = RelayServer.start(serverConfig);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
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

  ChatClientConfig config(String user, String folder, Credential device) {
    return ChatClientConfig.of(
            "localhost",
            serverConfig.port(),
            pki.user(user),
            pki.ca().certificate(),
            dir.resolve(folder))
        .withDevice(device);
  }

  @Test
  void heldTextsReSentToAnAcceptedDevice_whileTheRelayIsDown_surviveARestart_andArriveOnce()
      throws Exception {
    Window alicesWindow = new Window();
    Inbox phonesInbox = new Inbox();
    KeyChangedException told;
    try (ChatClient alice = ChatClient.connect(config("alice", "alice", aliceDesk), alicesWindow);
        ChatClient phone = ChatClient.connect(config("bob", "bob+phone", bobPhone), phonesInbox)) {
      MultiDeviceIntegrationTest.awaitDevices(alice, "bob", 1);
      alice.sendOrKeep("bob", "one");
      assertThat(phonesInbox.next().text()).isEqualTo("one");
      try (ChatClient tablet =
          ChatClient.connect(config("bob", "bob+tablet", bobTablet), new Inbox())) {
        MultiDeviceIntegrationTest.awaitDevices(alice, "bob", 2);
      }
      alice.sendOrKeep("bob", "two"); // the tablet is learnt and held; sealed to the phone
      assertThat(phonesInbox.next().text()).isEqualTo("two");
      told = alicesWindow.blocked.poll(10, TimeUnit.SECONDS);
      assertThat(told).as("the tablet is told like a key change").isNotNull();
      String two = NewDeviceAcceptIntegrationTest.idOf(alice, "bob", "two");
      assertThat(
              Polling.eventually(
                  WAIT,
                  () -> {
                    try {
                      return alice.history("bob", 10).stream()
                          .anyMatch(
                              e ->
                                  e.messageIdHex().equals(two)
                                      && e.state() != HistoryEntry.State.PENDING);
                    } catch (IOException e) {
                      return false;
                    }
                  }))
          .isTrue();

      server.close(); // the relay goes down
      server = null;
      alice.acceptChange(told); // the re-send of "two" to the tablet cannot go now
      assertThat(Polling.eventually(WAIT, () -> waitingResends(alice) == 1))
          .as("the re-send waits in the outbox")
          .isTrue();
    } // alice's client stops with it waiting

    server = RelayServer.start(serverConfig); // back, same port and store
    Inbox tabletsInbox = new Inbox();
    try (ChatClient tablet =
            ChatClient.connect(config("bob", "bob+tablet", bobTablet), tabletsInbox);
        ChatClient alice = ChatClient.start(config("alice", "alice", aliceDesk), new Window())) {
      assertThat(tabletsInbox.next().text())
          .as("the text sent while the tablet was held reaches it after the restart")
          .isEqualTo("two");
      assertThat(tabletsInbox.messages.poll(2, TimeUnit.SECONDS)).as("once").isNull();
      assertThat(Polling.eventually(WAIT, () -> waitingResends(alice) == 0)).isTrue();
      assertThat(alice.history("bob", 10))
          .as("the history still holds each message once")
          .extracting(HistoryEntry::text)
          .containsExactly("one", "two");
    }
  }

  private static long waitingResends(ChatClient client) {
    try {
      return client.outgoing.waitingCount(HeldResends::isKey);
    } catch (IOException e) {
      return -1;
    }
  }
}
