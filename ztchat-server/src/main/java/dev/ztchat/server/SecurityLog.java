package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.SocketAddress;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The relay's one place for security events: one log line each, event name first, then key=value
 * pairs ({@code SECURITY event=SPOOFING identity=alice remote=127.0.0.1:5312 claimed=bob
 * action=dropped}), and one counter per event so an operator sees attacks without reading logs.
 * Never pass message contents or key material here.
 */
public final class SecurityLog {
  private static final Logger LOG = LoggerFactory.getLogger("ztchat.security");

  /** One recorded event, as given to listeners. */
  public record Entry(SecurityEvent event, String identity, String remote, String line) {}

  private final Map<SecurityEvent, LongAdder> counts = new EnumMap<>(SecurityEvent.class);
  private final List<Consumer<Entry>> listeners = new CopyOnWriteArrayList<>();
  private final MeterRegistry meters;

  /** A log whose relay's meters nothing exports (tests, tools). */
  public SecurityLog() {
    this(new SimpleMeterRegistry());
  }

  /** A log for a relay that counts its traffic in {@code meters} (see dev.ztchat.server.ops). */
  public SecurityLog(MeterRegistry meters) {
    this.meters = requireNonNull(meters, "meters");
    for (SecurityEvent e : SecurityEvent.values()) {
      counts.put(e, new LongAdder());
    }
  }

  /**
   * Records an event. {@code details} are alternating keys and values, e.g. {@code "size", 5000}.
   */
  public void record(
      SecurityEvent event, String identity, SocketAddress remote, Object... details) {
    StringBuilder line = new StringBuilder("SECURITY event=").append(event.name());
    line.append(" identity=").append(identity == null ? "-" : identity);
    String remoteText = remote == null ? "-" : remote.toString().replaceFirst("^/", "");
    line.append(" remote=").append(remoteText);
    // the same fields as key-value pairs, for the JSON log format (--log-format json)
    LoggingEventBuilder structured =
        LOG.atWarn()
            .addKeyValue("event", event.name())
            .addKeyValue("identity", identity == null ? "-" : sanitize(identity))
            .addKeyValue("remote", remoteText);
    for (int i = 0; i + 1 < details.length; i += 2) {
      String value = sanitize(String.valueOf(details[i + 1]));
      line.append(' ').append(details[i]).append('=').append(value);
      structured = structured.addKeyValue(String.valueOf(details[i]), value);
    }
    String text = line.toString();
    structured.log(text);
    counts
        .get(event)
        .increment(); // after the line is out: whoever watches the count sees it logged
    Entry entry = new Entry(event, identity, remoteText, text);
    for (Consumer<Entry> l : listeners) {
      l.accept(entry);
    }
  }

  /** A human line beside the structured one (kept for operators used to it). */
  public void human(String line) {
    LOG.warn(line);
  }

  /** How many times {@code event} happened since start. */
  public long count(SecurityEvent event) {
    return counts.get(event).sum();
  }

  /**
   * The relay's meters: every handler reaches them through the security log it already holds, so
   * that counting needs no further wiring.
   */
  public MeterRegistry meters() {
    return meters;
  }

  /** Calls {@code listener} for each event from now on (tests, metrics exporters). */
  public void addListener(Consumer<Entry> listener) {
    listeners.add(listener);
  }

  private static String sanitize(String v) {
    // Values come from peers: keep the line one line and greppable; quote values with spaces.
    String s = v.replaceAll("[^\\x20-\\x7e]", "?").replace('"', '\'');
    if (s.length() > 200) {
      s = s.substring(0, 200) + "...";
    }
    return s.isEmpty() || s.contains(" ") || s.contains("=") ? '"' + s + '"' : s;
  }
}
