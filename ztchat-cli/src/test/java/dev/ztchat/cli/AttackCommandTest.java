package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.attacks.Attacks;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

// Replaces System.out and System.err, which every test in this JVM shares.
@Isolated
class AttackCommandTest {
  @Test
  void attackSpoof_withoutServer_startsItsOwnRelay_printsTheBlockedLine_andExits0() {
    PkiCommandTest.Run r = PkiCommandTest.run("attack", "spoof");

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(0);
    assertThat(r.out())
        .contains("[BLOCKED] Server ignored the packet (Silent Drop). (System is Secure).");
    assertThat(r.outLines().getLast()).startsWith("HELD spoof: ");
  }

  @Test
  void attackAll_printsATableWithEveryAttackHeld_withNoLogLinesOrStackTraces_andExits0() {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream realOut = System.out;
    PrintStream realErr = System.err;
    PkiCommandTest.Run r;
    try (PrintStream capture = new PrintStream(console, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      System.setErr(capture);
      r = PkiCommandTest.run("attack", "all");
    } finally {
      System.setOut(realOut);
      System.setErr(realErr);
    }
    String printedElsewhere = console.toString(StandardCharsets.UTF_8);

    assertThat(printedElsewhere)
        .as("log lines and stack traces on the console")
        .doesNotContain("SECURITY event=")
        .doesNotContain(" INFO ")
        .doesNotContain(" WARN ")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
    assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(0);
    assertThat(r.out())
        .contains("| attack | what was tried | expected defence | observed | verdict |");
    for (String name : Attacks.names()) {
      assertThat(r.outLines())
          .anySatisfy(l -> assertThat(l).startsWith("| " + name + " |").endsWith("| HELD |"));
    }
    assertThat(r.out()).contains(Attacks.names().size() + " held, 0 broken, 0 could not run");
  }

  @Test
  void unknownAttack_namesTheKnownOnes_andExits2() {
    PkiCommandTest.Run r = PkiCommandTest.run("attack", "teleport");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("bomb").contains("slowloris");
  }

  @Test
  void attackOnAServerThatIsNotThere_couldNotRun_exits2WithTheReason(@TempDir Path dir)
      throws Exception {
    assertThat(PkiCommandTest.init(dir.resolve("certs"), "--users", "alice,bob,carol").exit())
        .isZero();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // free again once closed: nothing listens there
    }
    PkiCommandTest.Run r =
        PkiCommandTest.run(
            "attack",
            "bomb",
            "--server",
            "127.0.0.1:" + port,
            "--certs",
            dir.resolve("certs").toString());

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.outLines().getLast())
        .startsWith("COULD_NOT_RUN bomb: ")
        .contains("could not connect");
  }

  @Test
  void badServerOption_isAUsageError() {
    PkiCommandTest.Run r = PkiCommandTest.run("attack", "bomb", "--server", "localhost");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("is not HOST:PORT");
  }
}
