package dev.ztchat.cli;

import picocli.CommandLine;

/**
 * Turns an exception escaping a command into one line the user can act on, instead of a stack
 * trace. {@link UserError} carries its own exit code; anything else exits 1. Set ZTCHAT_DEBUG=1 to
 * see the stack trace.
 */
final class FriendlyErrors implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(
      Exception ex, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    String name = commandLine.getCommandSpec().qualifiedName();
    String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    commandLine.getErr().println(name + ": " + message);
    if (System.getenv("ZTCHAT_DEBUG") != null) {
      ex.printStackTrace(commandLine.getErr());
    }
    return ex instanceof UserError u ? u.exitCode() : 1;
  }
}
