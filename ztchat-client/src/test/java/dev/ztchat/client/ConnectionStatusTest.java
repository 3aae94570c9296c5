package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.RelayEndpoints.Endpoint;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The connection line the user sees names the relay it is about. */
class ConnectionStatusTest {
  static final Endpoint NODE2 = new Endpoint("relay2.example.org", 8443);

  @Test
  void connected_saysWhichRelay() {
    assertThat(
            new ConnectionStatus(ConnectionState.CONNECTED, Duration.ZERO, null)
                .withRelay(NODE2)
                .describe())
        .isEqualTo("connected to relay2.example.org:8443");
  }

  @Test
  void offline_saysWhichRelayIsTriedNext() {
    assertThat(
            new ConnectionStatus(
                    ConnectionState.DISCONNECTED,
                    Duration.ofMillis(2400),
                    "cannot connect to relay1.example.org:8443: connection refused")
                .withRelay(NODE2)
                .describe())
        .isEqualTo(
            "offline (cannot connect to relay1.example.org:8443: connection refused); retrying"
                + " in 2.4 s with relay2.example.org:8443");
  }

  @Test
  void refused_saysWhichRelayRefused() {
    assertThat(
            new ConnectionStatus(ConnectionState.REFUSED, Duration.ZERO, "revoked")
                .withRelay(NODE2)
                .describe())
        .isEqualTo("refused by relay2.example.org:8443 (revoked); not retrying");
  }

  @Test
  void withoutARelay_theLineIsAsBefore() {
    assertThat(new ConnectionStatus(ConnectionState.CONNECTED, Duration.ZERO, null).describe())
        .isEqualTo("connected");
  }
}
