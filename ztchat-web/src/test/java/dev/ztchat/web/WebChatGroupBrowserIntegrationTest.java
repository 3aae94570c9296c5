package dev.ztchat.web;

import static dev.ztchat.web.BrowserWindow.text;
import static dev.ztchat.web.BrowserWindow.textOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.client.ChatClientConfig;
import dev.ztchat.client.MessageTooLongException;
import dev.ztchat.client.RelayConnection;
import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.testing.TestPki;
import dev.ztchat.server.RelayServer;
import dev.ztchat.server.RelayServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * Group conversations in the chat window (docs/v2/groups.md), in a real browser: alice, bob and
 * carol each run their client (with a version-2 device) and window against a real relay on
 * loopback. In order: alice creates #team from the page and everyone sees it, messages go both ways
 * with their sender, hostile text and a hostile group name show literally, a member who is not an
 * admin is told so, a message typed while the relay is down is kept and then delivered, and a
 * removal shows as a line of the conversation while the removed member gets nothing more. The run
 * writes screenshots of the group view to docs/web/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebChatGroupBrowserIntegrationTest {
  static final String TEAM = "#team";

  Path dir;
  TestPki pki;
  CertsLayout certs;
  RelayServer relay;
  int relayPort;
  BrowserWindow alice;
  BrowserWindow bob;
  BrowserWindow carol;

  @BeforeAll
  void start(@TempDir Path tmp) throws Exception {
    dir = tmp;
    Assumptions.assumeTrue(
        BrowserWindow.available(),
        "needs Debian's chromium and chromium-driver (.ci/run installs them)");
    pki = TestPki.create("alice", "bob", "carol", "dave");
    certs = pki.writeTo(dir.resolve("certs"));
    relay = RelayServer.start(relayConfig(0));
    relayPort = relay.port();
    alice = window("alice");
    bob = window("bob");
    carol = window("carol");
  }

  @AfterAll
  void stop() {
    for (AutoCloseable c : new AutoCloseable[] {alice, bob, carol}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // the next one still closes
      }
    }
    if (relay != null) {
      relay.close();
    }
  }

  RelayServerConfig relayConfig(int port) {
    return RelayServerConfig.defaults(certs, dir.resolve("relay-data")).withPort(port);
  }

  BrowserWindow window(String name) throws IOException {
    ChatClientConfig config =
        ChatClientConfig.of(
                "localhost",
                relayPort,
                pki.user(name),
                pki.ca().certificate(),
                dir.resolve("data-" + name))
            .withDevice(pki.device(name));
    return new BrowserWindow(dir, name, config);
  }

  /** The lines of the open conversation: each message as its sender and text, each change. */
  static List<String> lines(BrowserWindow w) {
    return w.all("#messages li").stream()
        .map(
            li ->
                "system".equals(li.getDomAttribute("data-state"))
                    ? "-- " + textOf(li, ".msg-text")
                    : li.getDomAttribute("data-state")
                        + " "
                        + (textOf(li, ".msg-from").isEmpty() ? "me" : textOf(li, ".msg-from"))
                        + ": "
                        + textOf(li, ".msg-text"))
        .toList();
  }

  static void openGroup(BrowserWindow w) {
    w.await(() -> w.all(conversation(TEAM)).size() == 1, TEAM + " in the list");
    w.find(conversation(TEAM)).click();
    w.await(() -> text(w.find("#peer-name")).equals(TEAM), TEAM + " open");
  }

  static String conversation(String peer) {
    return ".conversation[data-peer='" + peer + "']";
  }

  static void showMembers(BrowserWindow w) {
    if (!w.find("#group").isDisplayed()) {
      w.find("#info-toggle").click();
    }
    w.await(() -> w.find("#group").isDisplayed(), "the members panel");
  }

  /** The members panel: each member as shown, with "admin" for an admin. */
  static List<String> members(BrowserWindow w) {
    return w.all("#group-members-list li").stream()
        .map(li -> text(li.findElement(By.cssSelector(".member-name"))) + mark(li))
        .toList();
  }

  private static String mark(WebElement li) {
    return li.findElements(By.cssSelector(".mark-admin")).isEmpty() ? "" : " [admin]";
  }

  static String lastError(BrowserWindow w) {
    List<WebElement> errors = w.all("#notices .notice-error");
    return errors.isEmpty() ? "" : text(errors.getLast());
  }

  void createGroup(BrowserWindow w, String name, String members) {
    if (w.find("#group-create").getDomAttribute("open") == null) {
      w.find("#group-create summary").click();
    }
    w.find("#group-name").sendKeys(name);
    w.find("#group-members").sendKeys(members);
    w.find("#new-group button[type='submit']").click();
  }

  /** Waits until the relay holds version-2 keys of each of {@code users}: groups need them. */
  void awaitKeysAtTheRelay(String... users) throws IOException {
    try (RelayConnection asker =
        RelayConnection.connect(
            "localhost", relayPort, pki.device("dave"), pki.ca().certificate())) {
      for (String user : users) {
        alice.awaitDevices(asker, user, 1);
      }
    }
  }

  @Test
  @Order(1)
  void aliceCreatesAGroupOnThePage_eachMemberSeesIt_andMessagesBothWaysShowTheirSender()
      throws Exception {
    awaitKeysAtTheRelay("bob", "carol");
    createGroup(alice, "team", "bob, carol");
    alice.await(() -> text(alice.find("#peer-name")).equals(TEAM), "the new group opened");
    alice.await(
        () -> lines(alice).equals(List.of("-- you created #team with bob, carol")),
        "the creation as a line of the conversation");
    showMembers(alice);
    assertThat(members(alice)).containsExactly("alice (you) [admin]", "bob", "carol");

    for (BrowserWindow member : List.of(bob, carol)) {
      member.await(
          () -> member.all(conversation(TEAM)).size() == 1, TEAM + " in the member's list");
    }
    openGroup(bob);
    bob.await(
        () -> lines(bob).equals(List.of("-- alice created #team with bob, carol")),
        "the creation in bob's window");
    assertThat(text(bob.find("#contact-status")))
        .as("a group is not looked up as a contact")
        .isEmpty();
    showMembers(bob);
    assertThat(members(bob)).containsExactly("alice [admin]", "bob (you)", "carol");

    alice.type("hello team", Keys.ENTER);
    bob.await(
        () -> lines(bob).getLast().equals("in alice: hello team"),
        "alice's message in bob's window, with its sender");
    bob.type("hi from bob", Keys.ENTER);
    alice.await(
        () -> lines(alice).getLast().equals("in bob: hi from bob"),
        "bob's reply in alice's window, with its sender");
    alice.await(
        () ->
            alice.all("#messages li[data-state='received'] .msg-state").stream()
                .anyMatch(s -> text(s).equals("✓✓ received by bob, carol")),
        "alice's message received by bob and carol");

    carol.await(
        () -> text(carol.find(conversation(TEAM) + " .unread")).equals("2"),
        "two unread in carol's list");
    assertThat(carol.read(conversation(TEAM) + " .preview")).isEqualTo("bob: hi from bob");
    openGroup(carol);
    carol.await(
        () ->
            lines(carol)
                .equals(
                    List.of(
                        "-- alice created #team with bob, carol",
                        "in alice: hello team",
                        "in bob: hi from bob")),
        "the group in carol's window");
    assertThat(carol.all(conversation(TEAM) + " .unread")).as("read now").isEmpty();
    alice.find("#info-toggle").click(); // the members panel closed, for the picture
    alice.find("#group-create summary").click();
    alice.await(() -> !alice.find("#group").isDisplayed(), "the conversation alone");
    alice.screenshot("group");
  }

  @Test
  @Order(2)
  void hostileTextInAGroup_andAHostileGroupName_showLiterally() throws Exception {
    String html = "<img src=x onerror=\"window.pwned=1\"><b>bold</b>";
    String terminal = "\u001b[2J\u001b]0;owned\u0007\u202eevil";
    bob.type(html, Keys.ENTER);
    bob.client.sendToGroup(TEAM, terminal); // control characters cannot be typed
    alice.await(
        () -> lines(alice).getLast().equals("in bob: \\e[2J\\e]0;owned\\x07\\u202eevil"),
        "the terminal payload, escaped");
    assertThat(lines(alice)).contains("in bob: " + html);
    assertThat(alice.all("#messages img, #messages b")).isEmpty();

    String name = "<img src=x onerror=window.pwned=2>";
    createGroup(alice, name, "bob");
    alice.await(() -> lastError(alice).startsWith("Not a group name: "), "the refusal");
    assertThat(lastError(alice)).contains("\"" + name + "\"");
    assertThat(alice.all("#notices img, #conversations img")).isEmpty();
    assertThat(alice.browser.executeScript("return window.pwned === undefined")).isEqualTo(true);
  }

  @Test
  @Order(3)
  void aMemberWhoIsNotAnAdmin_cannotRemove_andIsToldWhy() {
    showMembers(bob);
    bob.find("#group-members-list li[data-member='carol'] .member-remove").click();
    bob.await(() -> lastError(bob).startsWith("Not done: "), "the refusal");
    assertThat(lastError(bob)).contains("admin");
    showMembers(alice);
    assertThat(members(alice)).containsExactly("alice (you) [admin]", "bob", "carol");
  }

  @Test
  @Order(4)
  void aGroupMessageTypedWhileTheRelayIsDown_isKept_thenDeliveredAfterItsRestart()
      throws Exception {
    relay.close();
    try {
      alice.await(() -> text(alice.find("#conn")).startsWith("offline"), "alice's window offline");
      alice.type("typed offline to the team", Keys.ENTER);
      alice.await(
          () ->
              alice.all("#messages li").getLast().getDomAttribute("data-state").equals("kept")
                  && lines(alice).getLast().equals("kept me: typed offline to the team"),
          "the group message kept on alice's device");
    } finally {
      relay = RelayServer.start(relayConfig(relayPort));
    }
    bob.await(
        () -> lines(bob).getLast().equals("in alice: typed offline to the team"),
        "the kept message delivered to bob after the restart");
    carol.await(
        () -> lines(carol).getLast().equals("in alice: typed offline to the team"), "and to carol");
  }

  @Test
  @Order(5)
  void aRemoval_isALineOfTheConversation_andTheRemovedMembersWindowGetsNothingMore()
      throws Exception {
    showMembers(alice);
    alice.find("#group-members-list li[data-member='carol'] .member-remove").click();
    alice.await(
        () -> lines(alice).getLast().equals("-- you removed carol from #team"),
        "the removal in alice's window");
    alice.await(() -> members(alice).equals(List.of("alice (you) [admin]", "bob")), "carol gone");
    bob.await(
        () -> lines(bob).getLast().equals("-- alice removed carol from #team"),
        "the removal in bob's window");
    carol.await(
        () ->
            lines(carol)
                .getLast()
                .equals("-- alice removed you from #team: you no longer receive its messages"),
        "the removal in carol's window");
    carol.await(() -> !carol.find("#text").isEnabled(), "carol's composer closed");
    assertThat(carol.read(conversation(TEAM) + " .mark")).isEqualTo("not a member");

    alice.type("only for bob now", Keys.ENTER);
    bob.await(
        () -> lines(bob).getLast().equals("in alice: only for bob now"),
        "bob still gets the group's messages");
    alice.await(
        () ->
            alice.all("#messages li[data-state='received'] .msg-state").stream()
                .anyMatch(s -> text(s).equals("✓✓ received by bob")),
        "alice's message received by bob, the one member left");
    assertThat(lines(carol)).doesNotContain("in alice: only for bob now");
    assertThat(carol.client.groupHistory(TEAM, 50).stream().map(e -> e.text()))
        .doesNotContain("only for bob now");
    alice.screenshot("group-members");
    carol.screenshot("group-removed");
  }

  @Test
  @Order(6)
  void aGroupsUnreadCount_survivesARestartOfTheWindow_andSoDoesReadingIt() throws Exception {
    bob.open("alice"); // another conversation: #team's messages are unread
    alice.type("while bob looks elsewhere", Keys.ENTER);
    bob.await(
        () -> text(bob.find(conversation(TEAM) + " .unread")).equals("1"), "one unread in #team");
    assertThat(bob.read(conversation(TEAM) + " .preview"))
        .isEqualTo("alice: while bob looks elsewhere");

    bob.close();
    bob = window("bob");
    bob.await(
        () -> text(bob.find(conversation(TEAM) + " .unread")).equals("1"),
        "still one unread in #team after the restart");
    openGroup(bob);
    bob.await(
        () -> lines(bob).getLast().equals("in alice: while bob looks elsewhere"), "the message");
    bob.await(() -> bob.all(conversation(TEAM) + " .unread").isEmpty(), "read now");

    bob.close();
    bob = window("bob");
    bob.await(() -> bob.all(conversation(TEAM)).size() == 1, "#team after the second restart");
    assertThat(bob.all(conversation(TEAM) + " .unread")).as("still read").isEmpty();
  }

  @Test
  @Order(7)
  void addingAndLeaving_fromTheMembersPanel_areLinesOfTheConversation_andARefusalIsShown() {
    openGroup(alice);
    showMembers(alice);
    alice.find("#group-add-name").sendKeys("dave", Keys.ENTER); // dave has no version-2 device
    alice.await(() -> lastError(alice).startsWith("Not done: "), "the refusal");
    assertThat(lastError(alice)).contains("dave");
    assertThat(members(alice)).containsExactly("alice (you) [admin]", "bob");

    alice.find("#group-add-name").sendKeys("carol", Keys.ENTER);
    alice.await(() -> lines(alice).getLast().equals("-- you added carol to #team"), "carol added");
    carol.await(
        () -> lines(carol).getLast().startsWith("-- alice added you to #team"),
        "carol told she is back");
    carol.await(() -> carol.find("#text").isEnabled(), "carol's composer open again");

    openGroup(bob);
    showMembers(bob);
    bob.find("#group-leave").click();
    bob.await(() -> lines(bob).getLast().startsWith("-- you left #team"), "bob's own line");
    bob.await(() -> !bob.find("#text").isEnabled(), "bob's composer closed");
    alice.await(() -> lines(alice).getLast().equals("-- bob left #team"), "bob's leaving");
    alice.await(() -> members(alice).equals(List.of("alice (you) [admin]", "carol")), "bob gone");
  }

  @Test
  @Order(8)
  void theChangeLines_surviveARestartOfTheWindow_inTheirPlaceAmongTheMessages() throws Exception {
    alice.close();
    alice = window("alice");
    openGroup(alice);
    alice.await(() -> lines(alice).contains("-- bob left #team"), "the changes after the restart");

    List<String> lines = lines(alice);
    assertThat(lines.stream().filter(l -> l.startsWith("-- ")))
        .containsExactly(
            "-- you created #team with bob, carol",
            "-- you removed carol from #team",
            "-- you added carol to #team",
            "-- bob left #team");
    assertThat(lines.getFirst()).isEqualTo("-- you created #team with bob, carol");
    int removed = lines.indexOf("-- you removed carol from #team");
    assertThat(indexOfText(lines, "typed offline to the team")).isLessThan(removed);
    assertThat(indexOfText(lines, "only for bob now")).isEqualTo(removed + 1);
    assertThat(lines.getLast()).isEqualTo("-- bob left #team");
    assertThat(alice.read(conversation(TEAM) + " .preview"))
        .as("the latest line as the list's preview, as a chat app shows it")
        .isEqualTo("bob left #team");
  }

  @Test
  @Order(9)
  void theGroupComposer_showsTheGroupsOwnLimit_sendsATextOfThatLength_andRefusesOneByteMore()
      throws Exception {
    openGroup(alice);
    int max = alice.client.maxGroupTextBytes(TEAM);
    assertThat(max)
        .as("a group text is bounded by a version-2 part to one member, not by one recipient's")
        .isPositive()
        .isLessThan(alice.client.maxTextBytes(TEAM));
    alice.await(() -> text(alice.find("#count")).equals("0 / " + max + " bytes"), "the limit");

    setComposer(alice, "x".repeat(max + 1));
    assertThat(text(alice.find("#count"))).startsWith("Too long by 1 bytes (at most " + max);
    assertThat(alice.find("#send").isEnabled()).isFalse();
    assertThatThrownBy(() -> alice.client.sendToGroupOrKeep(TEAM, "x".repeat(max + 1)))
        .as("refused before it is kept, as a direct message is")
        .isInstanceOf(MessageTooLongException.class)
        .hasMessageContaining("the maximum is " + max + " bytes");
    assertThat(alice.client.groupWaiting(TEAM)).isEmpty();

    setComposer(alice, "y".repeat(max));
    alice.find("#send").click();
    carol.await(
        () -> lines(carol).getLast().equals("in alice: " + "y".repeat(max)),
        "a text of exactly the limit delivered to the group");
  }

  private static void setComposer(BrowserWindow w, String text) {
    w.browser.executeScript(
        "const t = document.getElementById('text'); t.value = arguments[0];"
            + " t.dispatchEvent(new Event('input'));",
        text);
  }

  private static int indexOfText(List<String> lines, String text) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).endsWith(": " + text)) {
        return i;
      }
    }
    throw new AssertionError("no message " + text + " in " + lines);
  }
}
