package dev.ztchat.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.testing.DevPostgres;
import dev.ztchat.server.store.PublishedCertificates.Published;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The periodic read of the shared certificates takes only what was added since the previous one,
 * and never loses a row whose transaction was still running when it read.
 */
class PostgresPublishedCertificatesTest {
  private static DevPostgres postgres;

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

  PostgresUrl url;
  PostgresPublishedCertificates shared;

  @BeforeEach
  void open() throws Exception {
    url = PostgresUrl.parse(postgres.newDatabase());
    shared = PostgresPublishedCertificates.open(url);
  }

  @AfterEach
  void close() {
    shared.close();
  }

  static Published cert(String owner, int n) {
    return new Published(owner, "SIGNING", new byte[] {(byte) n, 1, 2, 3});
  }

  static List<String> owners(AddedSince<Published> added) {
    return added.rows().stream().map(Published::owner).sorted().toList();
  }

  Connection connect() throws Exception {
    Properties props = new Properties();
    props.setProperty("user", url.user());
    props.setProperty("password", url.password());
    return new org.postgresql.Driver().connect(url.jdbcUrl(), props);
  }

  @Test
  void aReadFromItsCursor_returnsOnlyWhatWasAddedSince() throws Exception {
    shared.add(cert("alice", 1));
    shared.add(cert("bob", 2));
    AddedSince<Published> first = shared.addedSince(AddedSince.START);
    assertThat(owners(first)).containsExactly("alice", "bob");

    assertThat(shared.addedSince(first.cursor()).rows()).as("nothing new, nothing read").isEmpty();

    shared.add(cert("carol", 3));
    AddedSince<Published> next = shared.addedSince(first.cursor());
    assertThat(owners(next)).containsExactly("carol");
    assertThat(shared.addedSince(next.cursor()).rows()).isEmpty();
  }

  @Test
  void aRowCommittedAfterARead_thatBeganBeforeIt_isReadNextTime() throws Exception {
    AddedSince<Published> before = shared.addedSince(AddedSince.START);
    try (Connection slow = connect()) {
      slow.setAutoCommit(false);
      try (PreparedStatement p =
          slow.prepareStatement(
              "INSERT INTO published_certificates (owner, role, der) VALUES ('dave', 'SIGNING',"
                  + " '\\x01')")) {
        p.executeUpdate();
      }
      shared.add(cert("erin", 5)); // a later transaction, committed first
      AddedSince<Published> during = shared.addedSince(before.cursor());
      assertThat(owners(during)).containsExactly("erin");
      slow.commit();
      assertThat(owners(shared.addedSince(during.cursor())))
          .as("dave's transaction was running at the read: read again")
          .contains("dave");
    }
  }
}
