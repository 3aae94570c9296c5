package dev.ztchat.core.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The group id, state and change encodings (docs/v2/groups.md section 4). */
class GroupCodecTest {
  private static final HexFormat HEX = HexFormat.of();
  private final GroupId id = GroupId.fromHex("00112233445566778899aabbccddeeff");

  @Test
  void groupId_hexRoundTripsAndCopiesDefensively() {
    GroupId random = GroupId.random(new SecureRandom());
    byte[] bytes = random.bytes();
    bytes[0] ^= 1;

    assertThat(GroupId.fromHex(random.hex())).isEqualTo(random).hasSameHashCodeAs(random);
    assertThat(random.bytes()).isNotEqualTo(bytes);
    assertThatThrownBy(() -> GroupId.fromHex("00")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GroupId.fromHex("zz".repeat(16)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void groupName_followsTheUserNameAlphabet() {
    assertThat(GroupName.isValid("team-1.x_y")).isTrue();
    assertThat(GroupName.isValid("a".repeat(32))).isTrue();
    assertThat(GroupName.isValid("a".repeat(33))).isFalse();
    assertThat(GroupName.isValid("")).isFalse();
    assertThat(GroupName.isValid("Team")).isFalse();
    assertThat(GroupName.isValid("-team")).isFalse();
    assertThatThrownBy(() -> GroupName.validate("#team"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("group name");
  }

  @Test
  void createdState_isVersionOneWithTheCreatorAsOnlyAdmin() {
    GroupState s = GroupState.created(id, "team", "carol", List.of("bob", "alice"));

    assertThat(s.version()).isEqualTo(1);
    assertThat(s.prevHash()).isEqualTo(new byte[32]);
    assertThat(s.members()).containsExactly("alice", "bob", "carol");
    assertThat(s.admins()).containsExactly("carol");
    assertThat(s.isMember("bob")).isTrue();
    assertThat(s.isAdmin("bob")).isFalse();
  }

  @Test
  void state_encodesByteByByte() throws Exception {
    GroupState s = GroupState.created(id, "t", "b", List.of("a"));

    assertThat(HEX.formatHex(s.encode()))
        .isEqualTo(
            "01"
                + "00112233445566778899aabbccddeeff"
                + "0174"
                + "00000001"
                + "00".repeat(32)
                + "02"
                + "0161"
                + "0162"
                + "01"
                + "0162");
    assertThat(GroupState.decode(s.encode())).isEqualTo(s);
  }

  @Test
  void state_truncatedAnywhere_isMalformed() {
    byte[] full = GroupState.created(id, "team", "alice", List.of("bob")).encode();
    for (int n = 0; n < full.length; n++) {
      byte[] cut = Arrays.copyOf(full, n);
      assertThatThrownBy(() -> GroupState.decode(cut))
          .isInstanceOf(MalformedGroupException.class)
          .hasMessageContaining("truncated");
    }
  }

  @Test
  void state_trailingByte_isMalformed() {
    byte[] full = GroupState.created(id, "team", "alice", List.of("bob")).encode();

    assertThatThrownBy(() -> GroupState.decode(Arrays.copyOf(full, full.length + 1)))
        .isInstanceOf(MalformedGroupException.class)
        .hasMessageContaining("trailing");
  }

  @Test
  void state_unsortedOrDuplicateMembers_isMalformed() {
    String prefix =
        "01" + "00112233445566778899aabbccddeeff" + "0174" + "00000001" + "00".repeat(32);
    byte[] unsorted = HEX.parseHex(prefix + "02" + "0162" + "0161" + "01" + "0161");
    byte[] twice = HEX.parseHex(prefix + "02" + "0161" + "0161" + "01" + "0161");

    assertThatThrownBy(() -> GroupState.decode(unsorted))
        .isInstanceOf(MalformedGroupException.class)
        .hasMessageContaining("not sorted");
    assertThatThrownBy(() -> GroupState.decode(twice))
        .isInstanceOf(MalformedGroupException.class)
        .hasMessageContaining("twice");
  }

  @Test
  void state_adminNotAMember_orNoAdmin_isMalformed() {
    String prefix =
        "01" + "00112233445566778899aabbccddeeff" + "0174" + "00000001" + "00".repeat(32);
    byte[] stranger = HEX.parseHex(prefix + "01" + "0161" + "01" + "0163");
    byte[] noAdmin = HEX.parseHex(prefix + "01" + "0161" + "00");

    assertThatThrownBy(() -> GroupState.decode(stranger))
        .isInstanceOf(MalformedGroupException.class)
        .hasMessageContaining("not one of its members");
    assertThatThrownBy(() -> GroupState.decode(noAdmin))
        .isInstanceOf(MalformedGroupException.class)
        .hasMessageContaining("admin");
  }

  @Test
  void state_versionZero_badFormat_orNonZeroPrevAtVersionOne_isMalformed() {
    byte[] full = GroupState.created(id, "t", "a", List.of("b")).encode();
    byte[] format = full.clone();
    format[0] = 2;
    byte[] zero = full.clone();
    zero[22] = 0;
    byte[] prev = full.clone();
    prev[30] = 1;

    assertThatThrownBy(() -> GroupState.decode(format))
        .isInstanceOf(MalformedGroupException.class)
        .hasMessageContaining("format 2");
    assertThatThrownBy(() -> GroupState.decode(zero))
        .isInstanceOf(MalformedGroupException.class)
        .hasMessageContaining("version 0");
    assertThatThrownBy(() -> GroupState.decode(prev))
        .isInstanceOf(MalformedGroupException.class)
        .hasMessageContaining("prev_hash");
  }

  @Test
  void state_invalidNameBytes_isMalformed() {
    byte[] full = GroupState.created(id, "t", "a", List.of("b")).encode();
    full[18] = 'T';

    assertThatThrownBy(() -> GroupState.decode(full))
        .isInstanceOf(MalformedGroupException.class)
        .hasMessageContaining("group name");
  }

  @Test
  void state_hash_isLabelledSha256OverTheEncoding() throws Exception {
    GroupState s = GroupState.created(id, "team", "alice", List.of("bob"));
    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
    sha.update("ztchat v2 group state".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    assertThat(s.hash()).isEqualTo(sha.digest(s.encode()));
  }

  @Test
  void change_roundTrips() throws Exception {
    GroupChange create = GroupRules.create(id, "team", "alice", List.of("carol", "bob"));
    GroupChange add = GroupRules.propose(create.newState(), "alice", GroupOp.ADD, List.of("dave"));

    assertThat(create.subjects()).containsExactly("bob", "carol");
    assertThat(GroupChange.decode(create.encode())).isEqualTo(create);
    assertThat(GroupChange.decode(add.encode())).isEqualTo(add);
    assertThat(add.newState().version()).isEqualTo(2);
    assertThat(add.newState().prevHash()).isEqualTo(create.newState().hash());
  }

  @Test
  void change_truncatedAnywhere_orTrailingBytes_isMalformed() throws Exception {
    byte[] full = GroupRules.create(id, "team", "alice", List.of("bob")).encode();
    for (int n = 0; n < full.length; n++) {
      byte[] cut = Arrays.copyOf(full, n);
      assertThatThrownBy(() -> GroupChange.decode(cut))
          .isInstanceOf(MalformedGroupException.class)
          .hasMessageContaining("truncated");
    }
    assertThatThrownBy(() -> GroupChange.decode(Arrays.copyOf(full, full.length + 1)))
        .isInstanceOf(MalformedGroupException.class)
        .hasMessageContaining("trailing");
  }

  @Test
  void change_unknownOpOrFormat_isMalformed() throws Exception {
    byte[] full = GroupRules.create(id, "team", "alice", List.of("bob")).encode();
    byte[] op = full.clone();
    op[1] = 5;
    byte[] format = full.clone();
    format[0] = 0;

    assertThatThrownBy(() -> GroupChange.decode(op))
        .isInstanceOf(MalformedGroupException.class)
        .hasMessageContaining("unknown group change operation 5");
    assertThatThrownBy(() -> GroupChange.decode(format))
        .isInstanceOf(MalformedGroupException.class)
        .hasMessageContaining("format 0");
  }

  @Test
  void change_stateContradictingTheOp_isMalformed() throws Exception {
    GroupChange create = GroupRules.create(id, "team", "alice", List.of("bob"));
    byte[] asAdd = create.encode();
    asAdd[1] = (byte) GroupOp.ADD.code();
    byte[] asRemove = create.encode();
    asRemove[1] = (byte) GroupOp.REMOVE.code();

    assertThatThrownBy(() -> GroupChange.decode(asAdd))
        .isInstanceOf(MalformedGroupException.class)
        .hasMessageContaining("version above 1");
    assertThatThrownBy(() -> GroupChange.decode(asRemove))
        .isInstanceOf(MalformedGroupException.class)
        .hasMessageContaining("version above 1");
  }

  @Test
  void change_unsortedSubjects_isMalformed() throws Exception {
    GroupChange create = GroupRules.create(id, "team", "alice", List.of("bob", "carol"));
    byte[] encoded = create.encode();
    // subjects start at offset 3: 01 62 6f 62 ("bob") 05 "carol"; swap them
    byte[] swapped = encoded.clone();
    byte[] carol = Arrays.copyOfRange(encoded, 7, 13);
    byte[] bob = Arrays.copyOfRange(encoded, 3, 7);
    System.arraycopy(carol, 0, swapped, 3, carol.length);
    System.arraycopy(bob, 0, swapped, 3 + carol.length, bob.length);

    assertThatThrownBy(() -> GroupChange.decode(swapped))
        .isInstanceOf(MalformedGroupException.class)
        .hasMessageContaining("not sorted");
  }

  @Test
  void everyByteOfAChangeMutated_decodesOrIsMalformed_neverAnotherException() throws Exception {
    GroupState v1 = GroupState.created(id, "team", "alice", List.of("bob", "carol"));
    byte[] full = GroupRules.propose(v1, "alice", GroupOp.ADD, List.of("dave")).encode();
    int malformed = 0;
    for (int i = 0; i < full.length; i++) {
      for (int value : new int[] {0x00, 0x01, 0x7f, 0x80, 0xff, full[i] ^ 0x01}) {
        byte[] mutated = full.clone();
        mutated[i] = (byte) value;
        try {
          GroupChange.decode(mutated);
        } catch (MalformedGroupException e) {
          malformed++;
        }
      }
    }
    assertThat(malformed).isPositive();
  }
}
