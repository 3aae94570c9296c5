package dev.ztchat.server;

import static dev.ztchat.server.RelayTestSupport.envelope;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.ProtocolLimits;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import dev.ztchat.core.testkit.RawFrameClient;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/** 200 concurrent clients x 50 messages each through one relay: nothing lost, nothing twice. */
// A CPU-bound load of 10,000 messages: it runs alone, not beside other test classes.
@Isolated
class RelayConcurrencyIntegrationTest {
  static final int CLIENTS = 200;
  static final int MESSAGES_EACH = 50;

  @TempDir Path dir;

  @Test
  void twoHundredClients_fiftyMessagesEach_zeroLost_zeroDuplicated() throws Exception {
    TestPki pki = TestPki.create();
    // One key pair for all 200 test users keeps the test quick; the certificates are real and
    // distinct.
    KeyPair shared = CertificateIssuer.generateRsaKeyPair(2048);
    List<String> names = new ArrayList<>();
    List<Credential> creds = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      String name = "user" + i;
      names.add(name);
      var cert =
          CertificateIssuer.build(
              new CertificateIssuer.Spec(
                  name,
                  shared.getPublic(),
                  pki.ca(),
                  null,
                  Instant.now().minusSeconds(300),
                  Instant.now().plus(Duration.ofDays(1)),
                  CertificateRole.USER_SIGNING,
                  List.of()));
      creds.add(new Credential(cert, shared.getPrivate()));
    }
    var layout = pki.writeTo(dir.resolve("certs"));
    for (int i = 0; i < CLIENTS; i++) {
      PemFiles.writeCertificate(
          layout.signingCertificate(names.get(i)), creds.get(i).certificate(), true);
    }
    // a burst as large as every frame a client sends, so no client needs pacing to stay under it
    RelayServerConfig config =
        RelayServerConfig.defaults(layout, dir.resolve("data"))
            .withPort(0)
            .withRateLimit(ProtocolLimits.DEFAULT_FRAMES_PER_SECOND, 4 * MESSAGES_EACH);
    try (RelayServer server = RelayServer.start(config)) {
      Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
      CountDownLatch pongs = new CountDownLatch(CLIENTS);
      Map<String, Boolean> accepted = new ConcurrentHashMap<>();
      CountDownLatch allAccepted = new CountDownLatch(CLIENTS * MESSAGES_EACH);
      List<RawFrameClient> clients = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        RawFrameClient c =
            RawFrameClient.connect(server.port(), creds.get(i), pki.ca().certificate());
        c.expect(Frame.Welcome.class);
        clients.add(c);
      }
      try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<?>> readers = new ArrayList<>();
        for (RawFrameClient c : clients) {
          readers.add(
              threads.submit(
                  () -> {
                    while (true) {
                      Frame f = c.read(Duration.ofSeconds(20));
                      switch (f) {
                        case Frame.Deliver d -> {
                          EnvelopeHeader h = EnvelopeCodec.decodeHeader(d.envelope());
                          received
                              .computeIfAbsent(h.messageIdHex(), k -> new AtomicInteger())
                              .incrementAndGet();
                          c.send(new Frame.Ack(null, h.sender(), h.messageIdHex()));
                        }
                        case Frame.Sent s -> {
                          if (s.results().getFirst().status().accepted()) {
                            accepted.put(s.messageId(), true);
                          }
                          allAccepted.countDown();
                        }
                        case Frame.Pong p -> pongs.countDown();
                        default -> {}
                      }
                    }
                  }));
        }
        for (int i = 0; i < CLIENTS; i++) {
          int me = i;
          RawFrameClient c = clients.get(i);
          threads.submit(
              () -> {
                for (int m = 0; m < MESSAGES_EACH; m++) {
                  int to = (me + 1 + ThreadLocalRandom.current().nextInt(CLIENTS - 1)) % CLIENTS;
                  c.send(new Frame.Send(null, envelope(names.get(me), names.get(to))));
                }
                return null;
              });
        }
        assertThat(allAccepted.await(120, TimeUnit.SECONDS)).as("every send answered").isTrue();
        assertThat(
                Polling.eventually(
                    Duration.ofSeconds(60), () -> received.size() >= accepted.size()))
            .as("every accepted message delivered")
            .isTrue();
        // a pong comes after every frame the relay queued on that connection before it: a duplicate
        // already on its way has arrived once each client has its pong
        for (RawFrameClient c : clients) {
          c.send(new Frame.Ping("settled"));
        }
        assertThat(pongs.await(60, TimeUnit.SECONDS)).as("every client's pong").isTrue();
        assertThat(accepted).hasSize(CLIENTS * MESSAGES_EACH);
        assertThat(received.keySet()).as("zero lost").containsAll(accepted.keySet());
        assertThat(received.values()).as("zero duplicated").allMatch(n -> n.get() == 1);
        for (RawFrameClient c : clients) {
          c.close();
        }
        readers.forEach(f -> f.cancel(true));
      }
    }
  }
}
