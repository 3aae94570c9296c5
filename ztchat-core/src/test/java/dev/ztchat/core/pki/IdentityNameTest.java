package dev.ztchat.core.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class IdentityNameTest {
  /**
   * The rule as documented: 1 to 32 characters from [a-z0-9._-], starting with a letter or digit.
   */
  private static final Pattern RULE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,31}");

  @Test
  void everyNameOfOneOrTwoCharacters_isAcceptedExactlyWhenTheRuleMatches() {
    for (char a = 0; a < 0x180; a++) {
      assertAgrees(String.valueOf(a));
      for (char b = 0; b < 0x80; b++) {
        assertAgrees("" + a + b);
      }
    }
  }

  @Test
  void randomNames_areAcceptedExactlyWhenTheRuleMatches() {
    Random random = new Random(32);
    String alphabet = "abcxyz0189._-A Z/\u00e9\ud800";
    for (int i = 0; i < 100_000; i++) {
      StringBuilder b = new StringBuilder();
      int length = random.nextInt(36);
      for (int j = 0; j < length; j++) {
        b.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      assertAgrees(b.toString());
    }
  }

  @Test
  void aBadName_isRefusedWithWhatIsAllowed() {
    assertThatThrownBy(() -> IdentityName.validate("-alice"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("starting with a letter or digit");
    assertThatThrownBy(() -> IdentityName.validate(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is empty");
    assertThat(IdentityName.validate("alice.b_c-9")).isEqualTo("alice.b_c-9");
  }

  private static void assertAgrees(String name) {
    assertThat(IdentityName.isValid(name)).as("'%s'", name).isEqualTo(RULE.matcher(name).matches());
  }
}
