package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.GroupConversationIntegrationTest.GroupInbox;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A contact's receipt for a message my laptop wrote is sealed to the devices of mine the contact
 * knows, and the relay keeps a copy of it for every current device of mine (docs/v2/devices.md
 * sections 4.1 and 6.1). My new phone, which the contact has not learnt yet and has no session
 * with, gets such a copy: it sets it aside without telling the user, instead of reporting it as a
 * message not addressed to it. Real relay, real TLS, certificates minted here.
 */
class NewDeviceReceiptIntegrationTest {
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
    return DeviceClients.issue(pki, name, device);
  }

  ChatClient connect(String user, String folder, Credential device, ChatListener inbox)
      throws Exception {
    return ChatClient.connect(
        DeviceClients.config(server.port(), pki, dir, user, folder, device)
            // a device first seen after the first contact is sealed to at once, as --new-devices
            // send does (by default it is held until accepted)
            .withSendToNewDevices(true),
        inbox);
  }

  @Test
  void aReceiptSealedToMyLaptopOnly_isSetAsideSilentlyByMyNewPhone_andReachesTheLaptop()
      throws Exception {
    GroupInbox laptops = new GroupInbox();
    GroupInbox bobs = new GroupInbox();
    GroupInbox phones = new GroupInbox();
    try (ChatClient laptop = connect("alice", "alice", device("alice", "laptop"), laptops);
        ChatClient bob = connect("bob", "bob", device("bob", "laptop"), bobs)) {
      MultiDeviceIntegrationTest.awaitDevices(laptop, "bob", 1);
      laptop.send("bob", "first");
      assertThat(bobs.lines.poll(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
          .isEqualTo("direct alice: first");

      try (ChatClient phone = connect("alice", "alice+phone", device("alice", "phone"), phones)) {
        MultiDeviceIntegrationTest.awaitDevices(laptop, "alice", 2);
        List<byte[]> reachingPhone = new CopyOnWriteArrayList<>();
        phone.onRawEnvelope(reachingPhone::add);
        // The relay's missing= answer reveals the phone to the laptop, which copies it the text.
        SendResult sent = laptop.send("bob", "second");
        assertThat(bobs.lines.poll(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
            .isEqualTo("direct alice: second");
        assertThat(phones.lines.poll(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
            .isEqualTo("me -> bob: second");
        assertThat(
                Polling.eventually(
                    WAIT, () -> laptops.delivered.contains("bob " + sent.messageId())))
            .as("bob's receipt reaches the laptop that wrote the message")
            .isTrue();
        assertThat(
                Polling.eventually(
                    WAIT,
                    () ->
                        reachingPhone.stream()
                            .anyMatch(
                                b -> {
                                  try {
                                    return LargeGroupIntegrationTest.decode(b)
                                        .prefix()
                                        .sender()
                                        .equals("bob");
                                  } catch (Exception e) {
                                    return false;
                                  }
                                })))
            .as("the relay gives the phone a copy of bob's receipt too")
            .isTrue();

        bob.send("alice", "after the receipt"); // processed after it, in order
        assertThat(phones.lines.poll(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
            .isEqualTo("direct bob: after the receipt");
        assertThat(phones.rejected)
            .as("the receipt for my laptop is not reported as a message not for me")
            .isEmpty();
        assertThat(phones.notices).noneMatch(n -> n.contains("not addressed to this key"));
        assertThat(phones.refused).isEmpty();
      }
    }
  }
}
