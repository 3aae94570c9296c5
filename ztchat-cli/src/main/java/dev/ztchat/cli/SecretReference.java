package dev.ztchat.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves a configuration value that refers to a secret instead of holding it: {@code ${env:NAME}}
 * is the environment variable NAME, {@code ${file:PATH}} is the contents of PATH without its
 * trailing line break (the form systemd's {@code LoadCredential=} fills, under {@code
 * ${env:CREDENTIALS_DIRECTORY}}). References may be part of a longer value ({@code
 * ${env:CREDENTIALS_DIRECTORY}/server.key}), and a file's path may hold variables ({@code
 * ${file:${env:CREDENTIALS_DIRECTORY}/db-password}}); anything else is taken literally, and what a
 * reference resolves to is never resolved again. A reference that cannot be resolved is an error
 * naming the variable or file, never its value.
 */
final class SecretReference {
  private static final Pattern REFERENCE =
      Pattern.compile("\\$\\{(env|file):((?:\\$\\{env:[^}]+}|[^}])+)}");

  private SecretReference() {}

  static String resolve(String value, Map<String, String> env) {
    if (value == null) {
      return null;
    }
    Matcher m = REFERENCE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(2);
      String resolved;
      if (m.group(1).equals("env")) {
        resolved = env.get(name);
        if (resolved == null) {
          throw new IllegalArgumentException(
              "the environment variable " + name + " is not set; set it or change the value");
        }
      } else {
        resolved = readFile(Path.of(resolve(name, env)));
      }
      m.appendReplacement(out, Matcher.quoteReplacement(resolved));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String readFile(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).stripTrailing();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read " + file + " (" + e.getClass().getSimpleName() + "): check the path", e);
    }
  }
}
