package dev.ztchat.bench;

import java.util.List;

/**
 * One of the five benchmarks: runs our side and, when it can, the peer's, and returns the figures.
 */
public interface Benchmark {
  /** Its name on the command line. */
  String name();

  /** One line for the help text. */
  String description();

  /** Runs it; the figures say ours, the peer's, the ratio and the target. */
  List<Figure> run(BenchOptions options, BenchPki pki) throws Exception;
}
