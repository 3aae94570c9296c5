package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay's queue and connection options are validated before anything starts, with messages that
 * say why.
 */
class ServerCommandTest {
  @TempDir Path dir;

  PkiCommandTest.Run server(String... options) {
    String[] args = new String[options.length + 5];
    args[0] = "server";
    args[1] = "--certs";
    args[2] = dir.resolve("certs").toString();
    args[3] = "--data";
    args[4] = dir.resolve("data").toString();
    System.arraycopy(options, 0, args, 5, options.length);
    return PkiCommandTest.run(args);
  }

  @Test
  void maxFrame_defaultsTo16384_soThatPostQuantumVersion2MessagesFit() {
    PkiCommandTest.Run r = PkiCommandTest.run("server", "--help");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().replaceAll("\\s+", " "))
        .contains("--max-frame=<maxFrame>")
        .contains("(default: 16384; 2048 to 1048576)");
  }

  @Test
  void maxFrameOutOfRange_isRefused_namingTheOptionAndItsRange() {
    PkiCommandTest.Run r = server("--port", "0", "--crl-port", "0", "--max-frame", "1024");
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("--max-frame 1024").contains("2048").contains("16384");
  }

  @Test
  void ttlLongerThanTheReceiversWindow_isRefused_sayingWhy() {
    PkiCommandTest.Run r = server("--ttl", "8d");
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("--ttl").contains("7-day window").contains("refused as stale");
  }

  @Test
  void senderShareOutOfRange_isRefused_namingTheOption() {
    PkiCommandTest.Run r = server("--queue-sender-share", "60");
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("--queue-sender-share 60 is out of range: use 1 to 50");
  }

  @Test
  void connectionCapOutOfRange_isAUsageError_thatNamesTheFlag() {
    PkiCommandTest.Run r =
        server("--port", "0", "--crl-port", "0", "--max-connections-per-user", "0");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--max-connections-per-user 0 is out of range");
  }

  @Test
  void perUserCapAboveTheGlobalCap_isAUsageError_thatNamesBothFlags() {
    PkiCommandTest.Run r =
        server(
            "--port",
            "0",
            "--crl-port",
            "0",
            "--max-connections-per-user",
            "20",
            "--max-connections",
            "10");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--max-connections-per-user 20").contains("--max-connections 10");
  }

  @Test
  void handshakesPerAddressOutOfRange_isAUsageError_thatNamesTheFlag() {
    PkiCommandTest.Run r =
        server("--port", "0", "--crl-port", "0", "--max-handshakes-per-address", "0");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--max-handshakes-per-address 0 is out of range");
  }

  @Test
  void portTaken_failsBeforeAnyStartupWork_namingThePortAndWhatToDo() throws Exception {
    PkiCommandTest.init(dir.resolve("certs"));
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      PkiCommandTest.Run r = server("--port", "" + taken.getLocalPort(), "--crl-port", "0");

      assertThat(r.exit()).as(r.err()).isEqualTo(1);
      assertThat(r.err())
          .contains("127.0.0.1:" + taken.getLocalPort() + " is already in use")
          .contains("another relay")
          .contains("--port");
      assertThat(r.err().lines()).hasSize(1);
      // the store is opened after the port is bound: nothing slow ran, nothing was created
      assertThat(Files.exists(dir.resolve("data"))).isFalse();
    }
  }

  @Test
  void crlPortTaken_failsBeforeAnyStartupWork_namingTheOption() throws Exception {
    PkiCommandTest.init(dir.resolve("certs"));
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      PkiCommandTest.Run r = server("--port", "0", "--crl-port", "" + taken.getLocalPort());

      assertThat(r.exit()).as(r.err()).isEqualTo(1);
      assertThat(r.err())
          .contains("127.0.0.1:" + taken.getLocalPort() + " is already in use")
          .contains("--crl-port");
      assertThat(Files.exists(dir.resolve("data"))).isFalse();
    }
  }
}
