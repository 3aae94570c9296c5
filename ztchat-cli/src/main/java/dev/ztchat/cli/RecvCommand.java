package dev.ztchat.cli;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ChatListener;
import dev.ztchat.client.ConnectionState;
import dev.ztchat.client.ConnectionStatus;
import dev.ztchat.client.GroupView;
import dev.ztchat.client.KeyChangedException;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.remedy.Remedy;
import dev.ztchat.terminal.RemedyText;
import dev.ztchat.terminal.TerminalText;
import dev.ztchat.terminal.Warnings;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ztchat recv}: print verified messages as {@code FROM: TEXT}, for scripts. */
@Command(
    name = "recv",
    mixinStandardHelpOptions = true,
    description = {
      "Receive messages: prints each verified message as exactly one line FROM: TEXT (a group"
          + " message as #GROUP FROM: TEXT);"
          + " in TEXT a newline is written \\n, a backslash \\\\, and controls and invisible"
          + " characters escaped (\\e, \\r, \\x07, \\u202e ...).",
      "Dropped messages and other warnings go to stderr, one escaped line each."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:--count messages received (or the timeout passed with --count 0)",
      "1:error",
      "2:bad usage",
      "5:timeout before --count messages arrived",
      "7:this identity is already in use by another ztchat process (client, send or recv)",
    })
final class RecvCommand implements Callable<Integer> {
  @Mixin ClientOptions options;

  @Option(
      names = "--count",
      defaultValue = "1",
      description =
          "Exit after this many messages; 0 = until the timeout (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(
      names = "--timeout",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "Give up after this long (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (count < 0) {
      throw new UserError("--count must be 0 or more", 2);
    }
    String me = options.resolveIdentity(null);
    CountDownLatch received = new CountDownLatch(count == 0 ? Integer.MAX_VALUE : count);
    AtomicReference<String> refused = new AtomicReference<>();
    ChatListener printer =
        new ChatListener() {
          @Override
          public void onMessage(OpenedMessage m) {
            synchronized (System.out) {
              System.out.println(
                  TerminalText.oneLine(m.sender()) + ": " + TerminalText.oneLine(m.text()));
              System.out.flush();
            }
            received.countDown();
          }

          @Override
          public void onGroupMessage(GroupView group, String sender, OpenedMessage m) {
            boolean mine = sender.equals(me); // sent from another of my devices
            synchronized (System.out) {
              System.out.println(
                  TerminalText.oneLine(group.shown())
                      + " "
                      + (mine ? "me" : TerminalText.oneLine(sender))
                      + ": "
                      + TerminalText.oneLine(m.text()));
              System.out.flush();
            }
            if (!mine) {
              received.countDown();
            }
          }

          @Override
          public void onGroupRejected(String claimedSender, String explanation) {
            warn(
                "[!] Group message dropped (claimed sender: "
                    + (claimedSender == null ? "unknown" : claimedSender)
                    + ") - "
                    + explanation);
          }

          @Override
          public void onOwnMessage(String to, OpenedMessage m) {
            synchronized (System.out) { // sent from another of my devices
              System.out.println(
                  "me -> " + TerminalText.oneLine(to) + ": " + TerminalText.oneLine(m.text()));
              System.out.flush();
            }
          }

          @Override
          public void onRejected(String claimedSender, RejectionReason reason, String explanation) {
            // the explanation may quote what the network sent (a certificate's name): escaped too
            warn(Warnings.dropped(claimedSender, reason) + " - " + explanation);
          }

          @Override
          public void onKeyChanged(String contact, String pinned, String now) {
            warn("[!] the keys of " + contact + " changed: pinned " + pinned + ", now " + now);
          }

          @Override
          public void onNotice(String notice) {
            warn(notice);
          }

          @Override
          public void onNotice(String notice, Remedy remedy) {
            warn(RemedyText.withRemedy(notice, java.util.Optional.of(remedy)) + ".");
          }

          @Override
          public void onSendBlocked(KeyChangedException change) {
            synchronized (System.err) { // the lines of one warning stay together
              OneShotNotices.changeLines(change).forEach(RecvCommand::warn);
            }
          }

          @Override
          public void onSendFailed(String peer, String reason) {
            warn("[!] Not sent to " + peer + ": " + reason);
          }

          @Override
          public void onConnectionState(ConnectionStatus status) {
            if (status.state() == ConnectionState.DISCONNECTED) {
              warn("recv: " + RemedyText.describe(status));
            } else if (status.state() == ConnectionState.REFUSED) {
              refused.set(RemedyText.describe(status));
            }
          }
        };
    try (ClientLogging logging = ClientLogging.routeTo(RecvCommand::warn);
        ChatClient client = ChatClient.connect(options.config(me), printer)) {
      System.err.println(
          "recv: connected as " + client.boundIdentity() + ", waiting for messages...");
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        if (received.await(100, TimeUnit.MILLISECONDS)) {
          return 0;
        }
        if (refused.get() != null) {
          throw new UserError("recv: " + TerminalText.notice(refused.get()));
        }
      }
      if (count == 0) {
        return 0;
      }
      long got = count - received.getCount();
      System.err.println(
          "recv: timed out after "
              + timeout.toSeconds()
              + " s with "
              + got
              + " of "
              + count
              + " messages");
      return 5;
    }
  }

  /** One line on stderr, escaped: warnings may quote text from the network. */
  static void warn(String line) {
    System.err.println(TerminalText.notice(line));
  }
}
