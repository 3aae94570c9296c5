package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The client library is usable by any front end: it brings no terminal library with it. */
class ClientDependenciesTest {
  @Test
  void clientLibrary_doesNotBringJline() {
    assertThatThrownBy(() -> Class.forName("org.jline.terminal.Terminal"))
        .isInstanceOf(ClassNotFoundException.class);
  }
}
