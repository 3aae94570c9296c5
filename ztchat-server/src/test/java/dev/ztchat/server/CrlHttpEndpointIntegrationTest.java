package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.RevocationList;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.testing.TestPki;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
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
    try (RelayServer server = RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("data")).withPort(0));
        CrlHttpEndpoint http = CrlHttpEndpoint.start("127.0.0.1", 0, server::currentRevocationList)) {
      HttpClient client = HttpClient.newHttpClient();
      URI crlUri = URI.create("http://127.0.0.1:" + http.port() + "/ca.crl");
      HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(crlUri).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/pkix-crl");
      X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(r.body()));
      RevocationList verified = RevocationList.verify(crl, pki.ca().certificate(), Instant.now());
      assertThat(verified.isRevoked(pki.user("alice").signing().certificate())).isFalse();

      CrlFiles.write(certs.crl(), pki.revoke(pki.user("alice").signing().certificate(), RevocationReason.KEY_COMPROMISE));
      boolean seen = false;
      for (int i = 0; i < 50 && !seen; i++) {
        Thread.sleep(100);
        byte[] body = client.send(HttpRequest.newBuilder(crlUri).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
        X509CRL now = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(body));
        seen = now.getRevokedCertificate(pki.user("alice").signing().certificate().getSerialNumber()) != null;
      }
      assertThat(seen).as("the new list is published without a restart").isTrue();

      HttpResponse<byte[]> other = client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/etc/passwd")).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(other.statusCode()).isEqualTo(404);
      HttpResponse<byte[]> post = client.send(
          HttpRequest.newBuilder(crlUri).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(post.statusCode()).isEqualTo(405);
    }
  }
}
