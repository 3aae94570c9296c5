package dev.ztchat.cli;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Applies a configuration file to {@code ztchat server}: every key is one of the command's long
 * options without its dashes, converted and checked by the same converter as on the command line;
 * an option given on the command line wins over the file. Unknown keys, values that do not convert
 * and unresolvable secret references are problems naming the file, the line and the key.
 */
final class ServerConfigApplier {
  /** Options that make no sense in the file: they choose the file or what to do with it. */
  static final Set<String> NOT_IN_FILE =
      Set.of("--config", "--check-config", "--help", "--version");

  private final Supplier<Object> freshCommand;
  private final Map<String, String> env;

  /**
   * @param freshCommand makes a new, unparsed command of the same class, on which each value is
   *     converted alone
   */
  ServerConfigApplier(Supplier<Object> freshCommand, Map<String, String> env) {
    this.freshCommand = requireNonNull(freshCommand, "freshCommand");
    this.env = requireNonNull(env, "env");
  }

  /** The keys a file may set: the command's long options without dashes, sorted. */
  static Set<String> keys(CommandSpec spec) {
    Set<String> keys = new TreeSet<>();
    for (OptionSpec o : spec.options()) {
      if (!NOT_IN_FILE.contains(o.longestName())) {
        keys.add(o.longestName().substring(2));
      }
    }
    return keys;
  }

  /**
   * Sets each option of {@code target} from the file unless the command line set it; returns every
   * problem found, in file order (empty when all was applied).
   */
  List<String> apply(RelayConfigFile.Contents file, CommandSpec target) {
    List<String> problems = new ArrayList<>(file.problems());
    Set<String> known = keys(target);
    CommandLine.ParseResult given = target.commandLine().getParseResult();
    for (RelayConfigFile.Entry e : file.entries()) {
      String at = file.file() + ":" + e.line() + ": ";
      if (!known.contains(e.key())) {
        problems.add(
            at + "unknown key '" + e.key() + "'; the keys are the server's options: " + known);
        continue;
      }
      if (e.value() == null) {
        continue; // an empty value keeps the default
      }
      String name = "--" + e.key();
      try {
        Object value = convert(name, SecretReference.resolve(e.value(), env));
        if (given == null || !given.hasMatchedOption(name)) {
          target.findOption(name).setValue(value);
        }
      } catch (CommandLine.ParameterException | IllegalArgumentException ex) {
        problems.add(at + e.key() + ": " + ex.getMessage());
      }
    }
    return problems;
  }

  private Object convert(String name, String value) {
    CommandLine probe = new CommandLine(freshCommand.get());
    probe.parseArgs(name + "=" + value);
    return probe.getCommandSpec().findOption(name).getValue();
  }
}
