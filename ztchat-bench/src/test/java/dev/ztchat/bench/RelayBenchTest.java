package dev.ztchat.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The fixed offered load's basis: the target row's peer, not the slowest side. */
class RelayBenchTest {
  /** One message sent {@code secondsAgo} and received now: a full rate of about 1/secondsAgo. */
  static Latencies fullRate(double secondsAgo) {
    Latencies l = new Latencies(1);
    l.sent(0, System.nanoTime() - (long) (secondsAgo * 1e9));
    l.received(0);
    return l;
  }

  @Test
  void fixedLoadBasis_isMosquittoQos0sFullRate_evenWhenZtchatIsSlower() {
    Latencies ours = fullRate(1.0);
    Latencies q0 = fullRate(0.1);

    assertThat(ours.throughput()).isLessThan(q0.throughput());
    assertThat(RelayBench.fixedLoadBasis(ours, q0)).isEqualTo(q0.throughput());
  }

  @Test
  void fixedLoadBasis_withoutMosquitto_isZtchatsOwnFullRate() {
    Latencies ours = fullRate(1.0);

    assertThat(RelayBench.fixedLoadBasis(ours, null)).isEqualTo(ours.throughput());
  }

  @Test
  void fixedLoadBasis_whenMosquittoReceivedNothing_isZtchatsOwnFullRate() {
    Latencies ours = fullRate(1.0);
    Latencies nothing = new Latencies(1);

    assertThat(RelayBench.fixedLoadBasis(ours, nothing)).isEqualTo(ours.throughput());
  }
}
