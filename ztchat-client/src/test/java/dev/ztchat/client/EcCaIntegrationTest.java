package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.client.ChatClientIntegrationTest.Inbox;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.KeyType;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.pki.PkiAdmin;
import dev.ztchat.core.pki.PkiRevocation;
import dev.ztchat.core.pki.RevocationReason;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A relay whose CA and server certificate are ECDSA P-256 ({@code pki init --key-type ec}), made by
 * the product's own {@link PkiAdmin}: clients authenticate with their RSA certificates over mTLS,
 * exchange a sealed message end to end, and a user revoked in the ECDSA-signed CRL is refused at
 * the handshake and as a contact. Run with the relay on BoringSSL (when it loads) and on the JDK's
 * TLS.
 */
class EcCaIntegrationTest {
  @TempDir static Path dir;
  static CertsLayout certs;

  @BeforeAll
  static void initEcPki() throws Exception {
    certs = new CertsLayout(dir.resolve("certs"));
    new PkiAdmin(certs, Clock.systemUTC(), line -> {})
        .init(
            PkiAdmin.InitOptions.defaults()
                .withUsers(List.of("alice", "bob", "carol"))
                .withKeyBits(2048)
                .withKeyType(KeyType.EC));
    new PkiRevocation(certs, Clock.systemUTC(), line -> {})
        .revoke("carol", RevocationReason.KEY_COMPROMISE, Duration.ofDays(7));
  }

  static Stream<SslProvider> relayProviders() {
    return OpenSsl.isAvailable()
        ? Stream.of(SslProvider.OPENSSL, SslProvider.JDK)
        : Stream.of(SslProvider.JDK);
  }

  RelayServer start(SslProvider provider, Path data) throws Exception {
    return RelayServer.start(
        RelayServerConfig.defaults(certs, data).withPort(0), provider, Clock.systemUTC());
  }

  ChatClient connect(RelayServer relay, String name, Inbox inbox, Path data) throws Exception {
    UserIdentity id = certs.readUser(name);
    return ChatClient.connect(
        ChatClientConfig.of(
            "localhost",
            relay.port(),
            id,
            PemFiles.readCertificate(certs.caCertificate()),
            data.resolve(name)),
        inbox);
  }

  @ParameterizedTest
  @MethodSource("relayProviders")
  void ecRelay_clientsConnectWithMtls_andASealedMessageArrivesEndToEnd(
      SslProvider provider, @TempDir Path data) throws Exception {
    assertThat(PemFiles.readCertificate(certs.caCertificate()).getPublicKey())
        .isInstanceOf(ECPublicKey.class);
    Inbox bobInbox = new Inbox();
    try (RelayServer relay = start(provider, data.resolve("relay"));
        ChatClient alice = connect(relay, "alice", new Inbox(), data);
        ChatClient bob = connect(relay, "bob", bobInbox, data)) {
      alice.send("bob", "hello over an ECDSA relay");

      OpenedMessage m = bobInbox.next();
      assertThat(m.sender()).isEqualTo("alice");
      assertThat(m.text()).isEqualTo("hello over an ECDSA relay");
    }
  }

  @ParameterizedTest
  @MethodSource("relayProviders")
  void ecRelay_refusesAUserRevokedWithTheEcdsaSignedCrl(SslProvider provider, @TempDir Path data)
      throws Exception {
    try (RelayServer relay = start(provider, data.resolve("relay"))) {
      // BoringSSL sends certificate_revoked; the JDK's TLS (the fallback) sends
      // certificate_unknown.
      assertThatThrownBy(() -> connect(relay, "carol", new Inbox(), data))
          .isInstanceOf(
              provider == SslProvider.OPENSSL
                  ? CertificateRefusedException.class
                  : IOException.class)
          .hasMessageContaining(
              provider == SslProvider.OPENSSL ? "revoked by the CA" : "CERTIFICATE_UNKNOWN");
      try (ChatClient bob = connect(relay, "bob", new Inbox(), data)) {
        assertThatThrownBy(() -> bob.send("carol", "are you there?"))
            .isInstanceOf(UntrustedContactException.class)
            .hasMessageContaining("revoked");
      }
    }
  }
}
