package dev.ztchat.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code ztchat} command line: parses, then delegates to a subcommand. */
@Command(
    name = "ztchat",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Zero-trust end-to-end encrypted chat over a mutual-TLS relay.")
public final class Main implements Runnable {
  /** Columns of every help page. */
  static final int HELP_WIDTH = 80;

  /**
   * The subcommands, in the order help lists them. Registered in code rather than in the annotation
   * so that a run of one command builds only that command's model: picocli reads every registered
   * command's annotations by reflection, which was a tenth of a {@code send}.
   */
  private static final List<String> SUBCOMMANDS =
      List.of(
          "demo", "pki", "server", "client", "web", "send", "recv", "group", "devices", "attack",
          "bench", "help");

  // A switch, not a table of constructor references: the start-up cache cannot hold a lambda of
  // a picocli class (picocli's class files predate the verifier the cache needs).
  private static Object newSubcommand(String name) {
    return switch (name) {
      case "demo" -> new DemoCommand();
      case "pki" -> new PkiCommand();
      case "server" -> new ServerCommand();
      case "client" -> new ClientCommand();
      case "web" -> new WebCommand();
      case "send" -> new SendCommand();
      case "recv" -> new RecvCommand();
      case "group" -> new GroupCommand();
      case "devices" -> new DevicesCommand();
      case "attack" -> new AttackCommand();
      case "bench" -> new BenchCommand();
      case "help" -> new CommandLine.HelpCommand();
      default -> throw new IllegalArgumentException(name);
    };
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code (used by tests to run commands in-process). */
  public static int run(String... args) {
    return commandLine(args.length == 0 ? null : args[0]).execute(args);
  }

  /** The whole command line, every subcommand registered (help pages, tests). */
  static CommandLine commandLine() {
    return commandLine(null);
  }

  /**
   * The command line for a run whose first argument is {@code first}: when that names a subcommand,
   * only that one is registered; anything else (no argument, an option, {@code help}, a typo that
   * needs suggestions) gets all of them.
   */
  private static CommandLine commandLine(String first) {
    CommandLine cl = new CommandLine(new Main());
    boolean one = first != null && SUBCOMMANDS.contains(first) && !first.equals("help");
    for (String name : SUBCOMMANDS) {
      if (!one || name.equals(first)) {
        cl.addSubcommand(name, newSubcommand(name));
      }
    }
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
