package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.server.store.OfflineQueue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeviceSetCheckTest {
  static final String A = "a".repeat(64);
  static final String B = "b".repeat(64);
  static final String C = "c".repeat(64);
  static final String S = "5".repeat(64);

  static final RoutingPrefix TO_BOB =
      new RoutingPrefix(2, "alice", List.of("bob"), 0, new byte[16]);

  static final Map<String, List<String>> CURRENT =
      Map.of("bob", List.of(A, B), "alice", List.of(S), "carol", List.of(OfflineQueue.ANY_DEVICE));

  @Test
  void theCurrentSet_passes() {
    assertThat(
            DeviceSetCheck.check(
                TO_BOB, List.of("bob:" + A, "bob:" + B, "alice:" + S), CURRENT::get))
        .isEmpty();
  }

  @Test
  void aNewDeviceOfTheRecipient_isMissing_andARevokedOne_isExtra() {
    var stale =
        DeviceSetCheck.check(TO_BOB, List.of("bob:" + A, "bob:" + C, "alice:" + S), CURRENT::get);
    assertThat(stale).isPresent();
    assertThat(stale.get().missing()).containsExactly("bob:" + B);
    assertThat(stale.get().extra()).containsExactly("bob:" + C);
    assertThat(stale.get().message()).contains("missing=bob:" + B + " extra=bob:" + C + " ");
  }

  @Test
  void theSendersOtherDevice_leftOut_isMissing() {
    var stale = DeviceSetCheck.check(TO_BOB, List.of("bob:" + A, "bob:" + B), CURRENT::get);
    assertThat(stale).isPresent();
    assertThat(stale.get().missing()).containsExactly("alice:" + S);
    assertThat(stale.get().extra()).isEmpty();
  }

  @Test
  void aPersonWithoutNamedDevices_isNotChecked() {
    RoutingPrefix toCarol = new RoutingPrefix(2, "alice", List.of("carol"), 0, new byte[16]);
    assertThat(DeviceSetCheck.check(toCarol, List.of("carol:" + C, "alice:" + S), CURRENT::get))
        .isEmpty();
  }
}
