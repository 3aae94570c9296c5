package dev.ztchat.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.ConnectionState;
import dev.ztchat.client.ConnectionStatus;
import dev.ztchat.core.pki.PkiException;
import dev.ztchat.core.remedy.Remedy;
import dev.ztchat.core.remedy.RemedyIOException;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RemedyTextTest {
  @Test
  void everyRemedy_isWordedAsACommandOrOption() {
    for (Remedy.Kind kind : Remedy.Kind.values()) {
      assertThat(RemedyText.words(Remedy.of(kind))).as("%s", kind).containsAnyOf("./ztchat", "--");
    }
  }

  @Test
  void aRemedyAboutAUser_namesThatUser() {
    assertThat(RemedyText.words(Remedy.forUser(Remedy.Kind.REISSUE_USER, "carol")))
        .isEqualTo("issue a new one with ./ztchat pki issue carol --force");
    assertThat(RemedyText.words(Remedy.of(Remedy.Kind.RENEW_USER)))
        .contains("./ztchat pki renew NAME");
  }

  @Test
  void explain_appendsTheRemedyToWhatHappened() {
    PkiException e =
        new PkiException(
            "no root CA in certs (certs/ca.crt not found)", Remedy.of(Remedy.Kind.CREATE_PKI));

    assertThat(RemedyText.explain(e))
        .isEqualTo("no root CA in certs (certs/ca.crt not found): run ./ztchat pki init first");
  }

  @Test
  void explain_findsTheRemedyOfACause() {
    IOException e =
        new IOException(
            "start failed",
            new RemedyIOException("port taken", Remedy.of(Remedy.Kind.OTHER_PORT), null));

    assertThat(RemedyText.explain(e)).isEqualTo("start failed: choose another --port");
  }

  @Test
  void explain_withoutRemedy_isTheMessage() {
    assertThat(RemedyText.explain(new PkiException("not a CA certificate")))
        .isEqualTo("not a CA certificate");
  }

  @Test
  void describe_addsTheRemedyToTheConnectionLine() {
    ConnectionStatus status =
        new ConnectionStatus(
            ConnectionState.DISCONNECTED,
            Duration.ofSeconds(2),
            "cannot connect to localhost:1: connection refused",
            Optional.of(Remedy.of(Remedy.Kind.START_RELAY)));

    assertThat(RemedyText.describe(status))
        .isEqualTo(
            "offline (cannot connect to localhost:1: connection refused);"
                + " retrying in 2.0 s; is the server running? Start it with ./ztchat server");
  }
}
