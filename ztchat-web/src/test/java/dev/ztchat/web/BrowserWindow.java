package dev.ztchat.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ChatClientConfig;
import dev.ztchat.client.RelayConnection;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Supplier;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * One user's client, its window's server and the browser showing it (Debian's chromium, driven by
 * chromium-driver through Selenium), for the browser tests; with the ways those tests read the page
 * and wait for it.
 */
final class BrowserWindow implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Duration WAIT = Duration.ofSeconds(40);

  final WebChat chat;
  final ChatClient client;
  final WebServer server;
  final ChromeDriver browser;

  /**
   * Starts the client of {@code config} with its window, its state in {@code dir/data-NAME} and the
   * browser's profile in {@code dir/profile-NAME}, and waits until the page says online.
   */
  BrowserWindow(Path dir, String dataName, ChatClientConfig config) throws IOException {
    chat = new WebChat(Clock.systemUTC(), dir.resolve("data-" + dataName));
    client = ChatClient.start(config, chat);
    chat.attach(client);
    server = WebServer.start(chat, 0);
    browser = chromium(dir.resolve("profile-" + dataName));
    browser.get(server.address().toString());
    awaitText(By.id("conn"), "online");
  }

  WebElement find(String css) {
    return browser.findElement(By.cssSelector(css));
  }

  List<WebElement> all(String css) {
    return browser.findElements(By.cssSelector(css));
  }

  void open(String peer) {
    WebElement input = browser.findElement(By.id("new-peer"));
    input.sendKeys(peer, Keys.ENTER);
    await(() -> text(find("#peer-name")).equals(peer), "the conversation with " + peer);
  }

  void type(CharSequence... keys) {
    browser.findElement(By.id("text")).sendKeys(keys);
  }

  /** The messages shown, each as its state and its text (textContent, as drawn). */
  List<String> messages() {
    return all("#messages li").stream()
        .map(li -> li.getDomAttribute("data-state") + ": " + textOf(li, ".msg-text"))
        .toList();
  }

  void await(Supplier<Boolean> condition, String what) {
    boolean met =
        Eventually.holds(
            WAIT,
            () -> {
              try {
                return condition.get();
              } catch (WebDriverException | IndexOutOfBoundsException | NoSuchElementException e) {
                return false; // redrawn meanwhile (an empty list while the history is on its way)
              }
            });
    assertThat(met).as("%s; the page shows: %s", what, bodyText()).isTrue();
  }

  /**
   * The text of the element {@code css} selects, found again if the page redrew it between finding
   * and reading (the conversation list is redrawn on every change).
   */
  String read(String css) {
    for (int attempt = 1; ; attempt++) {
      try {
        return text(find(css));
      } catch (StaleElementReferenceException e) {
        if (attempt == 5) {
          throw e;
        }
      }
    }
  }

  /** Waits until the relay lists {@code count} devices of {@code user}, each with prekeys. */
  void awaitDevices(RelayConnection asker, String user, int count) {
    await(
        () -> {
          try {
            List<String> listed = asker.fetchBundle(user).devices();
            for (String d : listed) {
              asker.fetchBundle(user, d);
            }
            return listed.size() == count;
          } catch (IOException e) {
            return false;
          }
        },
        "the relay lists " + count + " devices of " + user);
  }

  void awaitText(By by, String contained) {
    await(() -> text(browser.findElement(by)).contains(contained), "\"" + contained + "\"");
  }

  String bodyText() {
    try {
      return browser.findElement(By.tagName("body")).getText();
    } catch (WebDriverException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  /** Writes docs/web/NAME.png, without the notices (the test PKI's expiry warnings). */
  void screenshot(String name) throws IOException {
    browser.executeScript(
        "document.querySelectorAll('.notice').forEach((n) => n.remove());"
            + " document.activeElement.blur();");
    Path out = docsWeb().resolve(name + ".png");
    Files.createDirectories(out.getParent());
    Files.copy(
        browser.getScreenshotAs(OutputType.FILE).toPath(),
        out,
        StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void close() {
    browser.quit();
    server.close();
    client.close();
    chat.close();
  }

  /** Whether Debian's chromium and chromium-driver are installed (.ci/run installs them). */
  static boolean available() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  static ChromeDriver chromium(Path profile) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--user-data-dir=" + profile,
        "--window-size=1100,700");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }

  static String text(WebElement e) {
    String t = e.getDomProperty("textContent");
    return t == null ? "" : t;
  }

  static String textOf(WebElement parent, String css) {
    List<WebElement> found = parent.findElements(By.cssSelector(css));
    return found.isEmpty() ? "" : text(found.getFirst());
  }

  /** docs/web of the repository (the tests run in ztchat-web). */
  static Path docsWeb() {
    Path here = Path.of("").toAbsolutePath();
    Path root = Files.isDirectory(here.resolve("docs")) ? here : here.getParent();
    return root.resolve("docs").resolve("web");
  }
}
