package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.client.RelayEndpoints.Endpoint;
import dev.ztchat.core.remedy.HasRemedy;
import dev.ztchat.core.remedy.Remedy;
import dev.ztchat.core.remedy.RemedyIOException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The order in which a client tries its relays, and when it moves on. */
class RelayFailoverTest {
  static final Endpoint A = new Endpoint("a", 1);
  static final Endpoint B = new Endpoint("b", 2);
  static final Endpoint C = new Endpoint("c", 3);

  final RelayFailover failover = new RelayFailover(RelayEndpoints.parse("a:1,b:2,c:3"));
  final List<Endpoint> tried = new ArrayList<>();

  /** An attempt that fails with {@code failure} on the relays in {@code down}. */
  RelayFailover.Attempt<Endpoint> down(Set<Endpoint> down, IOException failure) {
    return relay -> {
      tried.add(relay);
      if (down.contains(relay)) {
        throw failure;
      }
      return relay;
    };
  }

  @Test
  void startsWithTheFirstRelay_andStaysOnOneThatWorks() throws IOException {
    RelayFailover.Attempt<Endpoint> allUp = down(Set.of(), null);

    assertThat(failover.connectCurrent(allUp)).isEqualTo(A);
    assertThat(failover.connectCurrent(allUp)).isEqualTo(A);
    assertThat(failover.current()).isEqualTo(A);
  }

  @Test
  void eachFailedAttempt_movesToTheNextRelay_wrappingAroundAfterTheLast() {
    RelayFailover.Attempt<Endpoint> allDown =
        down(Set.of(A, B, C), new IOException("connection refused"));

    for (int i = 0; i < 4; i++) {
      assertThatThrownBy(() -> failover.connectCurrent(allDown)).hasMessage("connection refused");
    }

    assertThat(tried).containsExactly(A, B, C, A);
    assertThat(failover.current()).isEqualTo(B);
  }

  @Test
  void aLostConnection_movesOn_butALateReportAboutAnEarlierRelayChangesNothing() {
    failover.failed(A); // the connection to a dropped
    assertThat(failover.current()).isEqualTo(B);

    failover.failed(A); // a second report of the same loss
    assertThat(failover.current()).as("b is not skipped").isEqualTo(B);
  }

  @Test
  void certificateRefusal_neverMovesOn() {
    RelayFailover.Attempt<Endpoint> refusing =
        down(
            Set.of(A),
            CertificateRefusedException.fromAlert(new IOException("alert: certificate_revoked"))
                .orElseThrow());

    assertThatThrownBy(() -> failover.connectCurrent(refusing))
        .isInstanceOf(CertificateRefusedException.class);
    assertThatThrownBy(() -> failover.connectAny(refusing))
        .isInstanceOf(CertificateRefusedException.class)
        .hasMessageContaining("revoked");

    assertThat(tried).as("b and c were never asked").containsExactly(A, A);
    assertThat(failover.current()).isEqualTo(A);
  }

  @Test
  void connectAny_triesTheNextRelays_untilOneAnswers() throws IOException {
    assertThat(failover.connectAny(down(Set.of(A, B), new IOException("refused")))).isEqualTo(C);

    assertThat(tried).containsExactly(A, B, C);
    assertThat(failover.current()).isEqualTo(C);
  }

  @Test
  void connectAny_startsFromTheCurrentRelay() throws IOException {
    failover.failed(A);

    assertThat(failover.connectAny(down(Set.of(B), new IOException("refused")))).isEqualTo(C);
    assertThat(tried).containsExactly(B, C);
  }

  @Test
  void connectAny_whenNoneAnswers_saysWhyEachFailed_andKeepsTheirCommonRemedy() {
    Remedy start = Remedy.of(Remedy.Kind.START_RELAY);
    RelayFailover.Attempt<Endpoint> allDown =
        relay -> {
          tried.add(relay);
          throw new RemedyIOException("cannot connect to " + relay + ": refused", start, null);
        };

    assertThatThrownBy(() -> failover.connectAny(allDown))
        .hasMessage(
            "no relay could be reached: cannot connect to a:1: refused; cannot connect to b:2:"
                + " refused; cannot connect to c:3: refused")
        .satisfies(e -> assertThat(HasRemedy.of(e)).contains(start));
    assertThat(tried).as("each relay once").containsExactly(A, B, C);
  }

  @Test
  void connectAny_withOneRelay_reportsItsFailureAsItIs() {
    RelayFailover one = new RelayFailover(RelayEndpoints.of("a", 1));
    IOException refused = new IOException("cannot connect to a:1: connection refused");

    assertThatThrownBy(() -> one.connectAny(down(Set.of(A), refused))).isSameAs(refused);
  }
}
