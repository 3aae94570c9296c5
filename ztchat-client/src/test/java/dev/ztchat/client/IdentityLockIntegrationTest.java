package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One identity's local state is used by one client at a time; the second is refused at once. */
class IdentityLockIntegrationTest {
  @TempDir Path dir;
  TestPki pki;
  RelayServer server;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create("alice", "bob");
    CertsLayout certs = pki.writeTo(dir.resolve("certs"));
    server = RelayServer.start(RelayServerConfig.defaults(certs).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  ChatClientConfig bob() {
    return ChatClientConfig.of(
        "localhost",
        server.port(),
        pki.user("bob"),
        pki.ca().certificate(),
        dir.resolve("data-bob"));
  }

  @Test
  void secondClientOfOneIdentity_isRefusedAtOnce_namingTheProcess() throws Exception {
    try (ChatClient first = ChatClient.connect(bob(), new ChatClientIntegrationTest.Inbox())) {
      long pid = ProcessHandle.current().pid();
      assertThatThrownBy(
              () -> ChatClient.connect(bob(), new ChatClientIntegrationTest.Inbox()).close())
          .isInstanceOf(IdentityInUseException.class)
          .hasMessageStartingWith(
              "bob is already in use by another ztchat process (pid " + pid + ")");
      assertThat(first.isConnected()).as("the first client is not disturbed").isTrue();
    }
    try (ChatClient again = ChatClient.connect(bob(), new ChatClientIntegrationTest.Inbox())) {
      assertThat(again.isConnected()).as("free again once the first closed").isTrue();
    }
  }

  @Test
  void refusedSecondClient_leavesTheFirstOnesLockInPlace() throws Exception {
    try (ChatClient first = ChatClient.connect(bob(), new ChatClientIntegrationTest.Inbox())) {
      for (int i = 0; i < 2; i++) {
        assertThatThrownBy(
                () -> ChatClient.start(bob(), new ChatClientIntegrationTest.Inbox()).close())
            .isInstanceOf(IdentityInUseException.class);
      }
    }
  }

  @Test
  void closingAStoreTwice_doesNotFreeTheIdentityHeldByALaterOne() throws Exception {
    Path state = dir.resolve("state");
    ClientStore first = ClientStore.open(state, "bob");
    first.close();
    try (ClientStore second = ClientStore.open(state, "bob")) {
      first.close();
      assertThatThrownBy(() -> ClientStore.open(state, "bob").close())
          .isInstanceOf(IdentityInUseException.class);
      assertThat(second.dataDir()).isEqualTo(state);
    }
  }

  @Test
  void lockFile_isPrivate_andHoldsThePid() throws Exception {
    try (ClientStore store = ClientStore.open(dir.resolve("state"), "bob")) {
      Path lock = store.dataDir().resolve(IdentityLock.FILE_NAME);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(lock)))
          .isEqualTo("rw-------");
      assertThat(Files.readString(lock).strip())
          .isEqualTo(String.valueOf(ProcessHandle.current().pid()));
    }
  }

  @Test
  void identityHeldByAnotherProcess_isRefusedWithThatPid_andFreedWhenItEnds() throws Exception {
    Path state = dir.resolve("state");
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process holder =
        new ProcessBuilder(
                List.of(
                    java,
                    "--enable-native-access=ALL-UNNAMED",
                    "-cp",
                    System.getProperty("java.class.path"),
                    IdentityLockHolder.class.getName(),
                    state.toString(),
                    "bob"))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      String line;
      do {
        line = out.readLine(); // skips whatever the logging library says at start
      } while (line != null && !line.startsWith("holding "));
      assertThat(line).isEqualTo("holding " + holder.pid());

      assertThatThrownBy(() -> ClientStore.open(state, "bob").close())
          .isInstanceOf(IdentityInUseException.class)
          .hasMessageStartingWith(
              "bob is already in use by another ztchat process (pid " + holder.pid() + ")")
          .satisfies(e -> assertThat(((IdentityInUseException) e).pid()).hasValue(holder.pid()));

      holder.destroyForcibly(); // the lock goes with the process, however it ends
      assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
      try (ClientStore store = ClientStore.open(state, "bob")) {
        assertThat(store.dataDir()).isEqualTo(state);
      }
    } finally {
      holder.destroyForcibly();
    }
  }
}
