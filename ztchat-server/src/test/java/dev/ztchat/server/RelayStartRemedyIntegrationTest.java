package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.remedy.HasRemedy;
import dev.ztchat.core.remedy.Remedy;
import dev.ztchat.core.testing.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay that cannot start says what happened and carries what to do as a {@link Remedy}; it names
 * no command or option of the front end that started it.
 */
class RelayStartRemedyIntegrationTest {
  @TempDir Path dir;

  @Test
  void portInUse_carriesChooseAnotherPort() throws Exception {
    CertsLayout certs = TestPki.create("alice").writeTo(dir.resolve("certs"));
    try (RelayServer first =
        RelayServer.start(RelayServerConfig.defaults(certs, dir.resolve("data1")).withPort(0))) {
      assertThatThrownBy(
              () ->
                  RelayServer.start(
                      RelayServerConfig.defaults(certs, dir.resolve("data2"))
                          .withPort(first.port())))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("cannot listen on")
          .satisfies(e -> assertThat(HasRemedy.of(e)).contains(Remedy.of(Remedy.Kind.OTHER_PORT)))
          .message()
          .doesNotContain("--", "./ztchat");
    }
  }

  @Test
  void certsFolderWithoutServerIdentity_carriesFindTheCertsFolder() throws Exception {
    CertsLayout empty = new CertsLayout(Files.createDirectories(dir.resolve("empty")));

    assertThatThrownBy(
            () ->
                RelayServer.start(
                    RelayServerConfig.defaults(empty, dir.resolve("data")).withPort(0)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("does not exist")
        .satisfies(
            e -> assertThat(HasRemedy.of(e)).contains(Remedy.of(Remedy.Kind.FIND_CERTS_FOLDER)))
        .message()
        .doesNotContain("--", "./ztchat");
  }
}
