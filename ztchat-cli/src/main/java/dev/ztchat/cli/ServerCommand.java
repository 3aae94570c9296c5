package dev.ztchat.cli;

import picocli.CommandLine.Command;

/** {@code ztchat server}: run the mTLS relay. */
@Command(name = "server", description = "Run the mutual-TLS relay server.")
final class ServerCommand implements Runnable {
  @Override
  public void run() {
    throw new UserError("not implemented yet");
  }
}
