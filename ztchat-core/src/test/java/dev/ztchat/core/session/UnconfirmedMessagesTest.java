package dev.ztchat.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sender's unconfirmed messages, kept in their stored form. */
class UnconfirmedMessagesTest {
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

  private static byte[] id(long seq) {
    int length = 1 + (int) (seq % ConversationLedger.MAX_ID_LENGTH);
    byte[] id = new byte[length];
    for (int i = 0; i < length; i++) {
      id[i] = (byte) (seq * 31 + i);
    }
    return id;
  }

  private static List<Long> seqs(UnconfirmedMessages m) {
    List<Long> out = new ArrayList<>();
    for (UnconfirmedMessages.Sent s : m) {
      assertThat(s.id()).isEqualTo(id(s.seq()));
      assertThat(s.at()).isEqualTo(T0.plusMillis(s.seq()));
      out.add(s.seq());
    }
    return out;
  }

  private static UnconfirmedMessages roundTrip(UnconfirmedMessages m, long firstSeq)
      throws MalformedSessionDataException {
    ByteWriter w = new ByteWriter();
    m.write(w);
    ByteReader r = new ByteReader(w.toByteArray(), "test");
    UnconfirmedMessages back = UnconfirmedMessages.read(r, r.u16(), firstSeq);
    r.end();
    return back;
  }

  @Test
  void entriesAddedAndDroppedPastTheBuffer_keepTheirOrderAndContent_throughStoring()
      throws Exception {
    UnconfirmedMessages m = new UnconfirmedMessages();
    long next = 1;
    long first = 1;
    for (int round = 0; round < 50; round++) {
      for (int i = 0; i < 97; i++, next++) {
        m.addLast(next, id(next), T0.plusMillis(next));
      }
      for (int i = 0; i < 61; i++) {
        assertThat(m.removeFirst()).isEqualTo(first++);
      }
      m = roundTrip(m, first);
    }
    assertThat(m.size()).isEqualTo((int) (next - first));
    assertThat(seqs(m)).first().isEqualTo(first);
    assertThat(seqs(m)).last().isEqualTo(next - 1);
    assertThat(seqs(m)).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void storedEntries_thatDoNotRunOn_orHaveABadIdLength_areRefused() throws Exception {
    UnconfirmedMessages m = new UnconfirmedMessages();
    m.addLast(5, id(5), T0);
    m.addLast(6, id(6), T0);
    ByteWriter w = new ByteWriter();
    m.write(w);
    byte[] stored = w.toByteArray();

    assertThatThrownBy(() -> UnconfirmedMessages.read(new ByteReader(stored, "t"), 2, 4))
        .isInstanceOf(MalformedSessionDataException.class);
    byte[] noId = stored.clone();
    noId[2 + 8] = 0;
    ByteReader r = new ByteReader(noId, "t");
    int n = r.u16();
    assertThatThrownBy(() -> UnconfirmedMessages.read(r, n, 5))
        .isInstanceOf(MalformedSessionDataException.class);
  }
}
