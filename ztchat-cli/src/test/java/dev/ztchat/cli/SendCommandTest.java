package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What {@code ztchat send} refuses before it connects. */
class SendCommandTest {
  @Test
  void emptyText_isRefusedAsBadUsage_beforeConnecting() {
    PkiCommandTest.Run r =
        PkiCommandTest.run(
            "send", "--server", "localhost:1", "--identity", "alice", "--to", "bob", "");

    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("the message is empty").doesNotContain("connect");
  }

  @Test
  void blankText_isRefusedAsBadUsage() {
    PkiCommandTest.Run r =
        PkiCommandTest.run(
            "send", "--server", "localhost:1", "--identity", "alice", "--to", "bob", " \n ");

    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains("the message is empty");
  }
}
