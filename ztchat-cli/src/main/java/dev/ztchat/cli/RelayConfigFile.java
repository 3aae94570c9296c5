package dev.ztchat.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the relay's YAML configuration file ({@code ztchat server --config relay.yaml}): one flat
 * mapping whose keys are the server's long options without their dashes ({@code port: 8443} for
 * {@code --port 8443}), each value a scalar. Reading keeps every key's line so that a problem can
 * be reported where it is; it does not know which keys exist ({@link ServerConfigApplier} does).
 */
final class RelayConfigFile {
  /** One {@code key: value} of the file; {@code value} is null for an empty value ({@code ~}). */
  record Entry(String key, String value, int line) {
    Entry {
      requireNonNull(key, "key");
    }
  }

  /** What the file holds, and what was wrong with its shape (each message names its line). */
  record Contents(Path file, List<Entry> entries, List<String> problems) {
    Contents {
      entries = List.copyOf(entries);
      problems = List.copyOf(problems);
    }
  }

  private static final YAMLFactory YAML = new YAMLFactory();

  private RelayConfigFile() {}

  /**
   * Reads {@code file}. A file that cannot be read or is not YAML is an {@link IOException} whose
   * message says where; a key given twice or a value that is not a scalar is a problem in {@link
   * Contents#problems()}, and reading goes on so that every problem is listed.
   */
  static Contents read(Path file) throws IOException {
    List<Entry> entries = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    try (JsonParser p = YAML.createParser(file.toFile())) {
      JsonToken first = p.nextToken();
      if (first == null) {
        return new Contents(file, entries, problems); // an empty file sets nothing
      }
      if (first != JsonToken.START_OBJECT) {
        throw new IOException(
            where(file, p) + ": expected 'key: value' lines (a YAML mapping), found " + first);
      }
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String key = p.currentName();
        int line = p.currentTokenLocation().getLineNr();
        JsonToken value = p.nextToken();
        if (!seen.add(key)) {
          problems.add(file + ":" + line + ": '" + key + "' is set twice; keep one of them");
        }
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
          problems.add(
              file
                  + ":"
                  + line
                  + ": '"
                  + key
                  + "' must be a single value, not a list or a section");
          p.skipChildren();
          continue;
        }
        entries.add(new Entry(key, value == JsonToken.VALUE_NULL ? null : p.getText(), line));
      }
    } catch (JsonProcessingException e) {
      throw new IOException(
          file + ":" + e.getLocation().getLineNr() + ": not valid YAML: " + e.getOriginalMessage(),
          e);
    }
    return new Contents(file, entries, problems);
  }

  private static String where(Path file, JsonParser p) {
    return file + ":" + p.currentTokenLocation().getLineNr();
  }
}
