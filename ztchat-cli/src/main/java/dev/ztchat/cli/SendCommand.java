package dev.ztchat.cli;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.GroupTextQueuedException;
import dev.ztchat.client.KeyChangedException;
import dev.ztchat.client.MessageTooLongException;
import dev.ztchat.client.SendResult;
import dev.ztchat.client.UnconfirmedSendException;
import dev.ztchat.client.UnknownGroupException;
import dev.ztchat.client.UntrustedContactException;
import dev.ztchat.core.crypto.BoringSslProvider;
import dev.ztchat.core.pki.IdentityName;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.terminal.RemedyText;
import dev.ztchat.terminal.TerminalText;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ztchat send}: one message, end-to-end encrypted, for scripts. */
@Command(
    name = "send",
    mixinStandardHelpOptions = true,
    description = "Send one end-to-end encrypted message and exit.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the server accepted the message: stored, and delivered now or when the recipient connects",
      "1:error (connection, certificates, ...)",
      "2:bad usage, an empty message, or a message too long for one frame",
      "3:not accepted: the recipient's queue on the server is full",
      "4:refused: unknown recipient, untrusted certificate or changed key",
      "6:not confirmed: the connection was lost before the server answered, or the server could not"
          + " store it (and no other relay took it), or a group text waits behind an earlier change"
          + " of its group; the message is kept and re-sent (never twice) the next time this"
          + " identity connects (send, recv or client)",
      "7:this identity is already in use by another ztchat process (client, send or recv)",
    })
final class SendCommand implements Callable<Integer> {
  @Mixin ClientOptions options;

  @Option(
      names = "--to",
      required = true,
      description = "Recipient's user name, or a group as '#NAME' (quoted: # starts a comment).")
  String to;

  @Parameters(index = "0", paramLabel = "TEXT", description = "The message.")
  String text;

  @Override
  public Integer call() throws IOException {
    boolean group = to.startsWith("#");
    if (group) {
      GroupCommand.validGroup(to);
    } else if (!IdentityName.isValid(to)) {
      throw new UserError("--to '" + to + "' is not a valid user name", 2);
    }
    if (text.isBlank()) {
      throw new UserError(
          "the message is empty: nothing was sent. Give the text as one argument,"
              + " e.g. ./ztchat send --to "
              + to
              + " \"hello\"",
          2);
    }
    // One signature and one key wrap: the JDK's RSA does them in milliseconds, while loading
    // BoringSSL's native library takes a few hundred.
    System.setProperty(BoringSslProvider.SWITCH, "off");
    String me = options.resolveIdentity(null);
    try (ClientLogging logging =
            ClientLogging.routeTo(
                line -> System.err.println(TerminalText.notice("send: " + line)));
        ChatClient client = ChatClient.connect(options.config(me), new OneShotNotices("send"))) {
      if (group) {
        return toGroup(client);
      }
      SendResult result;
      try {
        result = client.send(to, text);
      } catch (UnconfirmedSendException e) {
        if (sentThroughNextRelay(client, e)) {
          return 0;
        }
        throw e;
      }
      DeliveryStatus status = result.statusOf(to);
      if (status == DeliveryStatus.DELIVERED) {
        System.out.println("sent to " + to + " (message id " + result.messageId() + ")");
        return 0;
      }
      if (status == DeliveryStatus.QUEUED) {
        System.out.println(
            "accepted for "
                + to
                + ": the server stored it and delivers it when they are online (message id "
                + result.messageId()
                + ")");
        return 0;
      }
      if (status == DeliveryStatus.UNKNOWN) {
        System.err.println("send: not accepted: the server knows no user '" + to + "'");
        return 4;
      }
      System.err.println(
          "send: not accepted: the queue of "
              + to
              + " on the server is full, or holds as many of"
              + " your messages as one sender may leave there; try again once "
              + to
              + " has read them");
      return 3;
    } catch (UnconfirmedSendException e) {
      System.err.println(TerminalText.notice("send: " + e.getMessage()));
      return 6;
    } catch (UntrustedContactException | KeyChangedException e) {
      System.err.println(TerminalText.notice("send: refused: " + RemedyText.explain(e)));
      return 4;
    } catch (MessageTooLongException e) {
      throw new UserError(e.getMessage(), 2);
    }
  }

  /** How long a one-shot send waits for the next relay to take what one relay could not store. */
  static final Duration NEXT_RELAY_WAIT = Duration.ofSeconds(30);

  /**
   * When the relay could not store the message and there is another relay, waits for the client to
   * send it there from its outbox; true when it was accepted.
   */
  private boolean sentThroughNextRelay(ChatClient client, UnconfirmedSendException e)
      throws IOException {
    if (!e.relayCouldNotStore() || client.relayCount() < 2) {
      return false;
    }
    System.err.println(
        TerminalText.notice(
            "send: the relay could not store it; sending it through the next relay"));
    if (!client.awaitAccepted(e.messageIdHex(), NEXT_RELAY_WAIT)) {
      return false;
    }
    System.out.println("accepted for " + to + " (message id " + e.messageIdHex() + ")");
    return true;
  }

  /** Sends to the group {@code to} names; 0 when the server took it for at least one member. */
  private int toGroup(ChatClient client) throws IOException, MessageTooLongException {
    try {
      SendResult result = client.sendToGroup(to, text);
      String shown = client.group(to).shown();
      List<String> now = new ArrayList<>();
      List<String> later = new ArrayList<>();
      List<String> not = new ArrayList<>();
      for (Frame.Delivery d : result.results()) {
        if (d.user().equals(client.me())) {
          continue; // my other devices' copies
        }
        switch (d.status()) {
          case DELIVERED -> now.add(d.user());
          case QUEUED -> later.add(d.user());
          default -> not.add(d.user() + " (" + d.status().wire() + ")");
        }
      }
      if (now.isEmpty() && later.isEmpty()) {
        System.err.println(
            TerminalText.notice(
                "send: not accepted for any member of " + shown + ": " + String.join(", ", not)));
        return 3;
      }
      StringBuilder line = new StringBuilder("sent to " + shown);
      if (!now.isEmpty()) {
        line.append("; delivered now to ").append(String.join(", ", now));
      }
      if (!later.isEmpty()) {
        line.append("; stored for ").append(String.join(", ", later)).append(" (offline)");
      }
      if (!not.isEmpty()) {
        line.append("; not accepted for ").append(String.join(", ", not));
      }
      System.out.println(TerminalText.oneLine(line + " (message id " + result.messageId() + ")"));
      return 0;
    } catch (UnknownGroupException | UntrustedContactException e) {
      System.err.println(TerminalText.notice("send: refused: " + RemedyText.explain(e)));
      return 4;
    } catch (GroupTextQueuedException e) {
      System.err.println(TerminalText.notice("send: " + e.getMessage()));
      return 6; // kept in the outbox, as an unconfirmed send is
    }
  }
}
