package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.protocol.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroupShortfallTest {
  @Test
  void aBusyOrRateLimitingRelay_isWorthARetry_aRefusedEnvelopeOrUnknownUserIsNot() {
    assertThat(GroupShortfall.retryable(ErrorCode.RATE_LIMITED)).isTrue();
    assertThat(GroupShortfall.retryable(ErrorCode.INTERNAL)).isTrue();
    assertThat(GroupShortfall.retryable(ErrorCode.BAD_ENVELOPE)).isFalse();
    assertThat(GroupShortfall.retryable(ErrorCode.MALFORMED)).isFalse();
    assertThat(GroupShortfall.retryable(ErrorCode.UNKNOWN_USER)).isFalse();
  }

  @Test
  void theExplanation_namesTheMembersNotReached_theReason_andWhatHappensNext() {
    assertThat(new GroupShortfall(List.of(), List.of("carol", "zed"), "busy", true).explanation())
        .contains("not carol, zed (busy)")
        .contains("sent to them again");
    assertThat(new GroupShortfall(List.of(), List.of("zed"), "refused", false).explanation())
        .contains("not zed (refused)")
        .contains("will not be sent to them");
  }

  @Test
  void aChangesExplanation_saysItWasMade_whomItDidNotReach_andWhatHappensNext() {
    assertThat(new GroupShortfall(List.of(), List.of("zed"), "busy", true).changeExplanation())
        .startsWith("your change reached some members but not zed (busy); it was made")
        .contains("sent to them again, before your later messages to the group");
    assertThat(new GroupShortfall(List.of(), List.of("zed"), "refused", false).changeExplanation())
        .startsWith("your change reached some members but not zed (refused); it was made")
        .contains("will not be sent to them")
        .contains("keep the member list they had");
  }
}
