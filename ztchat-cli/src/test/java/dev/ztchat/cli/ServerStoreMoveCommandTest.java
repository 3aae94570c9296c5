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
 * queues.
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
        .matches("(?s)moved the queues of [0-2] recipients \\(\\d+ envelopes\\).*");
    ServerStatsCommandTest.assertShowsDepthAndAgeWithoutContent(
        PkiCommandTest.run("server", "stats", "--store", home + "," + added));
  }

  @Test
  void aMalformedList_isRefused_namingStore() {
    PkiCommandTest.Run r =
        PkiCommandTest.run("server", "store-move", "--store", "postgresql://u@h/d,,");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--store has an empty entry");
  }
}
