package dev.ztchat.server.ops;

import static java.util.Objects.requireNonNull;

import dev.ztchat.server.RelayServer;
import dev.ztchat.server.store.QueueLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether the relay can do its job now, for {@code /readyz}: the store answers (SQLite: and its
 * folder takes a write; PostgreSQL: and the node's probe has not lost the database, which has the
 * node refuse every client until it answers), the revocation list in use is within its next-update,
 * the server and CA certificates are within their validity, and the SQLite store's disk has room.
 * Each check says what it found, so that the answer tells the operator what to fix. Runs blocking
 * I/O: call it off any event loop.
 */
public final class ReadinessCheck {
  /** Free space below which the relay reports itself unready by default. */
  public static final long DEFAULT_MIN_FREE_BYTES = 100L * 1024 * 1024;

  /** One check's result; {@code detail} says what was found. */
  public record Result(String check, boolean ok, String detail) {
    @Override
    public String toString() {
      return (ok ? "ok   " : "FAIL ") + check + ": " + detail;
    }
  }

  private final RelayServer server;
  private final long minFreeBytes;

  public ReadinessCheck(RelayServer server, long minFreeBytes) {
    this.server = requireNonNull(server, "server");
    this.minFreeBytes = minFreeBytes;
  }

  /** Runs every check. */
  public List<Result> run() {
    List<Result> out = new ArrayList<>();
    Instant now = server.clock().instant();
    out.add(store());
    out.add(crl(now));
    out.add(certificate("server certificate", server.serverCertificate(), now));
    out.add(certificate("CA certificate", server.caCertificate(), now));
    out.add(disk());
    return out;
  }

  /** How long the store may take to give its totals before it is called not answering. */
  private static final int STORE_ANSWER_SECONDS = 5;

  private Result store() {
    var lost = server.storeUnreachable();
    if (lost.isPresent() && !lost.get().shard().isEmpty()) {
      return new Result(
          "store",
          false,
          "the relay cannot reach one of its databases, "
              + lost.get().shard()
              + ", since "
              + lost.get().since()
              + " ("
              + lost.get().reason()
              + "): the recipients whose queues it holds are refused until it answers, everyone"
              + " else is served; check that database and the network to it");
    }
    if (lost.isPresent()) {
      return new Result(
          "store",
          false,
          "the relay cannot reach its database since "
              + lost.get().since()
              + " ("
              + lost.get().reason()
              + "), and refuses clients until it answers: check the database and the network to"
              + " it");
    }
    QueueLimits queue = server.config().queue();
    Path data = queue.dataDir();
    boolean local = queue.postgres().isEmpty();
    try {
      if (local) {
        Path probe = Files.createTempFile(data, ".readyz", ".tmp");
        Files.delete(probe);
      }
      server.queueTotals().get(STORE_ANSWER_SECONDS, TimeUnit.SECONDS);
      return new Result(
          "store",
          true,
          local ? data + " writable, store answering" : queue.storeDescription() + " answering");
    } catch (IOException e) {
      return new Result("store", false, "cannot write in " + data + ": " + e.getMessage());
    } catch (TimeoutException e) {
      return new Result(
          "store", false, "the store did not answer within " + STORE_ANSWER_SECONDS + " s");
    } catch (ExecutionException e) {
      return new Result("store", false, "the store does not answer: " + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result("store", false, "interrupted");
    }
  }

  private Result crl(Instant now) {
    X509CRL crl = server.currentRevocationList();
    if (crl == null) {
      return new Result("crl", false, "no revocation list loaded (ca.crl in the certs folder)");
    }
    Instant next = crl.getNextUpdate().toInstant();
    if (!now.isBefore(next)) {
      return new Result(
          "crl",
          false,
          "stale since " + next + ": publish a new one (./ztchat pki crl) and reload the relay");
    }
    return new Result("crl", true, "fresh until " + next);
  }

  private static Result certificate(String what, X509Certificate cert, Instant now) {
    Instant notAfter = cert.getNotAfter().toInstant();
    Instant notBefore = cert.getNotBefore().toInstant();
    if (now.isBefore(notBefore)) {
      return new Result(what, false, "not valid before " + notBefore);
    }
    if (!now.isBefore(notAfter)) {
      return new Result(what, false, "expired on " + notAfter);
    }
    return new Result(
        what,
        true,
        "valid until " + notAfter + " (" + Duration.between(now, notAfter).toDays() + " days)");
  }

  private Result disk() {
    QueueLimits queue = server.config().queue();
    Path data = queue.dataDir();
    if (queue.postgres().isPresent()) {
      // with --store the relay keeps nothing in its data folder, which need not even exist
      return new Result("disk", true, "the store is in PostgreSQL: watch the database's disk");
    }
    try {
      long free = Files.getFileStore(data).getUsableSpace();
      boolean ok = free >= minFreeBytes;
      return new Result(
          "disk",
          ok,
          (free / (1024 * 1024))
              + " MiB free for "
              + data
              + (ok ? "" : ", under " + (minFreeBytes / (1024 * 1024)) + " MiB: free some space"));
    } catch (IOException e) {
      return new Result("disk", false, "cannot read the free space of " + data);
    }
  }

  /** True when every result is ok. */
  public static boolean ready(List<Result> results) {
    return results.stream().allMatch(Result::ok);
  }
}
