package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;

/**
 * How far a group text of mine got when the relay stored it for some members only
 * (docs/v2/groups.md section 7.1, item 9), as the conversation history keeps it beside the message:
 * how many members it was for, which of them it did not reach and why, and whether it is sent to
 * them again. Shown in the history as {@code sent to 2 of 3: not to carol (why)}.
 *
 * @param members how many members (other than me) the message was for, at least 1
 * @param notReached the members it did not reach, sorted; my own name stands for my other devices
 * @param reason what the relay said, for the user (network text: sanitise before showing it)
 * @param retrying whether the parts for them wait in the outbox and go again on a later flush
 */
public record PartialDelivery(
    int members, List<String> notReached, String reason, boolean retrying) {
  private static final int FORMAT = 1;

  public PartialDelivery {
    notReached = List.copyOf(new TreeSet<>(notReached));
    requireNonNull(reason, "reason");
    if (members < 1 || notReached.isEmpty()) {
      throw new IllegalArgumentException("a partial delivery is for at least one member");
    }
  }

  /** {@code s} of a text for {@code members} members (my name left out of the count). */
  static PartialDelivery of(int members, GroupShortfall s) {
    return new PartialDelivery(members, s.persons(), s.reason(), s.retry());
  }

  /** The same message's next shortfall: who is still not reached, counted against the first. */
  PartialDelivery again(GroupShortfall s) {
    return new PartialDelivery(members, s.persons(), s.reason(), s.retry());
  }

  /**
   * The state in words, for a history line: {@code sent to 2 of 3: not to carol (why)}; {@code me}
   * in the list is said as my other devices.
   */
  public String describe(String me) {
    List<String> others = notReached.stream().filter(n -> !n.equals(me)).toList();
    StringBuilder out = new StringBuilder("sent to ");
    out.append(members - others.size()).append(" of ").append(members).append(": not ");
    out.append(retrying ? "yet to " : "to ");
    List<String> names = new java.util.ArrayList<>(others);
    if (others.size() < notReached.size()) {
      names.add("your other devices");
    }
    out.append(String.join(", ", names)).append(" (").append(reason).append(')');
    out.append(retrying ? "; sent again when you next send or reconnect" : "");
    return out.toString();
  }

  /** The bytes kept at rest (sealed by the history): a format byte, then text fields. */
  byte[] encode() {
    String text =
        FORMAT
            + "\n"
            + members
            + "\n"
            + (retrying ? 1 : 0)
            + "\n"
            + String.join(",", notReached)
            + "\n"
            + reason;
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The inverse of {@link #encode}; an {@link IllegalArgumentException} for anything else. */
  static PartialDelivery decode(byte[] bytes) {
    String[] f = new String(bytes, StandardCharsets.UTF_8).split("\n", 5);
    if (f.length != 5 || !f[0].equals(Integer.toString(FORMAT))) {
      throw new IllegalArgumentException("not a kept partial delivery");
    }
    if (!f[2].equals("0") && !f[2].equals("1")) {
      throw new IllegalArgumentException("not a kept partial delivery");
    }
    return new PartialDelivery(
        Integer.parseInt(f[1]), List.of(f[3].split(",")), f[4], f[2].equals("1"));
  }
}
