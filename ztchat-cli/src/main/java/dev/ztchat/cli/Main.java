package dev.ztchat.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code ztchat} command line: parses, then delegates to a subcommand. */
@Command(
    name = "ztchat",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Zero-trust end-to-end encrypted chat over a mutual-TLS relay.",
    subcommands = {
      DemoCommand.class,
      PkiCommand.class,
      ServerCommand.class,
      ClientCommand.class,
      SendCommand.class,
      RecvCommand.class,
      AttackCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /** Columns of every help page. */
  static final int HELP_WIDTH = 80;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code (used by tests to run commands in-process). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(new FriendlyErrors());
    cl.setParameterExceptionHandler(new FriendlyErrors.UsageErrors());
    // A fixed width keeps every help page laid out as HelpTextTest checks it (no path split).
    cl.setUsageHelpWidth(HELP_WIDTH);
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"ztchat " + (v == null ? "dev" : v)};
    }
  }
}
