package dev.ztchat.core.group;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.testing.DocumentedVector;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Checks the vector of docs/v2/groups.md section 12, read from the document. */
class GroupVectorTest {
  private static final Path DOC = Path.of("..", "docs", "v2", "groups.md");
  private static final HexFormat HEX = HexFormat.of();
  private static final GroupId ID = GroupId.fromHex("00112233445566778899aabbccddeeff");

  private static Map<String, String> values() throws Exception {
    return DocumentedVector.values(DocumentedVector.section(DOC, "## 12. Test vector"));
  }

  @Test
  void createAddLeave_encodeAndHashToTheDocumentedBytes() throws Exception {
    Map<String, String> v = values();
    GroupChange create = GroupRules.create(ID, "team", "alice", List.of("bob", "carol"));
    GroupChange add = GroupRules.propose(create.newState(), "alice", GroupOp.ADD, List.of("dave"));
    GroupChange leave =
        GroupRules.propose(add.newState(), "alice", GroupOp.LEAVE, List.of("alice"));

    assertThat(HEX.formatHex(create.newState().encode())).isEqualTo(v.get("state_1"));
    assertThat(HEX.formatHex(create.newState().hash())).isEqualTo(v.get("hash_1"));
    assertThat(HEX.formatHex(create.encode())).isEqualTo(v.get("create"));
    assertThat(HEX.formatHex(add.encode())).isEqualTo(v.get("change_2"));
    assertThat(HEX.formatHex(add.newState().hash())).isEqualTo(v.get("hash_2"));
    assertThat(HEX.formatHex(leave.encode())).isEqualTo(v.get("change_3"));
    assertThat(HEX.formatHex(leave.newState().hash())).isEqualTo(v.get("hash_3"));
    assertThat(leave.newState().admins()).containsExactly("bob");
  }

  @Test
  void aRemove_encodesAndHashesToTheDocumentedBytes_andApplies() throws Exception {
    Map<String, String> v = values();
    GroupState three = GroupChange.decode(HEX.parseHex(v.get("change_3"))).newState();
    GroupChange remove = GroupRules.propose(three, "bob", GroupOp.REMOVE, List.of("carol"));

    assertThat(HEX.formatHex(remove.encode())).isEqualTo(v.get("change_4"));
    assertThat(HEX.formatHex(remove.newState().hash())).isEqualTo(v.get("hash_4"));
    GroupChange documented = GroupChange.decode(HEX.parseHex(v.get("change_4")));
    assertThat(documented.op()).isEqualTo(GroupOp.REMOVE);
    GroupRules.check(three, "bob", documented); // follows by the rule, or throws
    assertThat(documented).isEqualTo(remove);
    assertThat(documented.newState().members()).containsExactly("bob", "dave");
  }

  @Test
  void documentedBytes_decodeAndApplyAtAMember() throws Exception {
    Map<String, String> v = values();
    GroupChange create = GroupChange.decode(HEX.parseHex(v.get("create")));
    GroupChange add = GroupChange.decode(HEX.parseHex(v.get("change_2")));
    GroupChange leave = GroupChange.decode(HEX.parseHex(v.get("change_3")));
    GroupTimeline carol = GroupTimeline.start("carol", "alice", create);

    assertThat(carol.apply("alice", leave)).isInstanceOf(ApplyOutcome.Pending.class);
    assertThat(carol.apply("alice", add)).isInstanceOf(ApplyOutcome.Applied.class);
    assertThat(HEX.formatHex(carol.state().hash())).isEqualTo(v.get("hash_3"));
    assertThat(GroupState.decode(HEX.parseHex(v.get("state_1"))).members())
        .containsExactly("alice", "bob", "carol");
  }

  @Test
  void groupText_encodesToTheDocumentedBytes() throws Exception {
    Map<String, String> v = values();
    MessageContent text = MessageContent.groupText(ID, 2, "hi");

    assertThat(HEX.formatHex(text.encode())).isEqualTo(v.get("group_text"));
    assertThat(MessageContent.decode(HEX.parseHex(v.get("group_text")))).isEqualTo(text);
  }
}
