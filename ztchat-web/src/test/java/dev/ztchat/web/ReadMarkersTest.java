package dev.ztchat.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.HistoryEntry;
import dev.ztchat.client.HistoryEntry.Direction;
import dev.ztchat.client.HistoryEntry.State;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read markers behind the unread counts, on disk. */
class ReadMarkersTest {
  @TempDir Path dir;

  static HistoryEntry in(String id) {
    return new HistoryEntry("bob", Direction.IN, id, Instant.EPOCH, State.RECEIVED, "text");
  }

  static HistoryEntry out(String id) {
    return new HistoryEntry("bob", Direction.OUT, id, Instant.EPOCH, State.SENT, "text");
  }

  @Test
  void unread_countsTheReceivedMessagesAfterTheMarker_acrossAReload() throws Exception {
    ReadMarkers m = ReadMarkers.in(dir);
    assertThat(m.existed()).isFalse();
    m.seen("bob", List.of(in("01"), out("02")));

    ReadMarkers again = ReadMarkers.in(dir);
    assertThat(again.existed()).isTrue();
    assertThat(again.unread("bob", List.of(in("01"), out("02"), in("03"), in("04")))).isEqualTo(2);
    assertThat(again.unread("carol", List.of(in("0a"), out("0b"), in("0c")))).isEqualTo(2);
  }

  @Test
  void theFile_isReadableByItsOwnerOnly() throws Exception {
    ReadMarkers.in(dir).seen("bob", "0a");
    assertThat(Files.getPosixFilePermissions(dir.resolve(ReadMarkers.FILE)))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(dir.resolve(ReadMarkers.FILE))).isEqualTo("bob 0a\n");
  }

  @Test
  void linesItDidNotWrite_areIgnored() throws Exception {
    Files.writeString(dir.resolve(ReadMarkers.FILE), "Bob 0a\nbob zz\n<img> 01\nbob 0b extra\n");
    ReadMarkers m = ReadMarkers.in(dir);
    assertThat(m.unread("bob", List.of(in("0a"), in("0b")))).isEqualTo(2);
  }

  @Test
  void aGroupsMarker_isKeptUnderItsId_andOtherHashLinesAreIgnored() throws Exception {
    String team = "#" + "0123456789abcdef".repeat(2);
    ReadMarkers.in(dir).seen(team, "0a");
    Files.writeString(
        dir.resolve(ReadMarkers.FILE),
        Files.readString(dir.resolve(ReadMarkers.FILE)) + "#team 0a\n#0123 0a\n",
        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
    ReadMarkers m = ReadMarkers.in(dir);
    assertThat(m.unread(team, List.of(in("0a"), in("0b")))).isEqualTo(1);
    assertThat(m.unread("#team", List.of(in("0a"), in("0b")))).isEqualTo(2);
    m.seen("#team", "0b"); // not a group's id: not kept
    m.seen(team, "0b");
    assertThat(Files.readString(dir.resolve(ReadMarkers.FILE))).isEqualTo(team + " 0b\n");
  }

  @Test
  void aLinkInPlaceOfTheFile_isNotFollowed() throws Exception {
    Path elsewhere = Files.writeString(dir.resolve("elsewhere"), "bob 0a\n");
    Path state = Files.createDirectory(dir.resolve("state"));
    Files.createSymbolicLink(state.resolve(ReadMarkers.FILE), elsewhere);
    ReadMarkers m = ReadMarkers.in(state);
    assertThat(m.unread("bob", List.of(in("0a"), in("0b")))).isEqualTo(2);
    m.seen("bob", "0b");
    assertThat(Files.readString(elsewhere)).isEqualTo("bob 0a\n");
    assertThat(Files.isSymbolicLink(state.resolve(ReadMarkers.FILE))).isFalse();
  }
}
