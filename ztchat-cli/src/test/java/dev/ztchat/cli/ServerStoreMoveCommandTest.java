package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.testing.DevPostgres;
import dev.ztchat.server.store.QueueLimits;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ztchat server store-move --store A,B}: adding a database to a store that holds queues
 * moves them and records the list, after which {@code server stats} over both shows the same
 * queues; {@code --store A --from B} takes it out again, and a database to take out that does not
 * answer, or a malformed list, is refused.
 */
class ServerStoreMoveCommandTest {
  private static DevPostgres postgres;

  @TempDir Path dir;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = DevPostgres.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void addingADatabase_movesTheQueues_andStatsOverBothShowsThemAll() throws Exception {
    String home = postgres.newDatabase();
    String added = postgres.newDatabase();
    ServerStatsCommandTest.fillWithSecrets(QueueLimits.defaults(dir).withStore(home));

    PkiCommandTest.Run moved =
        PkiCommandTest.run("server", "store-move", "--store", home + "," + added);

    assertThat(moved.exit()).as(moved.err()).isZero();
    assertThat(moved.out())
        .matches("(?s).*moved the queues of [0-2] recipients \\(\\d+ envelopes\\).*");
    ServerStatsCommandTest.assertShowsDepthAndAgeWithoutContent(
        PkiCommandTest.run("server", "stats", "--store", home + "," + added));
  }

  @Test
  void takingTheAddedDatabaseOutAgain_bringsItsQueuesBack_andStatsOverTheHomeShowsThemAll()
      throws Exception {
    String home = postgres.newDatabase();
    String added = postgres.newDatabase();
    ServerStatsCommandTest.fillWithSecrets(QueueLimits.defaults(dir).withStore(home));
    PkiCommandTest.Run moved =
        PkiCommandTest.run("server", "store-move", "--store", home + "," + added);
    assertThat(moved.exit()).as(moved.err()).isZero();

    PkiCommandTest.Run back =
        PkiCommandTest.run("server", "store-move", "--store", home, "--from", added);

    assertThat(back.exit()).as(back.err()).isZero();
    assertThat(back.outLines().getLast())
        .matches("moved the queues of [0-2] recipients \\(\\d+ envelopes\\).*");
    assertThat(back.out()).doesNotContain("SECRET").doesNotContain("pw@");
    ServerStatsCommandTest.assertShowsDepthAndAgeWithoutContent(
        PkiCommandTest.run("server", "stats", "--store", home));
  }

  @Test
  void aDatabaseToTakeOutThatDoesNotAnswer_isRefused_sayingNothingChanged() throws Exception {
    String home = postgres.newDatabase();
    ServerStatsCommandTest.fillWithSecrets(QueueLimits.defaults(dir).withStore(home));

    PkiCommandTest.Run r =
        PkiCommandTest.run(
            "server",
            "store-move",
            "--store",
            home,
            "--from",
            "postgresql://ztchat:pw@127.0.0.1:1/gone");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains("cannot read postgresql://ztchat@127.0.0.1:1/gone (--from)")
        .contains("nothing was changed")
        .doesNotContain("pw@");
    ServerStatsCommandTest.assertShowsDepthAndAgeWithoutContent(
        PkiCommandTest.run("server", "stats", "--store", home));
  }

  @Test
  void aMalformedFromList_isRefused_namingFrom() {
    PkiCommandTest.Run r =
        PkiCommandTest.run(
            "server",
            "store-move",
            "--store",
            "postgresql://u@h/d",
            "--from",
            "postgresql://u@h/e,");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--from has an empty entry");
  }

  @Test
  void aMalformedList_isRefused_namingStore() {
    PkiCommandTest.Run r =
        PkiCommandTest.run("server", "store-move", "--store", "postgresql://u@h/d,,");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--store has an empty entry");
  }
}
