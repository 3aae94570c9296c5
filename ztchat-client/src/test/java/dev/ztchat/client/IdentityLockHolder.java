package dev.ztchat.client;

import java.nio.file.Path;

/**
 * A second process for {@link IdentityLockIntegrationTest}: holds an identity's lock until its
 * stdin closes.
 */
public final class IdentityLockHolder {
  private IdentityLockHolder() {}

  public static void main(String[] args) throws Exception {
    try (ClientStore store = ClientStore.open(Path.of(args[0]), args[1])) {
      System.out.println("holding " + ProcessHandle.current().pid());
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the test to close our stdin
      }
    }
  }
}
