package dev.ztchat.bench;

import java.util.List;
import java.util.Optional;

/**
 * The benchmarks, in the order {@code all} runs them (the capacity bench issues 10,000 users, so it
 * runs last).
 */
public final class Benchmarks {
  private static final List<Benchmark> ALL =
      List.of(
          new CryptoBench(),
          new RelayBench(),
          new StoreBench(),
          new FanoutBench(),
          new HandshakeBench(),
          new ScaleOutBench(),
          new CapacityBench());

  private Benchmarks() {}

  public static List<Benchmark> all() {
    return ALL;
  }

  public static List<String> names() {
    return ALL.stream().map(Benchmark::name).toList();
  }

  public static Optional<Benchmark> byName(String name) {
    return ALL.stream().filter(b -> b.name().equals(name)).findFirst();
  }
}
