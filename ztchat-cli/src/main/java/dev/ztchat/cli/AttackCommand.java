package dev.ztchat.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import dev.ztchat.attacks.Attack;
import dev.ztchat.attacks.AttackRunner;
import dev.ztchat.attacks.AttackTarget;
import dev.ztchat.attacks.Attacks;
import dev.ztchat.attacks.Verdict;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ztchat attack NAME|all}: runs attacks against a relay and prints their verdicts. Exit 0
 * when every defence held, 1 when an attack succeeded, 2 when an attack could not run.
 */
@Command(
    name = "attack",
    mixinStandardHelpOptions = true,
    description = {
      "Run an attack on ztchat's defences and print the verdict (exit 0 held, 1 broken, 2 could not"
          + " run).",
      "Without --server, starts its own relay on a free loopback port with a temporary PKI."
    })
final class AttackCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      paramLabel = "NAME",
      description = "all, or one of: ${COMPLETION-CANDIDATES}",
      completionCandidates = Names.class)
  String name;

  @Option(
      names = "--server",
      paramLabel = "HOST:PORT",
      description =
          "Attack this running server instead of starting one (only attack servers you run).")
  String server;

  @Option(
      names = "--certs",
      defaultValue = "certs",
      description =
          "With --server: the certs folder with ca.crt and the users alice, bob and carol (default:"
              + " ${DEFAULT-VALUE}).")
  Path certs;

  @Option(
      names = "--verbose",
      description =
          "Also print the log of the relay the attack starts and of the attack's clients on stderr"
              + " (by default only the verdicts are printed).")
  boolean verbose;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (verbose) {
      return attack();
    }
    // The relay and clients the attacks start run in this process: their log lines (a relay
    // logs every refused handshake) would interleave with the verdicts and the table.
    Map<Logger, Level> saved = silenceLogging();
    try {
      return attack();
    } finally {
      saved.forEach(Logger::setLevel);
    }
  }

  /** Turns every logger off; returns the levels to restore. */
  private static Map<Logger, Level> silenceLogging() {
    Map<Logger, Level> saved = new HashMap<>();
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return saved;
    }
    for (Logger l : context.getLoggerList()) {
      if (l.getLevel() != null) {
        saved.put(l, l.getLevel());
        l.setLevel(l.getName().equals(org.slf4j.Logger.ROOT_LOGGER_NAME) ? Level.OFF : null);
      }
    }
    return saved;
  }

  private int attack() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<Attack> chosen;
    if (name.equals("all")) {
      chosen = Attacks.all();
    } else {
      chosen =
          List.of(
              Attacks.byName(name)
                  .orElseThrow(
                      () ->
                          new UserError(
                              "no attack '"
                                  + name
                                  + "': use all or one of "
                                  + String.join(", ", Attacks.names()),
                              2)));
    }
    AttackTarget target;
    try {
      target = server == null ? AttackTarget.startLocal() : remote(server, certs);
    } catch (IOException e) {
      out.println("COULD_NOT_RUN " + name + ": cannot set up the target: " + e.getMessage());
      return Verdict.Outcome.COULD_NOT_RUN.exitCode();
    }
    try (target) {
      spec.commandLine().getErr().println("ztchat attack: target is " + target.describe());
      if (chosen.size() == 1) {
        Attack a = chosen.get(0);
        out.println("attack " + a.name() + ": " + a.whatIsTried());
        out.println("expected defence: " + a.expectedDefence());
        AttackRunner.Result r = AttackRunner.run(a, target);
        out.println(AttackRunner.verdictLine(r));
        return r.verdict().outcome().exitCode();
      }
      List<AttackRunner.Result> results = AttackRunner.runAll(chosen, target);
      out.println();
      out.print(AttackRunner.table(results));
      long held =
          results.stream().filter(r -> r.verdict().outcome() == Verdict.Outcome.HELD).count();
      long broken =
          results.stream().filter(r -> r.verdict().outcome() == Verdict.Outcome.BROKEN).count();
      out.println();
      out.println(
          held
              + " held, "
              + broken
              + " broken, "
              + (results.size() - held - broken)
              + " could not run");
      return AttackRunner.overall(results).exitCode();
    }
  }

  private static AttackTarget remote(String server, Path certs) throws IOException {
    int colon = server.lastIndexOf(':');
    int port;
    try {
      port = colon > 0 ? Integer.parseInt(server.substring(colon + 1)) : -1;
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65535) {
      throw new UserError(
          "--server '"
              + server
              + "' is not HOST:PORT with a port from 1 to 65535, e.g. localhost:8443",
          2);
    }
    return AttackTarget.remote(server.substring(0, colon), port, certs);
  }

  /** The attack names, for the help text. */
  static final class Names implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Attacks.names().iterator();
    }
  }
}
