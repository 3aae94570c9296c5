package dev.ztchat.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code --store} naming several PostgreSQL databases, comma-separated. */
class PostgresUrlListTest {
  private static final String A = "postgresql://ztchat:s3cret@db1.example.org/ztchat";
  private static final String B = "postgresql://ztchat:s3cret@db2.example.org:6432/ztchat";

  @Test
  void oneUrl_isAListOfOne() {
    assertThat(PostgresUrl.parseList(A))
        .extracting(PostgresUrl::toString)
        .containsExactly("postgresql://ztchat@db1.example.org:5432/ztchat");
  }

  @Test
  void severalUrls_keepTheirOrder_spacesAroundCommasIgnored() {
    assertThat(PostgresUrl.parseList(A + " , " + B))
        .extracting(PostgresUrl::toString)
        .containsExactly(
            "postgresql://ztchat@db1.example.org:5432/ztchat",
            "postgresql://ztchat@db2.example.org:6432/ztchat");
  }

  @Test
  void anEmptyEntry_isRefused_namingStore() {
    assertThatThrownBy(() -> PostgresUrl.parseList(A + ",," + B))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--store has an empty entry");
  }

  @Test
  void theSameDatabaseTwice_isRefused_withoutItsPassword() {
    assertThatThrownBy(() -> PostgresUrl.parseList(A + "," + A))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("twice")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void aBadEntry_isRefusedAsForOneUrl() {
    assertThatThrownBy(() -> PostgresUrl.parseList(A + ",mysql://x/y"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a PostgreSQL URL");
  }

  @Test
  void theQueueLimits_nameTheFirstAsTheHome_andDescribeEveryDatabase_withoutPasswords() {
    QueueLimits limits = QueueLimits.defaults(Path.of("data")).withStore(A + "," + B);
    assertThat(limits.postgres())
        .map(PostgresUrl::toString)
        .contains("postgresql://ztchat@db1.example.org:5432/ztchat");
    assertThat(limits.postgresShards()).hasSize(2);
    assertThat(limits.storeDescription())
        .isEqualTo(
            "PostgreSQL postgresql://ztchat@db1.example.org:5432/ztchat,"
                + " postgresql://ztchat@db2.example.org:6432/ztchat");
    assertThat(limits.toString()).doesNotContain("s3cret");
  }
}
