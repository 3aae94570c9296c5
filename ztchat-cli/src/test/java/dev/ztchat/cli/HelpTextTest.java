package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/** Every command's --help renders whole: no sentence cut off, no path broken across lines. */
class HelpTextTest {
  static final int WIDTH = Main.HELP_WIDTH;

  static List<CommandLine> everyCommand(CommandLine cl) {
    List<CommandLine> all = new ArrayList<>();
    all.add(cl);
    for (CommandLine sub : cl.getSubcommands().values()) {
      if (!all.contains(sub)) {
        everyCommand(sub).stream().filter(c -> !all.contains(c)).forEach(all::add);
      }
    }
    return all;
  }

  static Set<String> words(String text) {
    return new HashSet<>(List.of(text.strip().split("\\s+")));
  }

  @Test
  void everyHelpPage_keepsEveryWordOfItsTextsWhole_andFitsTheWidth() {
    for (CommandLine cl : everyCommand(Main.commandLine())) {
      CommandSpec spec = cl.getCommandSpec();
      String help = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
      Set<String> rendered = words(help);
      List<String> texts = new ArrayList<>(List.of(spec.usageMessage().description()));
      texts.addAll(spec.usageMessage().exitCodeList().values());
      for (ArgSpec arg : spec.args()) {
        if (!arg.hidden()) {
          texts.addAll(List.of(arg.description()));
        }
      }
      for (String text : texts) {
        for (String word : words(text.replace("%n", " "))) {
          assertThat(rendered)
              .as(
                  "'%s' of '%s' whole in the help of %s:%n%s",
                  word, text, spec.qualifiedName(), help)
              .contains(word);
        }
      }
      assertThat(help.lines())
          .as("help of %s within %d columns", spec.qualifiedName(), WIDTH)
          .allMatch(line -> line.length() <= WIDTH);
    }
  }

  @Test
  void everyCommandDescription_endsItsSentences() {
    for (CommandLine cl : everyCommand(Main.commandLine())) {
      CommandSpec spec = cl.getCommandSpec();
      if (spec.userObject() instanceof CommandLine.HelpCommand) {
        continue; // picocli's own wording
      }
      for (String paragraph : spec.usageMessage().description()) {
        assertThat(paragraph.strip())
            .as("a description paragraph of %s ends a sentence", spec.qualifiedName())
            .matches("(?s).*[.:)]");
      }
    }
  }

  @Test
  void sendHelp_showsEveryExitCode_inFull() {
    PkiCommandTest.Run r = PkiCommandTest.run("send", "--help");

    assertThat(r.exit()).isZero();
    assertThat(r.out().replaceAll("\\s+", " "))
        .contains(
            "the message is kept and re-sent (never twice) the next time this identity connects");
  }

  @Test
  void usageError_printsTheErrorAndWhereHelpIs_notTheWholeHelpPage() {
    PkiCommandTest.Run r = PkiCommandTest.run("send", "--to");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines())
        .containsExactly(
            "ztchat send: Missing required parameter for option '--to' (<to>)",
            "Try './ztchat send --help' for more information.");
  }

  @Test
  void unknownSubcommand_isAnError_withWhereHelpIs_notTheWholeHelpPage() {
    PkiCommandTest.Run r = PkiCommandTest.run("sned");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains("Unmatched argument")
        .contains("'sned'")
        .contains("Try './ztchat --help'");
    assertThat(r.err()).doesNotContain("Usage:");
  }
}
