package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The relays a client may use, in the order it tries them: one for a single relay, several for
 * relay nodes that share one store (docs/DEPLOYMENT.md, "Clients with several relays"). Written as
 * {@code HOST:PORT[,HOST:PORT...]}, an IPv6 address in brackets ({@code [::1]:8443}). Immutable.
 */
public final class RelayEndpoints {
  /** More relays than anyone runs for one client: a longer list is likely a mistake. */
  public static final int MAX_RELAYS = 16;

  /** One relay's address. */
  public record Endpoint(String host, int port) {
    public Endpoint {
      requireNonNull(host, "host");
      if (host.isBlank()) {
        throw new IllegalArgumentException("a relay's host name is empty");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            "relay port " + port + " is out of range: use 1 to 65535");
      }
    }

    /** {@code host:port}, with an IPv6 address in brackets. */
    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private String key() {
      return host.toLowerCase(Locale.ROOT) + ":" + port;
    }
  }

  private final List<Endpoint> relays;

  private RelayEndpoints(List<Endpoint> relays) {
    this.relays = List.copyOf(relays);
  }

  /** The one relay at {@code host:port}. */
  public static RelayEndpoints of(String host, int port) {
    return new RelayEndpoints(List.of(new Endpoint(host, port)));
  }

  /**
   * Parses {@code HOST:PORT[,HOST:PORT...]}.
   *
   * @throws IllegalArgumentException naming the entry at fault: an empty entry, a missing or bad
   *     port, the same relay twice, or more than {@link #MAX_RELAYS}
   */
  public static RelayEndpoints parse(String list) {
    requireNonNull(list, "list");
    String[] entries = list.split(",", -1);
    if (entries.length > MAX_RELAYS) {
      throw new IllegalArgumentException(
          entries.length + " relays given: at most " + MAX_RELAYS + " are allowed");
    }
    List<Endpoint> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < entries.length; i++) {
      Endpoint e = parseOne(entries[i].strip(), i + 1);
      if (!seen.add(e.key())) {
        throw new IllegalArgumentException("relay " + e + " is listed twice: give each relay once");
      }
      out.add(e);
    }
    return new RelayEndpoints(out);
  }

  private static Endpoint parseOne(String s, int position) {
    String where = "relay " + position + " ('" + printable(s) + "')";
    if (s.isEmpty()) {
      throw new IllegalArgumentException(
          "relay " + position + " is empty: write HOST:PORT,HOST:PORT without empty entries");
    }
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException(where + " must be HOST:PORT, e.g. localhost:8443");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.indexOf(':') >= 0) {
      throw new IllegalArgumentException(
          where + ": write an IPv6 address in brackets, e.g. [::1]:8443");
    }
    if (host.isBlank() || !host.codePoints().allMatch(RelayEndpoints::hostChar)) {
      throw new IllegalArgumentException(where + ": the host is not a host name or address");
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(where + ": the port must be a number from 1 to 65535");
    }
    return new Endpoint(host, port);
  }

  private static boolean hostChar(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '-'
        || c == '_'
        || c == ':'
        || c == '%';
  }

  private static String printable(String s) {
    return s.replaceAll("[\\p{Cntrl}\\p{Cf}]", "?");
  }

  /** The relays in the order they are tried; never empty. */
  public List<Endpoint> all() {
    return relays;
  }

  /** The relay tried first. */
  public Endpoint first() {
    return relays.getFirst();
  }

  /** How many relays there are. */
  public int size() {
    return relays.size();
  }

  /** The list as {@code --server} takes it. */
  @Override
  public String toString() {
    return String.join(",", relays.stream().map(Endpoint::toString).toList());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RelayEndpoints r && r.relays.equals(relays);
  }

  @Override
  public int hashCode() {
    return relays.hashCode();
  }
}
