package dev.ztchat.cli;

import picocli.CommandLine.Command;

/** {@code ztchat pki}: issue and inspect the organisation's certificates. */
@Command(name = "pki", description = "Issue and inspect certificates (root CA, server, users).")
final class PkiCommand implements Runnable {
  @Override
  public void run() {
    throw new UserError("not implemented yet");
  }
}
