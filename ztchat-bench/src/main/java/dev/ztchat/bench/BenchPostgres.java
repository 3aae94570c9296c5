package dev.ztchat.bench;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The throw-away PostgreSQL of {@code scripts/dev-postgres.sh} for the scale-out bench, in a state
 * folder of its own (never a developer's running one), with {@code pg_stat_statements} loaded when
 * the server has it so that every statement the relay nodes run is counted; and the database's own
 * counters ({@code pg_stat_database}) read by the bench through an administrator's connection.
 * Closing it stops the server and removes its files.
 */
final class BenchPostgres implements AutoCloseable {
  private final Path state;
  private final Path script;
  private final Connection admin;
  private final boolean statementCounts;
  private int databases;

  private BenchPostgres(Path state, Path script, Connection admin, boolean statementCounts) {
    this.state = state;
    this.script = script;
    this.admin = admin;
    this.statementCounts = statementCounts;
  }

  /**
   * Starts one, or says why it cannot (the script is missing, or PostgreSQL could not be installed
   * or started): the reason becomes the note of the rows it would have given.
   */
  static BenchPostgres start(BenchPki pki) throws SkippedException, InterruptedException {
    Path script =
        script().orElseThrow(() -> new SkippedException("scripts/dev-postgres.sh not found"));
    Path state;
    try {
      state = pki.newFolder("postgres-state-");
    } catch (IOException e) {
      throw new SkippedException("no folder for its state: " + e.getMessage());
    }
    String jdbc;
    try {
      run(script, state, "start");
      jdbc = run(script, state, "url", "--jdbc").strip();
    } catch (IOException e) {
      stopQuietly(script, state);
      throw new SkippedException(e.getMessage());
    }
    try {
      boolean counted = loadStatementCounts(jdbc);
      Connection admin = DriverManager.getConnection(jdbc);
      if (counted) {
        try (Statement s = admin.createStatement()) {
          s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        }
      }
      return new BenchPostgres(state, script, admin, counted);
    } catch (SQLException | IOException e) {
      stopQuietly(script, state);
      throw new SkippedException("PostgreSQL started but did not answer: " + e.getMessage());
    }
  }

  /** Why PostgreSQL is not there for this run. */
  static final class SkippedException extends Exception {
    private static final long serialVersionUID = 1L;

    SkippedException(String why) {
      super(why.replaceAll("\\s+", " ").strip()); // one line: it ends up in a tab-separated row
    }
  }

  /** The script, looked for above the working folder, then above this code's jar or classes. */
  private static Optional<Path> script() {
    List<Path> starts = new ArrayList<>();
    starts.add(Path.of("").toAbsolutePath());
    CodeSource code = BenchPostgres.class.getProtectionDomain().getCodeSource();
    if (code != null) {
      try {
        starts.add(Path.of(code.getLocation().toURI()));
      } catch (URISyntaxException | IllegalArgumentException e) {
        // not a file: the working folder alone
      }
    }
    return starts.stream()
        .flatMap(s -> Stream.iterate(s, p -> p != null, Path::getParent))
        .map(d -> d.resolve("scripts").resolve("dev-postgres.sh"))
        .filter(Files::isRegularFile)
        .findFirst();
  }

  /**
   * Asks the server to load pg_stat_statements and restarts it (same port, same data) so that it
   * does; false, leaving the server as it was, when the module is not installed.
   */
  private static boolean loadStatementCounts(String jdbc)
      throws SQLException, IOException, InterruptedException {
    String bin;
    String data;
    try (Connection c = DriverManager.getConnection(jdbc);
        Statement s = c.createStatement()) {
      bin = one(s, "SELECT setting FROM pg_config WHERE name = 'BINDIR'");
      data = one(s, "SHOW data_directory");
      String share = one(s, "SELECT setting FROM pg_config WHERE name = 'SHAREDIR'");
      if (!Files.isRegularFile(Path.of(share, "extension", "pg_stat_statements.control"))) {
        return false;
      }
      s.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
    }
    List<String> argv = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      argv.addAll(List.of("runuser", "-u", "postgres", "--")); // as the script runs it
    }
    argv.addAll(List.of(bin + "/pg_ctl", "-D", data, "-m", "fast", "-w", "-t", "60", "restart"));
    Process p =
        new ProcessBuilder(argv)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("pg_ctl restart (to load pg_stat_statements) failed");
    }
    return true;
  }

  private static String one(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** A new, empty database; its URL as {@code --store} takes it. */
  String newDatabase() throws IOException, InterruptedException {
    return run(script, state, "createdb", "scale" + ++databases).strip();
  }

  /** Whether {@link #statements} counts (pg_stat_statements is loaded). */
  boolean countsStatements() {
    return statementCounts;
  }

  /**
   * Transactions committed and rolled back so far in {@code database} (pg_stat_database), as far as
   * the server has published them: a session publishes its counts at most once a second while it
   * runs, and all of them when it ends.
   */
  long transactions(String database) throws SQLException {
    return stat(
        "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = ?", database);
  }

  /**
   * {@link #transactions} once it has stopped moving (for after the database's sessions ended: each
   * publishes its last counts as it exits), waiting at most 10 s.
   */
  long settledTransactions(String database) throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    long last = transactions(database);
    while (System.nanoTime() < deadline) {
      Thread.sleep(500);
      long now = transactions(database);
      if (now == last) {
        return now;
      }
      last = now;
    }
    return last;
  }

  /**
   * Statements executed so far in {@code database} (pg_stat_statements), by kind: the statement's
   * first word and its first table ("INSERT queue", "DELETE queue_targets", "BEGIN", ...), NOTIFY
   * for the cross-node wake-up ({@code pg_notify}), LOCK for an advisory lock; empty when not
   * counted.
   */
  Map<String, Long> statements(String database) throws SQLException {
    Map<String, Long> out = new TreeMap<>();
    if (!statementCounts) {
      return out;
    }
    clearSnapshot();
    try (PreparedStatement q =
        admin.prepareStatement(
            "SELECT CASE WHEN s.query ILIKE '%pg_notify%' THEN 'NOTIFY' WHEN s.query ILIKE"
                + " '%pg_advisory%' THEN 'LOCK' ELSE rtrim(upper(split_part(btrim(s.query), ' ',"
                + " 1)) || ' ' || COALESCE(substring(s.query from"
                + " '(?i)(?:into|from|update)\\s+([a-z_]+)'), '')) END, SUM(s.calls) FROM"
                + " pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = ?"
                + " GROUP BY 1")) {
      q.setString(1, database);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.merge(rs.getString(1), rs.getLong(2), Long::sum);
        }
      }
    }
    return out;
  }

  private void clearSnapshot() throws SQLException {
    try (Statement clear = admin.createStatement()) {
      clear.execute("SELECT pg_stat_clear_snapshot()");
    }
  }

  private long stat(String sql, String database) throws SQLException {
    clearSnapshot();
    try (PreparedStatement q = admin.prepareStatement(sql)) {
      q.setString(1, database);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  private static String run(Path script, Path state, String... command)
      throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("bash", script.toString()));
    argv.addAll(List.of(command));
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(false);
    pb.environment().put("ZTCHAT_PG_STATE", state.resolve("pg").toString());
    Path err = state.resolve("dev-postgres.err");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("dev-postgres.sh " + command[0] + " did not finish in 300 s");
    }
    if (p.exitValue() != 0) {
      String why = Files.readString(err, StandardCharsets.UTF_8).strip();
      throw new IOException(
          "dev-postgres.sh " + command[0] + " failed" + (why.isEmpty() ? "" : ": " + why));
    }
    return out;
  }

  private static void stopQuietly(Path script, Path state) throws InterruptedException {
    try {
      run(script, state, "stop");
    } catch (IOException e) {
      // nothing was started, or it is gone: nothing left to stop
    }
  }

  @Override
  public void close() throws InterruptedException {
    try {
      admin.close();
    } catch (SQLException e) {
      // the server is about to stop anyway
    }
    stopQuietly(script, state);
  }
}
