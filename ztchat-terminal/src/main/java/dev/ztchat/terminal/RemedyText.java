package dev.ztchat.terminal;

import dev.ztchat.client.ConnectionStatus;
import dev.ztchat.core.remedy.HasRemedy;
import dev.ztchat.core.remedy.Remedy;
import java.time.Duration;
import java.util.Optional;

/**
 * The command line's words for a {@link Remedy}: the {@code ./ztchat} command or option that helps.
 * The libraries only say which step helps; this is the one place that names commands and flags.
 */
public final class RemedyText {
  private RemedyText() {}

  /** What to type or do, e.g. {@code run ./ztchat pki init first}. */
  public static String words(Remedy remedy) {
    String name = remedy.subject().orElse("NAME");
    return switch (remedy.kind()) {
      case CREATE_PKI -> "run ./ztchat pki init first";
      case REPLACE_CA ->
          "create a new one with ./ztchat pki init --force (--key-type rsa or ec) and re-issue"
              + " every identity";
      case REISSUE_SERVER -> "issue a new one with ./ztchat pki init --force";
      case ISSUE_USER -> "issue one with ./ztchat pki issue " + name;
      case REISSUE_USER -> "issue a new one with ./ztchat pki issue " + name + " --force";
      case RENEW_USER ->
          "ask the administrator for new keys (./ztchat pki renew " + name + ", then pki export)";
      case ISSUE_CRL ->
          "ask your administrator to publish a fresh CRL (./ztchat pki crl) on the server";
      case LIST_USERS -> "see ./ztchat pki list";
      case ALLOW_OVERWRITE -> "use --force to replace it";
      case OTHER_CERTS_FOLDER -> "choose another --dir";
      case OTHER_EXPORT_FOLDER -> "choose another --out, e.g. --out bundle";
      case EMPTY_EXPORT_FOLDER -> "choose a new directory, or use --force to overwrite files in it";
      case FIND_CERTS_FOLDER ->
          "run ./ztchat pki init, or point --certs at the folder that holds it";
      case OTHER_PORT -> "choose another --port";
      case OTHER_CRL_PORT -> "choose another --crl-port, or 0 to not serve it";
      case START_RELAY -> "is the server running? Start it with ./ztchat server";
      case LONGER_WINDOW ->
          "use --window "
              + remedy.duration().map(RemedyText::option).orElse("DURATION")
              + " (or longer) to receive them";
      case REISSUE_CRL_WEEKLY -> "re-issue weekly: ./ztchat pki crl";
    };
  }

  /** {@code d} as the command line's duration options write it: 7d, 12h, 30m or 45s. */
  static String option(Duration d) {
    long s = d.toSeconds();
    if (s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s % 3600 == 0) {
      return s / 3600 + "h";
    }
    return s % 60 == 0 ? s / 60 + "m" : s + "s";
  }

  /** {@code text}, followed by the words for {@code remedy} if there is one. */
  public static String withRemedy(String text, Optional<Remedy> remedy) {
    return remedy.map(r -> text + ": " + words(r)).orElse(text);
  }

  /** The failure's message followed by the words for its remedy, if it (or a cause) has one. */
  public static String explain(Throwable failure) {
    String message =
        failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    return withRemedy(message, HasRemedy.of(failure));
  }

  /** {@link ConnectionStatus#describe()}, followed by what the user can do about it. */
  public static String describe(ConnectionStatus status) {
    return status.remedy().map(r -> status.describe() + "; " + words(r)).orElse(status.describe());
  }
}
