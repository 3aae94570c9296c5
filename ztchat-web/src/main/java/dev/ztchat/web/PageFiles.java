package dev.ztchat.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/**
 * The page's static files, read from the jar once: the HTML, the style sheet and the JavaScript
 * module. Only these paths are served; nothing is read from the disk at request time.
 */
final class PageFiles {
  /** One file: its bytes and its media type. */
  record File(byte[] body, String contentType) {}

  private final Map<String, File> files;

  private PageFiles(Map<String, File> files) {
    this.files = files;
  }

  static PageFiles load() {
    return new PageFiles(
        Map.of(
            "/", read("index.html", "text/html; charset=utf-8"),
            "/app.js", read("app.js", "text/javascript; charset=utf-8"),
            "/style.css", read("style.css", "text/css; charset=utf-8"),
            "/icon.svg", read("icon.svg", "image/svg+xml")));
  }

  Optional<File> get(String path) {
    return Optional.ofNullable(files.get(path));
  }

  private static File read(String name, String type) {
    try (InputStream in = PageFiles.class.getResourceAsStream("page/" + name)) {
      if (in == null) {
        throw new IllegalStateException("the page file " + name + " is missing from the jar");
      }
      return new File(in.readAllBytes(), type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
