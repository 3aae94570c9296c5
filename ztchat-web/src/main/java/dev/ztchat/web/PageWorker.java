package dev.ztchat.web;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that every change for the pages runs on: the client's callbacks and the pages'
 * commands are handed to it, so the window's state needs no locks and the pages see changes in the
 * order they happened. A task that fails is logged by its kind only (never a text) and the next one
 * still runs; once closed, tasks are dropped.
 */
final class PageWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PageWorker.class);

  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "ztchat-web");
            t.setDaemon(true);
            return t;
          });

  /** Runs {@code task} on the worker thread, after the tasks handed over before it. */
  void run(Runnable task) {
    try {
      worker.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              LOG.warn("the page could not be updated: {}", e.getClass().getSimpleName());
            }
          });
    } catch (RejectedExecutionException e) {
      // closing: nothing more to show
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
