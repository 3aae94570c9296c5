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
 * {@code ztchat server stats --store URL} on a real PostgreSQL store (started through
 * scripts/dev-postgres.sh): the same per-recipient depth and age as with SQLite, no content.
 */
class ServerStatsPostgresStoreTest {
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
  void statsOfAPostgresStore_showPerRecipientDepthBytesAndAge_withoutContent() throws Exception {
    String store = postgres.newDatabase();
    ServerStatsCommandTest.fillWithSecrets(QueueLimits.defaults(dir).withStore(store));

    PkiCommandTest.Run r = PkiCommandTest.run("server", "stats", "--store", store);

    ServerStatsCommandTest.assertShowsDepthAndAgeWithoutContent(r);
    assertThat(r.out() + r.err()).doesNotContain(password(store));
  }

  @Test
  void statsOfADatabaseWithoutTheRelaysTables_saysSo_withoutThePassword() throws Exception {
    String empty = postgres.newDatabase();

    PkiCommandTest.Run r = PkiCommandTest.run("server", "stats", "--store", empty);

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains("no relay store in")
        .contains("--store URL")
        .doesNotContain(password(empty));
  }

  /** The password in a postgresql://user:password@host/db URL. */
  private static String password(String url) {
    String auth = url.substring(url.indexOf("://") + 3, url.indexOf('@'));
    return auth.substring(auth.indexOf(':') + 1);
  }
}
