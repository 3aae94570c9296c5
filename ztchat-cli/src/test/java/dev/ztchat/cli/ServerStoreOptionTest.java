package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.server.RelayServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ztchat server --store URL} and the {@code store:} key: no store is SQLite in --data; a
 * PostgreSQL URL is taken with its settings; a bad one is refused naming --store, never showing the
 * password; {@code --check-config} finds it; the password may come from the environment.
 */
class ServerStoreOptionTest {
  @TempDir Path dir;

  private static ServerCommand parsed(String... args) {
    ServerCommand c = new ServerCommand();
    new CommandLine(c).parseArgs(args);
    return c;
  }

  @Test
  void noStore_isSqliteInTheDataFolder() {
    RelayServerConfig config = parsed("--data", dir.toString()).relayConfig();
    assertThat(config.queue().postgres()).isEmpty();
    assertThat(config.queue().storeDescription()).isEqualTo("SQLite " + dir.resolve("relay.db"));
  }

  @Test
  void postgresUrl_isTakenWithItsSettings_andItsPasswordIsNeverShown() {
    RelayServerConfig config =
        parsed(
                "--store",
                "postgresql://relay:s3cret@db.example.org:6543/chat"
                    + "?sslmode=verify-full&pool_size=4")
            .relayConfig();
    var url = config.queue().postgres().orElseThrow();
    assertThat(url.user()).isEqualTo("relay");
    assertThat(url.password()).isEqualTo("s3cret");
    assertThat(url.poolSize()).isEqualTo(4);
    assertThat(url.jdbcUrl())
        .isEqualTo("jdbc:postgresql://db.example.org:6543/chat?sslmode=verify-full");
    assertThat(config.queue().storeDescription())
        .isEqualTo("PostgreSQL postgresql://relay@db.example.org:6543/chat");
    assertThat(config.toString()).doesNotContain("s3cret");
  }

  @Test
  void badStoreUrls_areRefused_namingStore_withoutThePassword() {
    for (String bad :
        new String[] {
          "mysql://relay:s3cret@db/chat",
          "postgresql://relay:s3cret@db.example.org/",
          "postgresql://relay:s3cret@db.example.org/chat?pool_size=0",
          "postgresql://relay:s3cret@db.example.org/chat?sslmod=require",
          "postgresql://:s3cret@db.example.org/chat"
        }) {
      assertThatThrownBy(() -> parsed("--store", bad).relayConfig())
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("--store ")
          .message()
          .doesNotContain("s3cret");
    }
  }

  @Test
  void checkConfig_namesABadStoreLine() throws Exception {
    PkiCommandTest.init(dir.resolve("certs"));
    Path file = dir.resolve("relay.yaml");
    Files.writeString(
        file,
        "certs: "
            + dir.resolve("certs")
            + "\ndata: "
            + dir.resolve("data")
            + "\nstore: postgresql://relay:s3cret@db.example.org/chat?pool_size=999\n");

    PkiCommandTest.Run r = PkiCommandTest.run("server", "--check-config", file.toString());

    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err())
        .contains(file + ":3: store: --store setting pool_size=999 is out of range")
        .doesNotContain("s3cret");
  }

  @Test
  void storePassword_mayComeFromTheEnvironment() throws Exception {
    Path file = dir.resolve("relay.yaml");
    Files.writeString(
        file, "store: postgresql://relay:${env:ZTCHAT_DB_PASSWORD}@db.example.org/chat\n");
    ServerCommand c = parsed("--config", file.toString());

    var problems =
        new ServerConfigApplier(ServerCommand::new, Map.of("ZTCHAT_DB_PASSWORD", "fr0m-env"))
            .apply(RelayConfigFile.read(file), c.spec);

    assertThat(problems).isEmpty();
    assertThat(c.relayConfig().queue().postgres().orElseThrow().password()).isEqualTo("fr0m-env");
  }
}
