package dev.ztchat.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OfferedLoadTest {
  @Test
  void unpaced_everyMessageIsDueAtOnce() {
    OfferedLoad load = OfferedLoad.unpaced();
    load.start();

    assertThat(load.isPaced()).isFalse();
    assertThat(load.due(0, 1_000)).isEqualTo(1_000);
  }

  @Test
  void paced_messagesInterleaveAcrossSenders_oneSlotEach() {
    OfferedLoad load = OfferedLoad.paced(1_000, 4);
    load.start();
    long t0 = load.scheduledAt(0, 0);

    // slot = k * senders + sender, one slot per millisecond at 1,000/s
    assertThat(load.scheduledAt(1, 0) - t0).isEqualTo(1_000_000);
    assertThat(load.scheduledAt(3, 2) - t0).isEqualTo(11_000_000);
    assertThat(load.scheduledAt(0, 1) - t0).isEqualTo(4_000_000);
  }

  @Test
  void paced_dueNeverExceedsTheSendersCount() {
    OfferedLoad load = OfferedLoad.paced(1e12, 2);
    load.start();

    assertThat(load.due(0, 10)).isEqualTo(10);
    assertThat(load.due(1, 10)).isEqualTo(10);
  }

  @Test
  void paced_nonPositiveRate_isRefused() {
    assertThatThrownBy(() -> OfferedLoad.paced(0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OfferedLoad.paced(Double.NaN, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
