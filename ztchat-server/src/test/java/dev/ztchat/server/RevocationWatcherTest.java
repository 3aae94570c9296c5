package dev.ztchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.testing.TestPki;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The revocation watcher does nothing while it is built: it reads and calls back once started. */
class RevocationWatcherTest {
  @TempDir Path dir;

  @Test
  void construction_readsNothingAndCallsNobody_untilStarted() {
    TestPki pki = TestPki.create("alice");
    CertsLayout certs = pki.writeTo(dir);
    List<X509CRL> changes = new CopyOnWriteArrayList<>();
    try (RevocationWatcher watcher =
        new RevocationWatcher(
            certs.crl(), pki.ca().certificate(), Clock.systemUTC(), changes::add)) {
      assertThat(watcher.current()).as("no list before start").isNull();
      assertThat(changes).as("no callback into a half-built owner").isEmpty();

      watcher.start();

      assertThat(watcher.current()).isEqualTo(pki.crl());
      assertThat(changes).containsExactly(pki.crl());
    }
  }
}
