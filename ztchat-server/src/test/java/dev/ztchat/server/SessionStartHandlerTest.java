package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.testing.TestPki;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Session start in isolation: what a verified peer gets, and when it is refused instead. */
class SessionStartHandlerTest {
  static TestPki pki;

  @TempDir Path dir;
  RelayContextFixture fixture;
  final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeAll
  static void pki() {
    pki = TestPki.create("alice", "bob");
  }

  @BeforeEach
  void setUp() throws Exception {
    fixture =
        new RelayContextFixture(
            pki,
            dir,
            Clock.systemUTC(),
            c -> c.withConnectionLimits(new ConnectionLimits(1, 10, 10)));
  }

  @AfterEach
  void tearDown() {
    fixture.close();
    for (String name : List.of(SessionStartHandler.class.getName(), "ztchat.security")) {
      ((Logger) LoggerFactory.getLogger(name)).detachAppender(logged);
    }
  }

  /**
   * The lines the session start and the security log write at INFO or above, from now on, on this
   * test's thread (the embedded channel's): other test classes running in parallel log there too.
   */
  List<String> linesAtInfo() {
    String mine = Thread.currentThread().getName();
    List<ILoggingEvent> events;
    synchronized (logged) { // the appender adds under this lock
      events = List.copyOf(logged.list);
    }
    return events.stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
        .filter(e -> e.getThreadName().equals(mine))
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  void captureLogs() {
    logged.start();
    for (String name : List.of(SessionStartHandler.class.getName(), "ztchat.security")) {
      ((Logger) LoggerFactory.getLogger(name)).addAppender(logged);
    }
  }

  EmbeddedChannel verified(String identity, X509Certificate cert) {
    EmbeddedChannel ch = new EmbeddedChannel(new SessionStartHandler(fixture.relay));
    ch.pipeline().fireUserEventTriggered(new SessionStartHandler.VerifiedPeer(identity, cert));
    return ch;
  }

  static Object next(EmbeddedChannel ch) {
    return ch.readOutbound();
  }

  static X509Certificate signing(String user) {
    return pki.user(user).signing().certificate();
  }

  @Test
  void verifiedPeer_isBoundRegisteredAndWelcomed_andItsCertificateLearned() {
    EmbeddedChannel ch = verified("alice", signing("alice"));
    Frame.Welcome welcome = ch.readOutbound();
    assertThat(welcome.identity()).isEqualTo("alice");
    assertThat(welcome.maxFrame()).isEqualTo(fixture.relay.config().maxFrame());
    assertThat(ConnectionIdentity.of(ch)).isEqualTo("alice");
    assertThat(fixture.relay.connections().channelsOf("alice")).containsExactly(ch);
    assertThat(fixture.relay.directory().lookup("alice").orElseThrow().signing())
        .isEqualTo(signing("alice"));
    assertThat(ch.pipeline().get(SessionStartHandler.class)).as("a session starts once").isNull();
    assertThat(ch.isOpen()).isTrue();
    ch.close();
  }

  @Test
  void connectionOverThePerIdentityCap_getsAnErrorSayingWhy_andIsClosedUnbound() {
    EmbeddedChannel first = verified("alice", signing("alice"));
    EmbeddedChannel second = verified("alice", signing("alice"));
    Frame.Error error = second.readOutbound();
    assertThat(error.code()).isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(error.message()).startsWith("too many connections for alice (limit 1)");
    assertThat(next(second)).as("no welcome").isNull();
    assertThat(second.isOpen()).isFalse();
    assertThat(ConnectionIdentity.of(second)).isNull();
    assertThat(fixture.relay.security().count(SecurityEvent.TOO_MANY_CONNECTIONS)).isEqualTo(1);
    assertThat(ConnectionIdentity.of(first)).isEqualTo("alice");
    first.close();
  }

  @Test
  void certificateTheDirectoryRefuses_closesTheConnectionUnbound_withoutAWelcome() {
    EmbeddedChannel ch = verified("alice", signing("bob"));
    assertThat(next(ch)).isNull();
    assertThat(ch.isOpen()).isFalse();
    assertThat(ConnectionIdentity.of(ch)).isNull();
    assertThat(fixture.relay.directory().knows("alice")).isFalse();
    assertThat(fixture.relay.security().count(SecurityEvent.HANDSHAKE_FAILED)).isEqualTo(1);
  }

  @Test
  void certificateCheckedInTheHandshake_isLearnedWithoutASecondCheck() {
    // a pair the directory's own check refuses (bob's certificate for alice): taken as it is only
    // because the trust manager vouches for it, which it never does for such a pair
    EmbeddedChannel ch = new EmbeddedChannel(new SessionStartHandler(fixture.relay));
    ch.pipeline()
        .fireUserEventTriggered(
            new SessionStartHandler.VerifiedPeer("alice", signing("bob"), true));
    assertThat(next(ch)).isInstanceOf(Frame.Welcome.class);
    assertThat(fixture.relay.directory().knows("alice")).isTrue();
    assertThat(fixture.relay.security().count(SecurityEvent.HANDSHAKE_FAILED)).isZero();
  }

  @Test
  void sharedHandler_startsTheSessionOfEachConnection() {
    SessionStartHandler shared = new SessionStartHandler(fixture.relay);
    for (String user : List.of("alice", "bob")) {
      EmbeddedChannel ch = new EmbeddedChannel(shared);
      ch.pipeline()
          .fireUserEventTriggered(new SessionStartHandler.VerifiedPeer(user, signing(user), true));
      Frame.Welcome welcome = ch.readOutbound();
      assertThat(welcome.identity()).isEqualTo(user);
      assertThat(ch.pipeline().get(SessionStartHandler.class))
          .as("replaced in its own pipeline once the session started")
          .isNull();
    }
  }

  @Test
  void acceptedConnection_logsOneLineAtInfo_whenItsClientFirstSendsAFrame() {
    captureLogs();
    EmbeddedChannel ch = verified("alice", signing("alice"));
    assertThat(linesAtInfo()).as("nothing yet: a handshake alone").isEmpty();
    ch.writeInbound(new Frame.Ping("p1"));
    ch.writeInbound(new Frame.Ping("p2"));
    ch.close();
    assertThat(linesAtInfo())
        .singleElement()
        .satisfies(line -> assertThat(line).startsWith("connected: identity=alice remote="));
    assertThat(ch.<Frame>readInbound()).as("the frames go on").isEqualTo(new Frame.Ping("p1"));
  }

  @Test
  void connectionThatOnlyHandshakes_logsNothingAtInfo() {
    captureLogs();
    EmbeddedChannel ch = verified("alice", signing("alice"));
    ch.close();
    assertThat(linesAtInfo()).isEmpty();
  }

  @Test
  void refusedCertificate_isStillLoggedAsASecurityEvent() {
    captureLogs();
    EmbeddedChannel ch = verified("alice", signing("bob"));
    assertThat(ch.isOpen()).isFalse();
    assertThat(linesAtInfo())
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .startsWith("SECURITY event=HANDSHAKE_FAILED identity=alice")
                    .contains("action=closed"));
  }
}
