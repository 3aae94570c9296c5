package dev.ztchat.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The page's commands are flat objects of strings, and nothing else; events are strict JSON. */
class PageEventsTest {
  @Test
  void aFlatObjectOfStrings_isACommand() {
    assertThat(PageEvents.command("{\"t\":\"send\",\"peer\":\"bob\",\"text\":\"<b>hi</b>\\n\"}"))
        .isEqualTo(Map.of("t", "send", "peer", "bob", "text", "<b>hi</b>\n"));
  }

  @Test
  void anythingElse_isRefused() {
    for (String bad :
        new String[] {
          "",
          "[]",
          "\"t\"",
          "{\"t\":1}",
          "{\"t\":{\"x\":\"y\"}}",
          "{\"t\":[\"open\"]}",
          "{\"t\":\"a\",\"t\":\"b\"}",
          "{\"t\":\"a\"} {\"t\":\"b\"}",
          "{\"t\":\"a\"",
          "{\"a\":\"1\",\"b\":\"1\",\"c\":\"1\",\"d\":\"1\",\"e\":\"1\",\"f\":\"1\",\"g\":\"1\","
              + "\"h\":\"1\",\"i\":\"1\"}",
        }) {
      assertThat(PageEvents.command(bad)).as(bad).isNull();
    }
  }

  @Test
  void events_escapeWhatCouldEndTheString() {
    String e =
        PageEvents.event(
            "notice", g -> g.writeStringField("text", "\"</script>\u0000\u001b\u2028"));
    assertThat(e).isEqualTo("{\"t\":\"notice\",\"text\":\"\\\"</script>\\u0000\\u001B\u2028\"}");
  }
}
