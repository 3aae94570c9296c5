package dev.ztchat.server.aot;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The JVM options a relay process starts with, in one place: the file {@code relay.jvmopts} next to
 * this class, which the {@code ztchat} launcher hands to {@code java} as an {@code @}-file for
 * {@code server}, and which the relay processes started from Java (the training run, the benches)
 * read here. One option a line; blank lines and lines starting with {@code #} are skipped.
 */
public final class RelayJvmOptions {
  private static final String FILE = "relay.jvmopts";

  private RelayJvmOptions() {}

  /** The options, in the file's order. */
  public static List<String> options() {
    try (InputStream in = RelayJvmOptions.class.getResourceAsStream(FILE)) {
      if (in == null) {
        throw new IllegalStateException(FILE + " is missing from the class path");
      }
      return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
          .lines()
          .map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
