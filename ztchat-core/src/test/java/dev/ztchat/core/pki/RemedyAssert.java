package dev.ztchat.core.pki;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.remedy.HasRemedy;
import dev.ztchat.core.remedy.Remedy;

/** Checks that a library failure carries its remedy as a value and writes no command or flag. */
final class RemedyAssert {
  private RemedyAssert() {}

  static void hasRemedy(Throwable failure, Remedy expected) {
    assertThat(HasRemedy.of(failure))
        .as("the remedy of: %s", failure.getMessage())
        .contains(expected);
    assertThat(failure.getMessage())
        .as("a library message names no command or option")
        .doesNotContain("./ztchat", "pki ", "--");
  }

  static void hasRemedy(PkiWarning warning, Remedy expected) {
    assertThat(warning.remedy()).as("the remedy of: %s", warning.text()).contains(expected);
    assertThat(warning.text()).doesNotContain("./ztchat", "pki ", "--");
  }
}
