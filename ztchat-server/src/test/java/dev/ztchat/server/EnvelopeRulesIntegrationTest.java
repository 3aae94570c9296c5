package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.random;
import static dev.ztchat.server.RelayTestSupport.relayConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.RawFrameClient;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules the relay enforces on an envelope before it stores it (docs/PROTOCOL.md section 5),
 * each sent by a raw client over real TLS. Envelopes are written byte by byte here, so that ones
 * the codec itself refuses to build can be sent.
 */
class EnvelopeRulesIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob", "carol");
    server = RelayServer.start(relayConfig(pki, dir));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void headerRecipientWithoutKeyEntry_isRefusedAsBadEnvelope_andStoredForNobody() throws Exception {
    byte[] env = new Raw().recipients("bob", "carol").keys("bob").bytes();

    assertRefused(env, "carol has no key entry");
    assertNothingQueuedFor("bob");
    assertNothingQueuedFor("carol");
  }

  @Test
  void keyEntryForSomeoneNotInTheHeader_isRefusedAsBadEnvelope_andStoredForNobody()
      throws Exception {
    byte[] env = new Raw().recipients("bob").keys("bob", "carol").bytes();

    assertRefused(env, "carol, who is not a recipient");
    assertNothingQueuedFor("bob");
    assertNothingQueuedFor("carol");
  }

  @Test
  void severalKeyEntriesForOneRecipient_isAccepted() throws Exception {
    byte[] env = new Raw().recipients("bob").keys("bob", "bob").bytes();

    try (RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice")) {
      alice.send(new Frame.Send("k", env));
      assertThat(alice.expect(Frame.Sent.class).results())
          .containsExactly(new Frame.Delivery("bob", DeliveryStatus.QUEUED));
    }
  }

  @Test
  void
      emptySignature_emptyWrappedKey_ciphertextShorterThanTheTag_duplicateRecipient_areEachRefused()
          throws Exception {
    assertRefused(new Raw().signature(0).bytes(), "signature is empty");
    assertRefused(new Raw().wrapped(0).bytes(), "wrapped key is empty");
    assertRefused(new Raw().ciphertext(15).bytes(), "shorter than the GCM tag");
    assertRefused(
        new Raw().recipients("bob", "bob").keys("bob").bytes(), "names a recipient twice");
    // the control: the same builder's defaults are accepted
    try (RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice")) {
      alice.send(new Frame.Send("ok", new Raw().ciphertext(16).bytes()));
      assertThat(alice.expect(Frame.Sent.class).results()).hasSize(1);
    }
  }

  private void assertRefused(byte[] envelope, String why) throws Exception {
    try (RawFrameClient alice = RelayTestSupport.connectWelcomed(server, pki, "alice")) {
      alice.send(new Frame.Send("e1", envelope));
      Frame.Error error = alice.expect(Frame.Error.class);
      assertThat(error.code()).isEqualTo(ErrorCode.BAD_ENVELOPE);
      assertThat(error.ref()).isEqualTo("e1");
      assertThat(error.message()).contains(why);
      alice.send(new Frame.Ping("p"));
      assertThat(alice.expect(Frame.Pong.class).ref())
          .as("the connection stays open")
          .isEqualTo("p");
    }
  }

  private void assertNothingQueuedFor(String user) throws Exception {
    try (RawFrameClient c = RelayTestSupport.connectWelcomed(server, pki, user)) {
      assertThat(c.silentFor(Duration.ofMillis(800))).as("nothing delivered to %s", user).isTrue();
    }
  }

  /** An envelope from alice written field by field (section 5), with any field's size chosen. */
  private static final class Raw {
    private List<String> recipients = List.of("bob");
    private List<String> keys = List.of("bob");
    private int wrapped = 256;
    private int ciphertext = 48;
    private int signature = 256;

    Raw recipients(String... names) {
      recipients = List.of(names);
      return this;
    }

    Raw keys(String... names) {
      keys = List.of(names);
      return this;
    }

    Raw wrapped(int n) {
      wrapped = n;
      return this;
    }

    Raw ciphertext(int n) {
      ciphertext = n;
      return this;
    }

    Raw signature(int n) {
      signature = n;
      return this;
    }

    byte[] bytes() throws IOException {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(buf);
      out.writeByte(1);
      str(out, "alice");
      out.writeByte(recipients.size());
      for (String r : recipients) {
        str(out, r);
      }
      out.writeLong(System.currentTimeMillis());
      out.write(random(16));
      out.writeByte(keys.size());
      for (String k : keys) {
        str(out, k);
        out.write(random(32));
        out.writeShort(wrapped);
        out.write(random(wrapped));
      }
      out.write(random(12));
      out.writeInt(ciphertext);
      out.write(random(ciphertext));
      out.writeShort(signature);
      out.write(random(signature));
      return buf.toByteArray();
    }

    private static void str(DataOutputStream out, String s) throws IOException {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      out.writeShort(b.length);
      out.write(b);
    }
  }
}
