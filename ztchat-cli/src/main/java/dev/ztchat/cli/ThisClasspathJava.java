package dev.ztchat.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of another JVM like this one: the same {@code java}, the same class path, native
 * access for the libraries that need it. The training run starts its certificates and relay this
 * way, and the tests that must watch a command in a JVM of its own use it too.
 */
final class ThisClasspathJava {
  private ThisClasspathJava() {}

  /** {@code java [jvmOptions] -cp <this class path> main [args]}. */
  static List<String> command(List<String> jvmOptions, Class<?> main, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(args);
    return command;
  }
}
