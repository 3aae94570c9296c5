package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartialDeliveryTest {
  @Test
  void myOwnNameAmongTheMembersNotReached_isSaidAsMyOtherDevices_andNotCounted() {
    PartialDelivery p = new PartialDelivery(3, List.of("zed", "alice"), "refused", false);

    assertThat(p.describe("alice"))
        .isEqualTo("sent to 2 of 3: not to zed, your other devices (refused)");
  }

  @Test
  void keptBytes_decodeToTheSameNote_reasonsWithLineBreaksIncluded() {
    PartialDelivery p = new PartialDelivery(5, List.of("bob", "carol"), "a\nb; c", true);

    assertThat(PartialDelivery.decode(p.encode())).isEqualTo(p);
  }

  @Test
  void anythingElseKept_isRefused() {
    for (String bad : List.of("", "2\n3\n0\nzed\nwhy", "1\n3\n2\nzed\nwhy", "1\n0\n0\nzed\nwhy")) {
      assertThatThrownBy(() -> PartialDelivery.decode(bad.getBytes(StandardCharsets.UTF_8)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
