package dev.ztchat.attacks;

import dev.ztchat.client.ChatClient;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.testkit.MutableClock;
import dev.ztchat.core.testkit.Polling;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code forward-secrecy}: a hostile relay records every alice->bob version-2 envelope while the
 * two talk both ways (several ratchet steps); then the attacker seizes bob's device: his key files
 * (users/bob/*.key and his device key) and a copy of his whole client state folder. A client
 * started from the stolen copy, its replay memory deleted so that cannot be what refuses, is handed
 * every recorded envelope bob already read: none may open. The control, an envelope recorded but
 * not yet delivered when the device was seized, does open: that is what stolen state can read. The
 * same is then shown at the core level ({@link SessionTheft}).
 */
final class ForwardSecrecyAttack implements Attack {
  private static final Duration QUIET = Duration.ofSeconds(10);

  /** The control must open: on a loaded machine a fresh client may take a while to. */
  private static final Duration CONTROL_WAIT = Duration.ofSeconds(30);

  private static final int ROUNDS = 3;

  @Override
  public String name() {
    return "forward-secrecy";
  }

  @Override
  public String whatIsTried() {
    return "a hostile relay records "
        + ROUNDS
        + " alice->bob version-2 messages of a two-way conversation, then steals bob's key files"
        + " and a copy of his client state and replays the recordings into a client started from"
        + " them";
  }

  @Override
  public String expectedDefence() {
    return "none of the messages bob already read opens with his stolen keys and state (the"
        + " ratchet deleted their keys); only a message still undelivered at the theft opens";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    try (V2Pair pair = V2Pair.start(target, Clock.systemUTC(), MutableClock.followingSystem())) {
      List<InterceptingRelay.Sent> recorded = new ArrayList<>();
      for (int i = 1; i <= ROUNDS; i++) {
        recorded.add(pair.aliceSends("read by bob " + i));
        pair.bobShown("read by bob " + i);
        pair.bobSends("reply " + i);
        pair.aliceShown("reply " + i);
      }
      // The control: sent and recorded, held back by the relay, so bob never read it.
      pair.relay.holdDeliveriesTo("bob");
      InterceptingRelay.Sent undelivered = pair.aliceSends("not yet read by bob");
      pair.closeBob();
      // Two copies of the seized folder: one for the recordings, one for the control, so neither
      // trial can be said to have spoiled the other's state.
      Path stolen = steal(target, pair.bobState);
      Path stolenAgain = steal(target, pair.bobState);
      List<String> results = new ArrayList<>();
      int opened = 0;
      String controlAfter;
      try (Thief thief = new Thief(pair, stolen)) {
        int n = 1;
        for (InterceptingRelay.Sent s : recorded) {
          String outcome = thief.deliver(s, QUIET);
          if (outcome.equals("OPENED")) {
            opened++;
          }
          results.add("message " + n++ + " -> " + outcome);
        }
        controlAfter = thief.deliver(undelivered, CONTROL_WAIT);
      }
      String control;
      try (Thief thief = new Thief(pair, stolenAgain)) {
        control = thief.deliver(undelivered, CONTROL_WAIT);
      }
      if (!control.equals("OPENED")) {
        throw new CouldNotRunException(
            "a client on the stolen state could not open even the undelivered message ("
                + control
                + "), so the refusals prove nothing: "
                + results);
      }
      SessionTheft.Result core = new SessionTheft(target).run();
      if (!core.unread().equals("OPENED")) {
        throw new CouldNotRunException(
            "at the core level the stolen session store could not open even the unread message ("
                + core.unread()
                + ")");
      }
      String observed =
          "recorded messages bob had read, given to a client on his stolen keys and state: "
              + String.join(", ", results)
              + "; opened: "
              + opened
              + " of "
              + recorded.size()
              + ". Control: the message recorded but not yet delivered at the theft OPENED with"
              + " the stolen state (the honest limit: stolen state reads what has not been read"
              + " yet); the client that had refused the recordings then gave the control: "
              + controlAfter
              + ". Core level (sealer and opener; bob's whole session and prekey store copied, a"
              + " fresh opener on the copy): read messages -> "
              + core.read()
              + ", the unread one -> "
              + core.unread();
      return opened == 0 && core.opened() == 0 ? Verdict.held(observed) : Verdict.broken(observed);
    }
  }

  /** A copy of bob's seized state folder, without its replay memory. */
  private static Path steal(AttackTarget target, Path bobState) throws IOException {
    Path stolen = target.newStateDir("stolen-bob");
    copyTree(bobState, stolen);
    for (String seen : List.of("seen.db", "seen.db-wal", "seen.db-shm")) {
      Files.deleteIfExists(stolen.resolve(seen));
    }
    return stolen;
  }

  /** A client the attacker runs on a stolen copy, fed only envelopes the attacker chooses. */
  private static final class Thief implements AutoCloseable {
    private final InterceptingRelay relay;
    private final VictimScreen screen = new VictimScreen();
    private final ChatClient client;

    Thief(V2Pair pair, Path stolen) throws Exception {
      this.relay = pair.relay;
      this.client =
          Victims.connectV2(
              pair.target, "bob", pair.bobDevice, relay.port(), stolen, Clock.systemUTC(), screen);
      if (!Polling.eventually(V2Pair.WAIT, () -> relay.isOpen("bob"))) {
        client.close();
        throw new CouldNotRunException("the client on the stolen state did not connect");
      }
    }

    /** Hands {@code s} to the client; says whether it opened or how it was refused. */
    String deliver(InterceptingRelay.Sent s, Duration wait) throws Exception {
      screen.clearRejectionsAndNotices();
      if (relay.inject("bob", s.envelope(), s.binary()) == 0) {
        throw new CouldNotRunException("the client on the stolen state is not connected");
      }
      if (!Polling.eventually(wait, screen::anythingPending)) {
        return "nothing opened, nothing reported";
      }
      OpenedMessage m = screen.nextShown(Duration.ZERO);
      if (m != null) {
        return "OPENED";
      }
      VictimScreen.Rejection r = screen.nextRejection(Duration.ZERO);
      return r != null ? "refused (" + r.label() + ")" : "nothing opened, nothing reported";
    }

    @Override
    public void close() throws InterruptedException {
      client.close();
      Polling.eventually(V2Pair.WAIT, () -> !relay.isOpen("bob"));
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.sorted(Comparator.naturalOrder()).toList()) {
        Path dest = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }
}
