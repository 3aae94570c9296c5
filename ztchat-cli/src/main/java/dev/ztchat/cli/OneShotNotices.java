package dev.ztchat.cli;

import dev.ztchat.client.ChatListener;
import dev.ztchat.client.GroupView;
import dev.ztchat.client.KeyChangedException;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.envelope.RejectionReason;
import dev.ztchat.core.remedy.Remedy;
import dev.ztchat.terminal.RemedyText;
import dev.ztchat.terminal.TerminalText;
import java.util.List;
import java.util.Optional;

/**
 * What the one-shot commands ({@code send}, {@code group ...}) tell of the client's notices: none
 * of the incoming traffic, but every notice about what the user sends, on stderr, one escaped line
 * each: above all a contact's new device or changed keys (docs/v2/devices.md section 6.3), told
 * with its fingerprint and the command that accepts it, since these commands cannot ask.
 */
final class OneShotNotices implements ChatListener {
  private final String command;

  /** Notices prefixed {@code command: } (e.g. {@code send}). */
  OneShotNotices(String command) {
    this.command = command;
  }

  /**
   * The lines telling of {@code change}: a new device of a contact with its name and fingerprint,
   * or their changed keys, and what to do next from the command line.
   */
  static List<String> changeLines(KeyChangedException change) {
    String who = change.contact();
    if (change.newDevice() == null) {
      return List.of(
          "[!] WARNING: the keys of " + who + " have CHANGED. Nothing was sent to the new keys.",
          "    pinned: " + change.pinnedFingerprint(),
          "    new:    " + change.newFingerprint(),
          "    Compare the safety number with "
              + who
              + " in person or by phone (./ztchat client: /fingerprint "
              + who
              + "), then accept the new keys there with /accept "
              + who
              + " (your messages wait until then).");
    }
    String name = change.newDeviceName();
    return List.of(
        "[!] WARNING: "
            + who
            + " has a NEW DEVICE"
            + (name == null || name.isEmpty() ? "" : " named '" + name + "'")
            + ". Nothing you send reaches it before you accept it.",
        "    known:  " + change.pinnedFingerprint(),
        "    new:    " + change.newFingerprint(),
        "    Ask "
            + who
            + " to read out the new device's fingerprint (./ztchat devices on that device) and"
            + " compare it in person or by phone, then: ./ztchat devices accept "
            + who
            + " (what you send meanwhile is kept for it). ./ztchat devices "
            + who
            + " lists their devices.");
  }

  /** Prints {@code line} on stderr, escaped: it may quote what the network sent. */
  void tell(String line) {
    System.err.println(TerminalText.notice(command + ": " + line));
  }

  @Override
  public void onMessage(OpenedMessage message) {}

  @Override
  public void onRejected(String claimedSender, RejectionReason reason, String explanation) {}

  @Override
  public void onGroupChange(GroupView group, String description) {}

  @Override
  public void onNotProcessed(String claimedSender, String explanation) {}

  @Override
  public void onNotice(String notice) {
    tell(notice);
  }

  @Override
  public void onNotice(String notice, Remedy remedy) {
    tell(RemedyText.withRemedy(notice, Optional.of(remedy)) + ".");
  }

  @Override
  public void onKeyChanged(String contact, String pinned, String now) {
    tell("[!] the keys of " + contact + " changed: pinned " + pinned + ", now " + now);
  }

  @Override
  public void onSendBlocked(KeyChangedException change) {
    synchronized (System.err) { // the lines of one warning stay together
      changeLines(change).forEach(this::tell);
    }
  }

  @Override
  public void onSendFailed(String peer, String reason) {
    tell("[!] Not sent to " + peer + ": " + reason);
  }
}
