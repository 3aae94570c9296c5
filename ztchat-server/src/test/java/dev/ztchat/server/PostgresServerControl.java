package dev.ztchat.server;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stops and starts the throw-away PostgreSQL server of {@code scripts/dev-postgres.sh} under the
 * relay nodes' feet, with its own {@code pg_ctl} (as the {@code postgres} user when the tests run
 * as root, as the script does), keeping its data, port and settings: what a database restart or
 * outage looks like to the nodes.
 */
final class PostgresServerControl {
  private final String bin;
  private final String data;
  private final String options;

  private PostgresServerControl(String bin, String data, String options) {
    this.bin = bin;
    this.data = data;
    this.options = options;
  }

  /** Control of the server {@code adminUrl} (a superuser's URL, as DevPostgres gives) runs on. */
  static PostgresServerControl of(String adminUrl) throws SQLException {
    try (Connection c = StoreSql.connect(adminUrl);
        Statement s = c.createStatement()) {
      String bin = one(s, "SELECT setting FROM pg_config WHERE name = 'BINDIR'");
      String data = one(s, "SHOW data_directory");
      String options =
          "-c listen_addresses="
              + one(s, "SHOW listen_addresses")
              + " -p "
              + one(s, "SHOW port")
              + " -c unix_socket_directories="
              + one(s, "SHOW unix_socket_directories");
      return new PostgresServerControl(bin, data, options);
    }
  }

  private static String one(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Stops the server (fast: every session is ended, as at a shutdown). */
  void stop() throws IOException, InterruptedException {
    pgCtl("-D", data, "-m", "fast", "-w", "stop");
  }

  /** Starts it again, on the same port, with the same data. */
  void start() throws IOException, InterruptedException {
    pgCtl("-D", data, "-l", data + "/../restart.log", "-w", "-t", "60", "-o", options, "start");
  }

  private void pgCtl(String... args) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      argv.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    argv.add(bin + "/pg_ctl");
    argv.addAll(List.of(args));
    Process p =
        new ProcessBuilder(argv)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("pg_ctl " + String.join(" ", args) + " failed");
    }
  }
}
