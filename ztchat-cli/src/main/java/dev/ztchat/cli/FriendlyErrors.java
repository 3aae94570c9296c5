package dev.ztchat.cli;

import dev.ztchat.client.IdentityInUseException;
import dev.ztchat.terminal.RemedyText;
import dev.ztchat.terminal.TerminalText;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Turns an exception escaping a command into one line the user can act on, instead of a stack
 * trace. {@link UserError} carries its own exit code; an identity already used by another process
 * exits {@value #IDENTITY_IN_USE}; anything else exits 1. The line is escaped ({@link
 * TerminalText#notice}): messages may quote a server. Set ZTCHAT_DEBUG=1 to see the stack trace.
 */
final class FriendlyErrors implements CommandLine.IExecutionExceptionHandler {
  /** Exit code of client, send and recv when the identity is in use by another ztchat process. */
  static final int IDENTITY_IN_USE = 7;

  @Override
  public int handleExecutionException(
      Exception ex, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    String name = commandLine.getCommandSpec().qualifiedName();
    String message = RemedyText.explain(ex);
    commandLine.getErr().println(TerminalText.notice(name + ": " + message));
    if (System.getenv("ZTCHAT_DEBUG") != null) {
      ex.printStackTrace(commandLine.getErr());
    }
    if (ex instanceof IdentityInUseException) {
      return IDENTITY_IN_USE;
    }
    return ex instanceof UserError u ? u.exitCode() : 1;
  }

  /**
   * A usage error prints the error and one line pointing at the command's help, not the whole help
   * page (which buries the error), and exits 2.
   */
  static final class UsageErrors implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
      CommandLine cl = ex.getCommandLine();
      PrintWriter err = cl.getErr();
      String name = cl.getCommandSpec().qualifiedName();
      err.println(TerminalText.notice(name + ": " + ex.getMessage()));
      CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
      err.println("Try './" + name + " --help' for more information.");
      err.flush();
      return cl.getCommandSpec().exitCodeOnInvalidInput();
    }
  }
}
