package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.remedy.HasRemedy;
import dev.ztchat.core.remedy.Remedy;
import dev.ztchat.core.testing.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * Nothing listening at the relay's address: the library says so and carries the remedy as a value.
 */
class RelayConnectionRemedyIntegrationTest {
  @Test
  void nothingListening_carriesStartTheRelay_andNamesNoCommand() throws Exception {
    TestPki pki = TestPki.create("alice");
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }

    assertThatThrownBy(
            () ->
                RelayConnection.connect(
                    "127.0.0.1", closedPort, pki.user("alice").signing(), pki.ca().certificate()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("connection refused")
        .satisfies(e -> assertThat(HasRemedy.of(e)).contains(Remedy.of(Remedy.Kind.START_RELAY)))
        .message()
        .doesNotContain("./ztchat");
  }
}
