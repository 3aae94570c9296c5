package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerCommandTest {
  @Test
  void connectionCapOutOfRange_isAUsageError_thatNamesTheFlag() {
    PkiCommandTest.Run r = PkiCommandTest.run("server", "--port", "0", "--crl-port", "0", "--max-connections-per-user", "0");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--max-connections-per-user 0 is out of range");
  }

  @Test
  void perUserCapAboveTheGlobalCap_isAUsageError_thatNamesBothFlags() {
    PkiCommandTest.Run r = PkiCommandTest.run("server", "--port", "0", "--crl-port", "0",
        "--max-connections-per-user", "20", "--max-connections", "10");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--max-connections-per-user 20").contains("--max-connections 10");
  }

  @Test
  void handshakesPerAddressOutOfRange_isAUsageError_thatNamesTheFlag() {
    PkiCommandTest.Run r = PkiCommandTest.run("server", "--port", "0", "--crl-port", "0", "--max-handshakes-per-address", "0");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--max-handshakes-per-address 0 is out of range");
  }
}
