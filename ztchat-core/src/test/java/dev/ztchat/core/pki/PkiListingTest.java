package dev.ztchat.core.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.remedy.Remedy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PkiListingTest {
  static final Instant CREATED = Instant.parse("2030-01-01T00:00:00Z");

  @TempDir static Path sharedDir;
  static CertsLayout certs;

  @TempDir Path dir;

  @BeforeAll
  static void createPki() throws Exception {
    certs = new CertsLayout(sharedDir.resolve("certs"));
    new PkiAdmin(certs, Clock.fixed(CREATED, ZoneOffset.UTC), line -> {})
        .init(PkiAdmin.InitOptions.defaults().withKeyBits(2048));
  }

  @Test
  void list_freshPki_showsEveryCertificateInOrderAsValid() throws Exception {
    List<PkiListing.Entry> entries = PkiListing.list(certs, CREATED.plus(Duration.ofDays(1)));

    assertThat(entries)
        .extracting(PkiListing.Entry::name, PkiListing.Entry::role, PkiListing.Entry::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ztchat root CA", "ca", "valid"),
            org.assertj.core.groups.Tuple.tuple("ztchat-server", "server", "valid"),
            org.assertj.core.groups.Tuple.tuple("alice", "signing", "valid"),
            org.assertj.core.groups.Tuple.tuple("alice", "encryption", "valid"),
            org.assertj.core.groups.Tuple.tuple("alice", "device", "valid"),
            org.assertj.core.groups.Tuple.tuple("bob", "signing", "valid"),
            org.assertj.core.groups.Tuple.tuple("bob", "encryption", "valid"),
            org.assertj.core.groups.Tuple.tuple("bob", "device", "valid"));
    assertThat(entries.get(2).fingerprint())
        .isEqualTo(KeyFingerprint.of(PemFiles.readCertificate(certs.signingCertificate("alice"))))
        .matches("([0-9a-f]{4} ){15}[0-9a-f]{4}");
    assertThat(entries.get(1).notAfter())
        .isEqualTo(CREATED.minus(Duration.ofMinutes(5)).plus(Duration.ofDays(365)));
  }

  @Test
  void list_lessThan30DaysLeft_saysExpiresInNDays() throws Exception {
    // Leaves end 365 days minus 5 minutes after CREATED; 24 days and some hours remain.
    List<PkiListing.Entry> entries = PkiListing.list(certs, CREATED.plus(Duration.ofDays(340)));

    assertThat(entries.get(0).status()).isEqualTo("valid");
    assertThat(entries.subList(1, entries.size()))
        .extracting(PkiListing.Entry::status)
        .containsOnly("expires in 24 days");
  }

  @Test
  void list_lastDay_saysLessThanADay() throws Exception {
    List<PkiListing.Entry> entries =
        PkiListing.list(certs, CREATED.plus(Duration.ofDays(365)).minus(Duration.ofHours(1)));

    assertThat(entries.get(1).status()).isEqualTo("expires in less than a day");
  }

  @Test
  void list_afterExpiry_saysExpired() throws Exception {
    List<PkiListing.Entry> entries = PkiListing.list(certs, CREATED.plus(Duration.ofDays(366)));

    assertThat(entries.get(0).status()).isEqualTo("valid");
    assertThat(entries.subList(1, entries.size()))
        .extracting(PkiListing.Entry::status)
        .containsOnly("EXPIRED");
  }

  @Test
  void list_beforeNotBefore_saysNotYetValid() throws Exception {
    List<PkiListing.Entry> entries = PkiListing.list(certs, CREATED.minus(Duration.ofDays(1)));

    assertThat(entries)
        .extracting(PkiListing.Entry::status)
        .allMatch(s -> s.startsWith("NOT YET VALID"));
  }

  @Test
  void list_userLeftBehindByAReplacedCa_isInvalidWithTheReason() throws Exception {
    CertsLayout layout = new CertsLayout(dir.resolve("certs"));
    PkiAdmin admin = new PkiAdmin(layout, Clock.systemUTC(), line -> {});
    PkiAdmin.InitOptions options = PkiAdmin.InitOptions.defaults().withKeyBits(2048);
    admin.init(options);
    admin.init(options.withUsers(List.of("alice")).withForce(true));

    List<PkiListing.Entry> entries = PkiListing.list(layout, Instant.now());

    assertThat(entries)
        .filteredOn(e -> e.name().equals("bob"))
        .extracting(PkiListing.Entry::status)
        .containsOnly(
            "INVALID: certificate for 'bob' has a signature that our root CA did not make");
    assertThat(entries)
        .filteredOn(e -> e.name().equals("alice"))
        .extracting(PkiListing.Entry::status)
        .containsOnly("valid");
  }

  @Test
  void list_missingOrUnreadableCertificate_isShownNotFatal() throws Exception {
    CertsLayout layout = new CertsLayout(dir.resolve("certs"));
    new PkiAdmin(layout, Clock.systemUTC(), line -> {})
        .init(PkiAdmin.InitOptions.defaults().withKeyBits(2048).withDevices(false));
    Files.delete(layout.encryptionCertificate("alice"));
    Files.writeString(layout.signingCertificate("bob"), "garbage");

    List<PkiListing.Entry> entries = PkiListing.list(layout, Instant.now());

    assertThat(entries).hasSize(6);
    assertThat(entries.get(3).status())
        .isEqualTo("MISSING (" + layout.encryptionCertificate("alice") + ")");
    assertThat(entries.get(4).status())
        .startsWith("UNREADABLE: ")
        .contains("does not hold a PEM certificate");
    assertThat(entries.get(4).fingerprint()).isNull();
  }

  @Test
  void list_doesNotReadPrivateKeys() throws Exception {
    CertsLayout layout = new CertsLayout(dir.resolve("certs"));
    new PkiAdmin(layout, Clock.systemUTC(), line -> {})
        .init(PkiAdmin.InitOptions.defaults().withKeyBits(2048).withUsers(List.of("alice")));
    for (Path key : List.of(layout.caKey(), layout.serverKey(), layout.signingKey("alice"))) {
      Files.writeString(key, "not a key");
    }

    assertThat(PkiListing.list(layout, Instant.now()))
        .extracting(PkiListing.Entry::status)
        .containsOnly("valid");
  }

  @Test
  void list_folderWithoutCa_saysToRunInitFirst() {
    CertsLayout empty = new CertsLayout(dir.resolve("nothing"));

    assertThatThrownBy(() -> PkiListing.list(empty, Instant.now()))
        .isInstanceOf(PkiException.class)
        .hasMessage("no root CA in " + empty.root() + " (" + empty.caCertificate() + " not found)")
        .satisfies(e -> RemedyAssert.hasRemedy(e, Remedy.of(Remedy.Kind.CREATE_PKI)));
  }
}
