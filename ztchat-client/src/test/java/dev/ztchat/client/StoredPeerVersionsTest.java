package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoredPeerVersionsTest {
  @TempDir Path dir;

  @Test
  void anUnknownPeer_mayUseVersion1() throws Exception {
    try (ClientStore store = ClientStore.open(dir)) {
      assertThat(new StoredPeerVersions(store).lowestVersion("bob")).isEqualTo(1);
    }
  }

  @Test
  void aProvedVersion_isNeverLowered_andSurvivesARestart() throws Exception {
    try (ClientStore store = ClientStore.open(dir)) {
      StoredPeerVersions versions = new StoredPeerVersions(store);
      versions.proved("bob", 2);
      versions.proved("bob", 1);
      assertThat(versions.lowestVersion("bob")).isEqualTo(2);
      assertThat(versions.lowestVersion("carol")).isEqualTo(1);
    }
    try (ClientStore store = ClientStore.open(dir)) {
      assertThat(new StoredPeerVersions(store).lowestVersion("bob")).isEqualTo(2);
    }
  }

  @Test
  void aVersionWeDoNotSpeak_isRefused() throws Exception {
    try (ClientStore store = ClientStore.open(dir)) {
      assertThatThrownBy(() -> new StoredPeerVersions(store).proved("bob", 3))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
