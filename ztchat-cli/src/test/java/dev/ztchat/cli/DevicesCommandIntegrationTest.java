package dev.ztchat.cli;

import static dev.ztchat.cli.ClientCommandsIntegrationTest.ztchat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.cli.ClientCommandsIntegrationTest.Run;
import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ChatClientConfig;
import dev.ztchat.client.ChatListener;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A contact's new device as a user of the one-shot commands meets it (docs/v2/devices.md section
 * 6.3): {@code send} tells of it on stderr, {@code devices NAME} lists it, {@code devices accept
 * NAME} accepts it; against a real relay over real TLS, bob's devices being clients in this
 * process.
 */
// Replaces System.out and System.err, which every test in this JVM shares.
@Isolated
class DevicesCommandIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  CertsLayout certs;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    certs = pki.writeTo(dir.resolve("certs"));
    certs.writeDevice("alice", "laptop", device("alice", "laptop"), false);
    server = RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("relay")).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  Credential device(String name, String device) throws Exception {
    return CertificateIssuer.issueDevice(
        pki.ca(),
        name,
        device,
        Instant.now().minus(Duration.ofMinutes(5)),
        Duration.ofDays(30),
        null);
  }

  String[] args(String... words) {
    List<String> all = new ArrayList<>(List.of(words));
    all.addAll(
        List.of(
            "--identity",
            "alice",
            "--server",
            "localhost:" + server.port(),
            "--certs",
            certs.root().toString(),
            "--data",
            dir.resolve("alice").toString()));
    return all.toArray(String[]::new);
  }

  /** One of bob's devices: the texts it opened. */
  static final class Inbox implements ChatListener {
    final BlockingQueue<String> texts = new LinkedBlockingQueue<>();

    @Override
    public void onMessage(OpenedMessage message) {
      texts.add(message.text());
    }

    @Override
    public void onRejected(String claimedSender, RejectionReason reason, String explanation) {
      texts.add("rejected " + explanation);
    }
  }

  ChatClient bobsDevice(String device, Inbox inbox) throws Exception {
    return ChatClient.connect(
        ChatClientConfig.of(
                "localhost",
                server.port(),
                pki.user("bob"),
                pki.ca().certificate(),
                dir.resolve("bob-" + device))
            .withDevice(device("bob", device)),
        inbox);
  }

  static boolean published(ChatClient client) throws InterruptedException {
    return Polling.eventually(Duration.ofSeconds(30), client::prekeysPublished);
  }

  @Test
  void aContactsNewDevice_isToldOnceBySend_listedAndAcceptedFromTheCommandLine_thenGetsTexts()
      throws Exception {
    Inbox laptops = new Inbox();
    Inbox phones = new Inbox();
    try (ChatClient laptop = bobsDevice("laptop", laptops)) {
      assertThat(published(laptop)).isTrue();
      AtomicReference<Run> first = new AtomicReference<>();
      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(30),
                  () -> {
                    first.set(ztchat(args("send", "--to", "bob", "one")));
                    return first.get().exit() == 0;
                  }))
          .as("alice's first text to bob: %s", first.get())
          .isTrue();
      assertThat(laptops.texts.poll(15, TimeUnit.SECONDS)).isEqualTo("one");

      try (ChatClient phone = bobsDevice("phone", phones)) {
        assertThat(published(phone)).isTrue();
        String phoneFingerprint = phone.thisDevice().orElseThrow().device().fingerprint();

        Run told = ztchat(args("send", "--to", "bob", "two"));
        assertThat(told.exit()).as(told.toString()).isZero();
        assertThat(told.err())
            .as("alice is told of bob's new device")
            .contains("bob has a NEW DEVICE named 'phone'")
            .contains(phoneFingerprint)
            .contains("./ztchat devices accept bob");
        assertThat(laptops.texts.poll(15, TimeUnit.SECONDS)).isEqualTo("two");

        Run again = ztchat(args("send", "--to", "bob", "three"));
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.err()).as("told once").doesNotContain("NEW DEVICE");
        assertThat(laptops.texts.poll(15, TimeUnit.SECONDS)).isEqualTo("three");
        assertThat(phones.texts.poll(1, TimeUnit.SECONDS)).as("held: nothing yet").isNull();

        Run listed = ztchat(args("devices", "bob"));
        assertThat(listed.exit()).as(listed.toString()).isZero();
        assertThat(listed.out())
            .contains("laptop")
            .containsPattern("laptop +[0-9a-f ]+ +gets what you send")
            .containsPattern("\\(new device\\) +" + phoneFingerprint + " +held");

        Run noSuch = ztchat(args("devices", "accept", "bob", "tablet"));
        assertThat(noSuch.exit()).as(noSuch.toString()).isEqualTo(4);

        Run accepted = ztchat(args("devices", "accept", "bob", phoneFingerprint.substring(0, 9)));
        assertThat(accepted.exit()).as(accepted.toString()).isZero();
        assertThat(accepted.out()).contains("accepted bob's device (" + phoneFingerprint);

        Run after = ztchat(args("send", "--to", "bob", "four"));
        assertThat(after.exit()).as(after.toString()).isZero();
        List<String> onPhone = new ArrayList<>();
        assertThat(
                Polling.eventually(
                    Duration.ofSeconds(30),
                    () -> {
                      phones.texts.drainTo(onPhone);
                      return onPhone.contains("four");
                    }))
            .as("bob's phone got: %s", onPhone)
            .isTrue();
        assertThat(onPhone)
            .as("held texts went to the phone once accepted")
            .contains("two", "three");

        Run nothingLeft = ztchat(args("devices", "accept", "bob"));
        assertThat(nothingLeft.exit()).isEqualTo(4);
        assertThat(nothingLeft.err()).contains("no device of bob waits");
      }
    }
  }
}
