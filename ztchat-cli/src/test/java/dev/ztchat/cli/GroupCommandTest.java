package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.cli.PkiCommandTest.Run;
import org.junit.jupiter.api.Test;

/** {@code ztchat group} without a relay: its help, and what it says when no subcommand is given. */
class GroupCommandTest {
  @Test
  void groupHelp_listsEverySubcommand_andExits0() {
    for (String help : new String[] {"--help", "-h"}) {
      Run r = PkiCommandTest.run("group", help);

      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out())
          .contains("Usage: ztchat group")
          .contains("create", "add", "remove", "leave", "list")
          .contains("send --to '#NAME'");
    }
  }

  @Test
  void group_withoutSubcommand_saysWhatToDo_andPointsToAHelpThatWorks() {
    Run r = PkiCommandTest.run("group");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains("say what to do: create, add, remove, leave or list")
        .contains("Try './ztchat group --help'");
    assertThat(PkiCommandTest.run("group", "--help").exit()).isZero();
  }
}
