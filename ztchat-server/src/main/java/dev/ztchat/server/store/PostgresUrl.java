package dev.ztchat.server.store;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where the relay's PostgreSQL store is and how to reach it, parsed from {@code --store}: {@code
 * postgresql://USER:PASSWORD@HOST:PORT/DATABASE?SETTING=VALUE&...} (libpq's form; {@code
 * postgres://} and {@code jdbc:postgresql://HOST:PORT/DATABASE?user=...&password=...} are taken
 * too). docs/DEPLOYMENT.md lists the settings. Validated up front: an error names {@code --store}
 * and what is wrong; the password never appears in an error or in {@link #toString}.
 *
 * <p>Settings ztchat reads itself: {@code pool_size} (connections, 1 to 200, default 10) and {@code
 * pool_timeout} (seconds to wait for a free connection, 1 to 600, default 30). Any other setting is
 * one of pgjdbc's connection properties and is passed to it as given ({@code sslmode}, {@code
 * sslrootcert}, {@code connectTimeout}, {@code socketTimeout}, {@code ApplicationName}, ...).
 */
public final class PostgresUrl {
  /** pgjdbc connection properties ztchat passes on; anything else is refused as a likely typo. */
  private static final Set<String> DRIVER_SETTINGS =
      Set.of(
          "sslmode",
          "sslrootcert",
          "sslcert",
          "sslkey",
          "sslpassword",
          "sslnegotiation",
          "connectTimeout",
          "socketTimeout",
          "loginTimeout",
          "tcpKeepAlive",
          "ApplicationName",
          "targetServerType",
          "options",
          "channelBinding",
          "gssEncMode");

  private final String host;
  private final int port;
  private final String database;
  private final String user;
  private final String password;
  private final int poolSize;
  private final int poolTimeoutSeconds;
  private final Map<String, String> driverSettings;

  private PostgresUrl(
      String host,
      int port,
      String database,
      String user,
      String password,
      int poolSize,
      int poolTimeoutSeconds,
      Map<String, String> driverSettings) {
    this.host = host;
    this.port = port;
    this.database = database;
    this.user = user;
    this.password = password;
    this.poolSize = poolSize;
    this.poolTimeoutSeconds = poolTimeoutSeconds;
    this.driverSettings = Map.copyOf(driverSettings);
  }

  /** True when {@code store} names a PostgreSQL database (by its scheme). */
  public static boolean isPostgres(String store) {
    String s = store.toLowerCase(Locale.ROOT);
    return s.startsWith("postgresql://")
        || s.startsWith("postgres://")
        || s.startsWith("jdbc:postgresql://");
  }

  /**
   * Parses {@code store}.
   *
   * @throws IllegalArgumentException naming {@code --store} and what is wrong
   */
  public static PostgresUrl parse(String store) {
    requireNonNull(store, "store");
    if (!isPostgres(store)) {
      throw bad(
          "is not a PostgreSQL URL: use postgresql://USER:PASSWORD@HOST:PORT/DATABASE, or leave"
              + " --store out for the SQLite store in --data");
    }
    String rest = store.substring(store.indexOf("://") + 3);
    URI uri;
    try {
      uri = new URI("postgresql://" + rest);
    } catch (URISyntaxException e) {
      throw bad("is not a valid URL (" + e.getReason() + "); percent-encode special characters");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw bad("names no host: postgresql://USER:PASSWORD@HOST:PORT/DATABASE");
    }
    int port = uri.getPort() == -1 ? 5432 : uri.getPort();
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String database = decode(path.startsWith("/") ? path.substring(1) : path);
    if (database.isEmpty() || database.contains("/")) {
      throw bad("names no database: postgresql://USER:PASSWORD@HOST:PORT/DATABASE");
    }
    String user = null;
    String password = null;
    String info = uri.getRawUserInfo();
    if (info != null) {
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      password = colon < 0 ? null : decode(info.substring(colon + 1));
    }
    int poolSize = 10;
    int poolTimeout = 30;
    Map<String, String> driver = new LinkedHashMap<>();
    String query = uri.getRawQuery();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&", -1)) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw bad("has a setting without a value: " + decode(pair) + " (write NAME=VALUE)");
        }
        String key = decode(pair.substring(0, eq));
        String value = decode(pair.substring(eq + 1));
        switch (key) {
          case "user" -> user = value;
          case "password" -> password = value;
          case "pool_size" -> poolSize = intSetting(key, value, 1, 200);
          case "pool_timeout" -> poolTimeout = intSetting(key, value, 1, 600);
          default -> {
            if (!DRIVER_SETTINGS.contains(key)) {
              throw bad(
                  "has an unknown setting "
                      + key
                      + "; known: user, password, pool_size, pool_timeout, "
                      + String.join(", ", DRIVER_SETTINGS.stream().sorted().toList())
                      + " (docs/DEPLOYMENT.md)");
            }
            driver.put(key, value);
          }
        }
      }
    }
    if (user == null || user.isEmpty()) {
      throw bad("names no user: postgresql://USER:PASSWORD@HOST:PORT/DATABASE");
    }
    return new PostgresUrl(host, port, database, user, password, poolSize, poolTimeout, driver);
  }

  /**
   * Parses {@code store}: one PostgreSQL URL, or several separated by commas (the shards of the
   * offline queue, the first of them the home of everything else; docs/DEPLOYMENT.md). A comma
   * inside one URL must be percent-encoded ({@code %2C}).
   *
   * @throws IllegalArgumentException naming {@code --store} and what is wrong
   */
  public static java.util.List<PostgresUrl> parseList(String store) {
    requireNonNull(store, "store");
    java.util.List<PostgresUrl> out = new java.util.ArrayList<>();
    for (String one : store.split(",", -1)) {
      String url = one.strip();
      if (url.isEmpty()) {
        throw bad("has an empty entry: separate PostgreSQL URLs with single commas");
      }
      PostgresUrl parsed = parse(url);
      if (out.stream().anyMatch(u -> u.toString().equals(parsed.toString()))) {
        throw bad("names " + parsed + " twice: each shard is a different database");
      }
      out.add(parsed);
    }
    if (out.size() > MAX_SHARDS) {
      throw bad("names " + out.size() + " databases: use 1 to " + MAX_SHARDS);
    }
    return java.util.List.copyOf(out);
  }

  /** Most databases {@code --store} may name. */
  public static final int MAX_SHARDS = 64;

  private static int intSetting(String key, String value, int min, int max) {
    try {
      int v = Integer.parseInt(value);
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw bad("setting " + key + "=" + value + " is out of range: use " + min + " to " + max);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static IllegalArgumentException bad(String what) {
    return new IllegalArgumentException("--store " + what);
  }

  /** The JDBC URL for pgjdbc, without user or password (those go to the pool apart). */
  public String jdbcUrl() {
    StringBuilder b = new StringBuilder("jdbc:postgresql://");
    b.append(host.contains(":") ? "[" + host + "]" : host).append(':').append(port).append('/');
    b.append(java.net.URLEncoder.encode(database, StandardCharsets.UTF_8));
    char sep = '?';
    for (Map.Entry<String, String> e : driverSettings.entrySet()) {
      b.append(sep).append(e.getKey()).append('=');
      b.append(java.net.URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    return b.toString();
  }

  public String user() {
    return user;
  }

  /** The password, or null when the URL gives none (pgjdbc then tries ~/.pgpass). */
  public String password() {
    return password;
  }

  public int poolSize() {
    return poolSize;
  }

  public int poolTimeoutSeconds() {
    return poolTimeoutSeconds;
  }

  public String database() {
    return database;
  }

  /** The URL without its password, for logs and errors. */
  @Override
  public String toString() {
    return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
  }
}
