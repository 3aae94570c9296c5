package dev.ztchat.attacks;

import static java.util.Objects.requireNonNull;

import dev.ztchat.client.ChatClient;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.testkit.Polling;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * alice, bob and carol as version-2 clients (device credentials minted for the attack) connected
 * through one {@link InterceptingRelay} in front of the target's relay, and the group {@code #team}
 * alice creates with bob and carol: the stage of the group attacks.
 */
final class GroupStage implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final String GROUP = "#team";

  final AttackTarget target;
  final InterceptingRelay relay;
  final Map<String, ChatClient> clients = new LinkedHashMap<>();
  final Map<String, VictimScreen> screens = new LinkedHashMap<>();

  private GroupStage(AttackTarget target, InterceptingRelay relay) {
    this.target = requireNonNull(target, "target");
    this.relay = relay;
  }

  /**
   * Connects {@code members} (the first is the group's creator) through a new intercepting relay,
   * waits until each published prekeys, then the first creates {@code #team} with the others and
   * waits until each of them was told.
   */
  static GroupStage start(AttackTarget target, List<String> members) throws Exception {
    InterceptingRelay relay = InterceptingRelay.start(target);
    GroupStage stage = new GroupStage(target, relay);
    try {
      for (String name : members) {
        Credential device = Victims.newDevice(target, name);
        relay.addDevice(device);
        VictimScreen screen = new VictimScreen();
        stage.screens.put(name, screen);
        stage.clients.put(
            name,
            Victims.connectV2(
                target,
                name,
                device,
                relay.port(),
                target.newStateDir(name),
                Clock.systemUTC(),
                screen));
      }
      if (!Polling.eventually(WAIT, () -> members.stream().allMatch(relay::prekeysPublished))) {
        throw new CouldNotRunException(
            "the version-2 clients of " + members + " did not publish prekeys through the relay");
      }
      String creator = members.getFirst();
      List<String> others = members.subList(1, members.size());
      try {
        stage.client(creator).createGroup("team", others);
      } catch (Exception e) {
        throw new CouldNotRunException(creator + " could not create #team: " + e.getMessage());
      }
      for (String m : others) {
        stage.awaitChange(m, "created " + GROUP);
      }
      return stage;
    } catch (Exception e) {
      stage.close();
      throw e;
    }
  }

  ChatClient client(String name) {
    return clients.get(name);
  }

  VictimScreen screen(String name) {
    return screens.get(name);
  }

  /** Waits until {@code name} was told of a group change containing {@code part}. */
  void awaitChange(String name, String part) throws Exception {
    if (screen(name).nextGroupChange(part, WAIT) == null) {
      throw new CouldNotRunException(name + " was not told '" + part + "'");
    }
  }

  /** {@code from} sends {@code text} to #team; returns the version-2 envelope it sent. */
  InterceptingRelay.Sent sendsToGroup(String from, String text) throws Exception {
    String id;
    try {
      id = client(from).sendToGroup(GROUP, text).messageId();
    } catch (Exception e) {
      throw new CouldNotRunException(from + " could not send to " + GROUP + ": " + e.getMessage());
    }
    while (true) {
      InterceptingRelay.Sent s = relay.nextSent(from, WAIT);
      if (s == null) {
        throw new CouldNotRunException(
            from + "'s message to " + GROUP + " did not reach the relay");
      }
      if (!s.prefix().messageIdHex().equals(id)) {
        continue; // a receipt or another message meanwhile
      }
      if (s.prefix().version() != V2Envelope.VERSION) {
        throw new CouldNotRunException(from + " sent version " + s.prefix().version());
      }
      return s;
    }
  }

  /** Waits until {@code to} was shown the group text {@code text} from {@code from}. */
  void awaitGroupText(String to, String from, String text) throws Exception {
    VictimScreen.GroupShown g = screen(to).nextGroupShown(text, WAIT);
    if (g == null || !g.sender().equals(from)) {
      throw new CouldNotRunException(
          "the genuine group message '"
              + text
              + "' from "
              + from
              + " was not shown to "
              + to
              + (g == null ? "" : " as " + from + "'s (shown as " + g.sender() + "'s)"));
    }
  }

  /**
   * Delivers {@code envelope} to {@code to} as a hostile relay would; returns what {@code to}'s
   * client did, as {@link #outcome}.
   */
  String deliver(String to, byte[] envelope, boolean binary) throws Exception {
    int shownBefore = prepare(to);
    if (!Polling.eventually(WAIT, () -> relay.isOpen(to))
        || relay.inject(to, envelope, binary) == 0) {
      throw new CouldNotRunException(to + " is not connected to the relay");
    }
    return outcome(to, shownBefore);
  }

  /**
   * Forgets {@code to}'s refusals, notices and group changes so far; returns how many messages it
   * was shown so far, for {@link #outcome}.
   */
  int prepare(String to) {
    VictimScreen screen = screen(to);
    screen.clearRejectionsAndNotices();
    screen.clearGroupRefusalsAndChanges();
    return shown(screen);
  }

  private static int shown(VictimScreen screen) {
    return screen.groupShownTexts().size() + screen.shownCount();
  }

  /**
   * What {@code to}'s client did with what reached it since {@link #prepare}: {@code SHOWN} (a
   * group text or message shown; left on the screen to be counted), {@code GROUP_REFUSED} (refused
   * by the group's rule), a rejection reason, {@code KEPT_UNOPENED}, or {@code nothing reported}.
   */
  String outcome(String to, int shownBefore) throws Exception {
    VictimScreen screen = screen(to);
    boolean any =
        Polling.eventually(
            V2Outcomes.QUIET,
            () ->
                screen.anythingPending()
                    || screen.anyGroupOutcomePending()
                    || shown(screen) > shownBefore);
    if (!any) {
      return "nothing reported";
    }
    if (shown(screen) > shownBefore) {
      return "SHOWN";
    }
    if (screen.nextGroupRefused(Duration.ZERO) != null) {
      return "GROUP_REFUSED";
    }
    VictimScreen.Rejection r = screen.nextRejection(Duration.ZERO);
    if (r != null) {
      return r.label();
    }
    return screen.nextNotProcessed(Duration.ZERO) != null ? "KEPT_UNOPENED" : "nothing reported";
  }

  @Override
  public void close() {
    clients.values().forEach(ChatClient::close);
    relay.close();
  }
}
