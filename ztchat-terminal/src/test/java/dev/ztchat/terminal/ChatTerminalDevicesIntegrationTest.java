package dev.ztchat.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ChatClientConfig;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import dev.ztchat.terminal.ChatTerminalIntegrationTest.Inbox;
import dev.ztchat.terminal.ChatTerminalIntegrationTest.Screen;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A contact's new device on the chat screen (docs/v2/devices.md section 6.3): the warning names it
 * as a new device and says where its fingerprint is read; {@code /devices NAME} lists the contact's
 * devices with their fingerprints and which is held; {@code /devices} shows this device's own
 * fingerprint, the one a contact compares, through a real relay.
 */
class ChatTerminalDevicesIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  TestPki pki;
  CertsLayout certs;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    certs = pki.writeTo(dir.resolve("certs"));
    server = RelayServer.start(RelayServerConfig.defaults(certs).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  ChatClientConfig config(String name, String folder, Credential device) {
    return ChatClientConfig.of(
            "localhost", server.port(), pki.user(name), pki.ca().certificate(), dir.resolve(folder))
        .withDevice(device);
  }

  Credential issue(String name, String device) {
    return CertificateIssuer.issueDevice(
        pki.ca(),
        name,
        device,
        Instant.now().minus(Duration.ofMinutes(5)),
        Duration.ofDays(30),
        null);
  }

  static void awaitPublished(ChatClient c) throws InterruptedException {
    assertThat(Polling.eventually(WAIT, c::prekeysPublished))
        .as("%s's device published its keys", c.me())
        .isTrue();
  }

  @Test
  void aContactsNewDevice_isNamedAsOne_andDevicesShowsTheFingerprintItsOwnerReadsOut()
      throws Exception {
    Inbox laptops = new Inbox();
    Inbox phones = new Inbox();
    try (ChatClient bobLaptop =
            ChatClient.connect(config("bob", "bob+laptop", issue("bob", "laptop")), laptops);
        Screen alice =
            new Screen(config("alice", "alice", pki.device("alice")), ChatTerminal::run)) {
      awaitPublished(bobLaptop);
      alice.awaitShown(s -> s.contains("[connection: connected"), "that alice is connected");
      alice.type("/to bob");
      alice.type("one");
      assertThat(laptops.next().text()).isEqualTo("one");

      try (ChatClient bobPhone =
          ChatClient.connect(config("bob", "bob+phone", issue("bob", "phone")), phones)) {
        awaitPublished(bobPhone);
        String phone = bobPhone.thisDevice().orElseThrow().device().fingerprint();
        String laptop = bobLaptop.thisDevice().orElseThrow().device().fingerprint();
        assertThat(bobPhone.thisDevice().orElseThrow().name()).isEqualTo("phone");

        alice.type("two");
        assertThat(laptops.next().text()).isEqualTo("two");
        String warned =
            alice.awaitShown(s -> s.contains("has a NEW DEVICE"), "the new-device warning");
        assertThat(warned)
            .contains("[!] WARNING: bob has a NEW DEVICE")
            .contains("    new:    " + phone)
            .contains("Ask bob to read out the new device's fingerprint (/devices on that device)")
            .doesNotContain("the keys of bob have CHANGED");

        alice.type("/devices bob");
        String laptopLine = "  laptop  " + laptop + "  gets what you send";
        String phoneLine = phone + "  held: gets nothing until you /accept bob";
        String listed =
            alice.awaitShown(
                s -> s.contains(laptopLine) && s.contains(phoneLine),
                "/devices listing both of bob's devices");
        assertThat(listed).contains("Devices of bob known on this device:");

        alice.type("/devices");
        String mine =
            alice.awaitShown(
                s -> s.matches("(?s).*This device: default, fingerprint [^\n]*\n.*"),
                "/devices alone");
        assertThat(mine)
            .containsPattern("This device: default, fingerprint [0-9a-f]{4}( [0-9a-f]{4}){15}\n");

        alice.type("/accept bob");
        assertThat(phones.next().text()).as("the held message, once accepted").isEqualTo("two");
        alice.type("/devices bob");
        alice.awaitShown(
            s -> s.contains(phone + "  gets what you send"), "the phone accepted in /devices");
      }
    }
  }
}
