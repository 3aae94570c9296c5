package dev.ztchat.web;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The JSON of the page's WebSocket: events written for the page, commands read from it. A command
 * is one flat object of string fields, at most {@link #MAX_FIELDS} of them; anything else is
 * refused.
 */
final class PageEvents {
  static final int MAX_FIELDS = 8;
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private PageEvents() {}

  /** Writes one event. */
  interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  /** An event of type {@code type} whose further fields {@code body} writes. */
  static String event(String type, Body body) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("t", type);
      body.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Something the user should know that is not a message. */
  static String notice(String text) {
    return event("notice", g -> g.writeStringField("text", text));
  }

  /** What went wrong with the user's last command about {@code peer} ("" for none). */
  static String error(String peer, String text) {
    return event(
        "error",
        g -> {
          g.writeStringField("peer", peer);
          g.writeStringField("text", text);
        });
  }

  /** A command from the page, its fields by name; null if it is not a flat object of strings. */
  static Map<String, String> command(String text) {
    Map<String, String> fields = new HashMap<>();
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        if (t != JsonToken.FIELD_NAME) {
          return null;
        }
        String name = p.currentName();
        if (p.nextToken() != JsonToken.VALUE_STRING
            || fields.put(name, p.getText()) != null
            || fields.size() > MAX_FIELDS) {
          return null;
        }
      }
      return p.nextToken() == null ? fields : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** {@code s} in quotes for a message to the user, cut after 40 characters. */
  static String quoted(String s) {
    return "\"" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "\"";
  }
}
