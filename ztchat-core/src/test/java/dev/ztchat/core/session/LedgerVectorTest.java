package dev.ztchat.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.testing.DocumentedVector;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Checks the vector of docs/v2/conversation-ledger.md section 8, read from the document. */
class LedgerVectorTest {
  private static final Path DOC = Path.of("..", "docs", "v2", "conversation-ledger.md");
  private static final HexFormat HEX = HexFormat.of();

  private static Map<String, String> values() throws Exception {
    return DocumentedVector.values(DocumentedVector.section(DOC, "## 8. Test vector"));
  }

  @Test
  void chainLinks_areTheDocumentedHashes() throws Exception {
    Map<String, String> v = values();
    byte[] c1 = LedgerChain.link(LedgerChain.start(), 1, HEX.parseHex(v.get("id_1")));
    byte[] c2 = LedgerChain.link(c1, 2, null);
    byte[] c3 = LedgerChain.link(c2, 3, HEX.parseHex(v.get("id_3")));

    assertThat(HEX.formatHex(c1)).isEqualTo(v.get("chain_1"));
    assertThat(HEX.formatHex(c2)).isEqualTo(v.get("chain_2"));
    assertThat(HEX.formatHex(c3)).isEqualTo(v.get("chain_3"));
  }

  @Test
  void ledgerThatLostMessage2_commitsTheDocumentedBytes_andTheSenderConfirmsIt() throws Exception {
    Map<String, String> v = values();
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    ConversationLedger bob = ConversationLedger.create();
    ConversationLedger alice = ConversationLedger.create();
    byte[] id1 = HEX.parseHex(v.get("id_1"));
    byte[] id3 = HEX.parseHex(v.get("id_3"));
    LedgerCommitment a1 = alice.nextOutgoing(id1, t);
    alice.nextOutgoing(HEX.parseHex("ff"), t);
    LedgerCommitment a3 = alice.nextOutgoing(id3, t);
    for (int i = 0; i < 4; i++) {
      bob.nextOutgoing(new byte[] {(byte) i}, t);
    }
    bob.receive(a1, id1, t, t);
    bob.receive(a3, id3, t, t);
    bob.refresh(t.plus(ConversationLedger.DEFAULT_GAP_WAIT));

    LedgerCommitment c = bob.nextOutgoing(new byte[] {5}, t);

    assertThat(HEX.formatHex(c.encode())).isEqualTo(v.get("commitment"));
    LedgerReport r = alice.receive(LedgerCommitment.decode(c.encode()), new byte[] {5}, t, t);
    assertThat(r.history()).isEqualTo(LedgerReport.History.CONSISTENT);
    assertThat(r.peerLostMine()).isEqualTo(List.of(SeqRange.of(2)));
  }
}
