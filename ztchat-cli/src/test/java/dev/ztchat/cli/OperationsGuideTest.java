package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.testing.Promtool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/OPERATIONS.md's monitoring advice is usable as written. */
class OperationsGuideTest {
  private static final Path GUIDE = Path.of("..", "docs", "OPERATIONS.md");

  @Test
  void alertRulesInTheGuide_passPromtoolCheckRules() throws Exception {
    Matcher rules =
        Pattern.compile("(?ms)^```yaml\\n(groups:.*?)^```").matcher(Files.readString(GUIDE));
    assertThat(rules.find()).as("the guide has a Prometheus rule group").isTrue();

    String said = Promtool.assertRulesAccepted(rules.group(1));

    assertThat(said).contains("SUCCESS");
  }
}
