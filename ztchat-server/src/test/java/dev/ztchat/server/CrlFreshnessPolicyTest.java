package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.CrlIssuer;
import dev.ztchat.core.testing.TestPki;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the relay tells that its revocation list goes stale, on an injected time line. */
class CrlFreshnessPolicyTest {
  final TestPki pki = TestPki.create("alice");

  @Test
  void goingStale_isToldAtOnce_evenWithinTheHourOfTheWarning() {
    CrlFreshnessPolicy policy = new CrlFreshnessPolicy();
    X509CRL crl = pki.crl();
    Instant next = crl.getNextUpdate().toInstant();

    assertThat(policy.check(crl, next.minus(Duration.ofMinutes(30)))).contains("goes stale on");
    assertThat(policy.check(crl, next.plusSeconds(1)))
        .as("stale half an hour after the warning: an error now, not an hour later")
        .contains("STALE")
        .contains("new connections are refused");
    assertThat(policy.check(crl, next.plusSeconds(61))).as("not again within the hour").isNull();
    assertThat(policy.check(crl, next.plus(Duration.ofMinutes(61)))).contains("STALE");
  }

  @Test
  void aNewListAboutToGoStale_isWarnedAboutAtOnce_thoughTheOldOneWasWithinTheHour() {
    CrlFreshnessPolicy policy = new CrlFreshnessPolicy();
    X509CRL old = pki.crl();
    Instant next = old.getNextUpdate().toInstant();
    X509CRL newer =
        CrlIssuer.issue(pki.ca(), old, List.of(), Instant.now(), Duration.ofDays(7).plusHours(1));
    Instant now = next.minus(Duration.ofDays(1));

    assertThat(policy.check(old, now)).contains("goes stale on " + next);
    assertThat(policy.check(newer, now.plusSeconds(60)))
        .contains("goes stale on " + newer.getNextUpdate().toInstant());
  }
}
