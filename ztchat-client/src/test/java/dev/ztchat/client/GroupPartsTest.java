package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.V2Envelope;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The outbox's stored form of a group message split across envelopes ({@link GroupParts}). */
class GroupPartsTest {
  private static V2Envelope envelope(String recipient, int bodyByte) {
    RoutingPrefix prefix =
        new RoutingPrefix(V2Envelope.VERSION, "alice", List.of(recipient), 1_000L, new byte[16]);
    byte[] body = new byte[40];
    Arrays.fill(body, (byte) bodyByte);
    return new V2Envelope(prefix, body, new byte[] {1, 2, 3});
  }

  @Test
  void onePart_isStoredAsTheEnvelopeItself_soRowsFromBeforeSplittingStillRead() throws Exception {
    V2Envelope one = envelope("bob", 7);

    byte[] stored = GroupParts.encode(List.of(one));

    assertThat(stored).isEqualTo(one.encode());
    assertThat(GroupParts.decode(stored)).containsExactly(one);
  }

  @Test
  void severalParts_readBackInOrder() throws Exception {
    List<V2Envelope> parts = List.of(envelope("bob", 1), envelope("carol", 2), envelope("dave", 3));

    List<V2Envelope> back = GroupParts.decode(GroupParts.encode(parts));

    assertThat(back)
        .extracting(p -> p.prefix().recipients())
        .containsExactly(List.of("bob"), List.of("carol"), List.of("dave"));
    assertThat(back.get(2).encode()).isEqualTo(parts.get(2).encode());
  }

  @Test
  void aTruncatedOrExtendedStoredForm_isRefused() {
    byte[] stored = GroupParts.encode(List.of(envelope("bob", 1), envelope("carol", 2)));
    for (int n = 1; n < stored.length; n += 7) {
      byte[] cut = Arrays.copyOf(stored, n);
      assertThatThrownBy(() -> GroupParts.decode(cut)).isInstanceOf(IOException.class);
    }
    byte[] longer = Arrays.copyOf(stored, stored.length + 1);
    assertThatThrownBy(() -> GroupParts.decode(longer))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("damaged");
  }
}
