package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.CrlIssuer;
import dev.ztchat.core.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code ztchat server --config FILE} and {@code --check-config FILE}: every option is a key, the
 * command line wins, unknown keys and bad values are named with their line, and the shipped example
 * names every option with its default.
 */
class ServerConfigFileTest {
  private static final Path EXAMPLE = Path.of("..", "deploy", "relay.yaml");

  @TempDir Path dir;

  private Path write(String yaml) throws Exception {
    Path file = dir.resolve("relay.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private static ServerCommand parsed(String... args) {
    ServerCommand c = new ServerCommand();
    new CommandLine(c).parseArgs(args);
    return c;
  }

  @Test
  void shippedExample_namesEveryOptionWithItsDefault() throws Exception {
    RelayConfigFile.Contents example = RelayConfigFile.read(EXAMPLE);
    ServerCommand defaults = parsed();

    Map<String, String> inFile = new TreeMap<>();
    example.entries().forEach(e -> inFile.put(e.key(), e.value()));
    Map<String, String> options = new TreeMap<>();
    for (OptionSpec o : defaults.spec.options()) {
      if (!ServerConfigApplier.NOT_IN_FILE.contains(o.longestName())) {
        options.put(o.longestName().substring(2), o.defaultValue());
      }
    }

    assertThat(example.problems()).isEmpty();
    assertThat(inFile).isEqualTo(options);
  }

  @Test
  void fileValues_apply_andCommandLineOptionsOverrideThem() throws Exception {
    Path file = write("port: 9443\nrate: 7\nttl: 2d\nbind: 127.0.0.2\n");
    ServerCommand c = parsed("--config", file.toString(), "--rate", "9");

    var problems =
        new ServerConfigApplier(ServerCommand::new, Map.of())
            .apply(RelayConfigFile.read(file), c.spec);

    assertThat(problems).isEmpty();
    assertThat(c.port).isEqualTo(9443);
    assertThat(c.rate).as("the command line wins").isEqualTo(9);
    assertThat(c.ttl).hasToString("PT48H");
    assertThat(c.bind).isEqualTo("127.0.0.2");
    assertThat(c.burst).as("untouched keys keep their default").isEqualTo(40);
  }

  @Test
  void unknownKey_isRefused_namingTheKeyAndItsLine() throws Exception {
    Path file = write("port: 9443\n\nmax-frames: 4096\n");
    ServerCommand c = parsed();

    var problems =
        new ServerConfigApplier(ServerCommand::new, Map.of())
            .apply(RelayConfigFile.read(file), c.spec);

    assertThat(problems).singleElement().asString().contains(file + ":3: unknown key 'max-frames'");
  }

  @Test
  void secretReferences_comeFromTheEnvironmentOrAFile() throws Exception {
    Path secret = dir.resolve("bind-address");
    Files.writeString(secret, "127.0.0.3\n");
    Path file = write("bind: ${file:" + secret + "}\ncerts: ${env:CERTS}/certs\n");
    ServerCommand c = parsed();

    var problems =
        new ServerConfigApplier(ServerCommand::new, Map.of("CERTS", "/etc/ztchat"))
            .apply(RelayConfigFile.read(file), c.spec);

    assertThat(problems).isEmpty();
    assertThat(c.bind).isEqualTo("127.0.0.3");
    assertThat(c.certs).isEqualTo(Path.of("/etc/ztchat/certs"));
  }

  @Test
  void fileReference_mayFindItsFileThroughAVariable_asSystemdCredentialsAreFound()
      throws Exception {
    Path credentials = Files.createDirectory(dir.resolve("credentials"));
    Files.writeString(credentials.resolve("db-password"), "s3cret\n");
    Path file =
        write(
            "store: postgresql://ztchat:${file:${env:CREDENTIALS_DIRECTORY}/db-password}"
                + "@127.0.0.1:5432/ztchat\n");
    ServerCommand c = parsed();

    var problems =
        new ServerConfigApplier(
                ServerCommand::new, Map.of("CREDENTIALS_DIRECTORY", credentials.toString()))
            .apply(RelayConfigFile.read(file), c.spec);

    assertThat(problems).isEmpty();
    assertThat(c.store).isEqualTo("postgresql://ztchat:s3cret@127.0.0.1:5432/ztchat");
  }

  @Test
  void missingEnvironmentVariable_isAProblem_namingTheVariableAndLine() throws Exception {
    Path file = write("bind: ${env:ZTCHAT_TEST_UNSET_VARIABLE}\n");

    var problems =
        new ServerConfigApplier(ServerCommand::new, Map.of())
            .apply(RelayConfigFile.read(file), parsed().spec);

    assertThat(problems)
        .singleElement()
        .asString()
        .contains(file + ":1: bind:")
        .contains("ZTCHAT_TEST_UNSET_VARIABLE is not set");
  }

  @Test
  void checkConfig_listsEveryProblem_withItsLine_andExits2() throws Exception {
    Path file =
        write(
            "port: 70000\n"
                + "max-frame: 12\n"
                + "colour: blue\n"
                + "idle-timeout: soon\n"
                + "queue-sender-share: 60\n"
                + "admin-port: -1\n"
                + "log-format: xml\n"
                + "certs: "
                + dir.resolve("no-certs")
                + "\n"
                + "data: "
                + dir.resolve("data")
                + "\n");

    PkiCommandTest.Run r = PkiCommandTest.run("server", "--check-config", file.toString());

    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err())
        .contains(file + ":1: port: --port 70000 is out of range")
        .contains(file + ":2: max-frame: --max-frame 12 is out of range")
        .contains(file + ":3: unknown key 'colour'")
        .contains(file + ":4: idle-timeout:")
        .contains("'soon' is not a duration")
        .contains(file + ":5: queue-sender-share: --queue-sender-share 60 is out of range")
        .contains(file + ":6: admin-port: --admin-port -1 is out of range")
        .contains(file + ":7: log-format: --log-format xml is not a format")
        .contains("the CA certificate " + dir.resolve("no-certs").resolve("ca.crt"))
        .contains("the server private key");
  }

  @Test
  void checkConfig_ofAStaleRevocationList_isAProblem_sayingItWouldLockClientsOut()
      throws Exception {
    CertsLayout certs = certsWithAStaleRevocationList();
    Path file = write("certs: " + certs.root() + "\ndata: " + dir.resolve("data") + "\n");

    PkiCommandTest.Run r = PkiCommandTest.run("server", "--check-config", file.toString());

    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err())
        .contains("certs: the revocation list " + certs.crl() + " is refused")
        .contains("out of date")
        .contains("refuse every new client")
        .contains("1 problem in " + file);
  }

  @Test
  void checkConfig_ofAStaleRevocationList_passes_whenTheRelayIsToWarnOnly() throws Exception {
    CertsLayout certs = certsWithAStaleRevocationList();
    Path file =
        write(
            "certs: "
                + certs.root()
                + "\ndata: "
                + dir.resolve("data")
                + "\ncrl-when-stale: warn\n");

    PkiCommandTest.Run r = PkiCommandTest.run("server", "--check-config", file.toString());

    assertThat(r.exit()).as(r.err()).isZero();
  }

  /** A certs folder whose ca.crl, signed by its CA, passed its next update a day ago. */
  private CertsLayout certsWithAStaleRevocationList() throws Exception {
    TestPki pki = TestPki.create("alice");
    CertsLayout certs = pki.writeTo(dir.resolve("certs"));
    CrlFiles.write(
        certs.crl(),
        CrlIssuer.issue(
            pki.ca(),
            pki.crl(),
            List.of(),
            Instant.now().minus(Duration.ofDays(8)),
            Duration.ofDays(7)));
    return certs;
  }

  @Test
  void checkConfig_ofAGoodFile_printsOk_andExits0() throws Exception {
    PkiCommandTest.init(dir.resolve("certs"));
    Path file =
        write("certs: " + dir.resolve("certs") + "\ndata: " + dir.resolve("data") + "\nport: 0\n");

    PkiCommandTest.Run r = PkiCommandTest.run("server", "--check-config", file.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains(file + ": OK");
  }

  @Test
  void serverWithABadConfigFile_refusesToStart_namingTheProblem() throws Exception {
    Path file = write("port: 0\ncrl-port: 0\nspeed: 3\n");

    PkiCommandTest.Run r = PkiCommandTest.run("server", "--config", file.toString());

    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains(file + ":3: unknown key 'speed'").contains("--check-config");
  }

  @Test
  void keyGivenTwice_isAProblem() throws Exception {
    Path file = write("port: 1\nport: 2\n");

    assertThat(RelayConfigFile.read(file).problems())
        .singleElement()
        .asString()
        .contains(":2: 'port' is set twice");
  }
}
