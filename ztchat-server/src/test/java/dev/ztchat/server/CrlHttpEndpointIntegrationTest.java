package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.RevocationList;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.core.testkit.Polling;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CRL over HTTP, where certificates' distribution points send scanners and TLS tools. */
class CrlHttpEndpointIntegrationTest {
  @TempDir Path dir;

  @Test
  void caCrl_isServedAsTheCaSignedIt_andFollowsNewRevocations() throws Exception {
    TestPki pki = TestPki.create("alice");
    var certs = pki.writeTo(dir.resolve("certs"));
    try (RelayServer server =
            RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("data")).withPort(0));
        CrlHttpEndpoint http =
            CrlHttpEndpoint.start("127.0.0.1", 0, server::currentRevocationList)) {
      HttpClient client = HttpClient.newHttpClient();
      URI crlUri = URI.create("http://127.0.0.1:" + http.port() + "/ca.crl");
      HttpResponse<byte[]> r =
          client.send(
              HttpRequest.newBuilder(crlUri).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/pkix-crl");
      X509CRL crl =
          (X509CRL)
              CertificateFactory.getInstance("X.509")
                  .generateCRL(new ByteArrayInputStream(r.body()));
      RevocationList verified = RevocationList.verify(crl, pki.ca().certificate(), Instant.now());
      assertThat(verified.isRevoked(pki.user("alice").signing().certificate())).isFalse();

      X509CRL revoked =
          pki.revoke(pki.user("alice").signing().certificate(), RevocationReason.KEY_COMPROMISE);
      CrlFiles.write(certs.crl(), revoked);
      server
          .reloadRevocations(); // what the certs watcher does on a change; it runs on the watcher's
      // thread
      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(10), () -> revoked.equals(server.currentRevocationList())))
          .isTrue();
      byte[] body =
          client
              .send(HttpRequest.newBuilder(crlUri).build(), HttpResponse.BodyHandlers.ofByteArray())
              .body();
      X509CRL now =
          (X509CRL)
              CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(body));
      assertThat(
              now.getRevokedCertificate(
                  pki.user("alice").signing().certificate().getSerialNumber()))
          .as("the new list is published without a restart")
          .isNotNull();

      HttpResponse<byte[]> other =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/etc/passwd"))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(other.statusCode()).isEqualTo(404);
      HttpResponse<byte[]> post =
          client.send(
              HttpRequest.newBuilder(crlUri).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(post.statusCode()).isEqualTo(405);
    }
  }

  @Test
  void heldOpenPartialRequest_doesNotBlockAConcurrentFetch() throws Exception {
    TestPki pki = TestPki.create("alice");
    var certs = pki.writeTo(dir.resolve("certs"));
    try (RelayServer server =
            RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("data")).withPort(0));
        CrlHttpEndpoint http =
            CrlHttpEndpoint.start("127.0.0.1", 0, server::currentRevocationList);
        Socket idle = new Socket("127.0.0.1", http.port())) {
      idle.getOutputStream()
          .write("GET /ca.crl HTTP/1.1".getBytes(StandardCharsets.US_ASCII)); // no CRLF
      idle.getOutputStream().flush();

      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<byte[]> r =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/ca.crl"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/pkix-crl");
      assertThat(r.body()).isEqualTo(server.currentRevocationList().getEncoded());
    }
  }

  @Test
  void heldOpenPartialRequest_isClosedAfterTheRequestTimeout() throws Exception {
    TestPki pki = TestPki.create("alice");
    var certs = pki.writeTo(dir.resolve("certs"));
    try (RelayServer server =
            RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("data")).withPort(0));
        CrlHttpEndpoint http =
            CrlHttpEndpoint.start(
                "127.0.0.1",
                0,
                server::currentRevocationList,
                Duration.ofMillis(300),
                CrlHttpEndpoint.DEFAULT_MAX_CONNECTIONS);
        Socket idle = new Socket("127.0.0.1", http.port())) {
      idle.getOutputStream()
          .write("GET /ca.crl HTTP/1.1\r\nHost: x".getBytes(StandardCharsets.US_ASCII));
      idle.getOutputStream().flush();
      idle.setSoTimeout(10_000); // a bound on the wait, far above the 300 ms timeout

      int read;
      try {
        read = idle.getInputStream().read();
      } catch (SocketException reset) {
        read = -1;
      }

      assertThat(read).as("the relay closed the idle connection without an answer").isEqualTo(-1);
    }
  }

  @Test
  void connectionsOverTheLimit_areClosed_andFetchesWorkAgainOnceTheyGo() throws Exception {
    TestPki pki = TestPki.create("alice");
    var certs = pki.writeTo(dir.resolve("certs"));
    try (RelayServer server =
            RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("data")).withPort(0));
        CrlHttpEndpoint http =
            CrlHttpEndpoint.start(
                "127.0.0.1", 0, server::currentRevocationList, Duration.ofSeconds(60), 2);
        Socket first = new Socket("127.0.0.1", http.port());
        Socket second = new Socket("127.0.0.1", http.port())) {
      // wait until both are accepted: a third is then refused
      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(5),
                  () -> {
                    try (Socket third = new Socket("127.0.0.1", http.port())) {
                      third.setSoTimeout(2000);
                      return third.getInputStream().read() == -1;
                    } catch (IOException e) {
                      return true;
                    }
                  }))
          .isTrue();
      first.close();
      second.close();
      HttpClient client = HttpClient.newHttpClient();
      URI crlUri = URI.create("http://127.0.0.1:" + http.port() + "/ca.crl");
      assertThat(
              Polling.eventually(
                  Duration.ofSeconds(5),
                  () -> {
                    try {
                      return client
                              .send(
                                  HttpRequest.newBuilder(crlUri)
                                      .timeout(Duration.ofSeconds(2))
                                      .build(),
                                  HttpResponse.BodyHandlers.ofByteArray())
                              .statusCode()
                          == 200;
                    } catch (IOException e) {
                      return false;
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                      return false;
                    }
                  }))
          .isTrue();
    }
  }
}
