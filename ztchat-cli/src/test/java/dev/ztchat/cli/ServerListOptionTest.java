package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every client command refuses a malformed {@code --server} list before it connects. */
class ServerListOptionTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "send --to bob hi|localhost:1,,localhost:2|relay 2 is empty",
        "recv --count 1|localhost:1,|relay 2 is empty",
        "web --no-open|localhost:1,localhost:0|relay 2 ('localhost:0'): the port must be a number"
            + " from 1 to 65535",
        "group list|localhost:8443,LOCALHOST:8443|relay LOCALHOST:8443 is listed twice",
        "send --to bob hi|localhost|relay 1 ('localhost') must be HOST:PORT"
      })
  void malformedList_isABadUsage_namingTheEntry(String command, String list, String message) {
    List<String> args = new ArrayList<>(List.of(command.split(" ")));
    args.addAll(List.of("--identity", "alice", "--server", list));

    PkiCommandTest.Run r = PkiCommandTest.run(args.toArray(String[]::new));

    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("--server: " + message).doesNotContain("cannot connect");
  }
}
