package dev.ztchat.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {
  @Test
  void kind_namesTheJvmsAndNettysThreads_asProcShowsThem() {
    // /proc's comm holds the first 15 bytes of a thread's name
    assertThat(ThreadCpu.kind("multiThreadIoEv")).isEqualTo("event loops");
    assertThat(ThreadCpu.kind("C1 CompilerThre")).isEqualTo("C1");
    assertThat(ThreadCpu.kind("C2 CompilerThre")).isEqualTo("C2");
    assertThat(ThreadCpu.kind("GC Thread#0")).isEqualTo("GC");
    assertThat(ThreadCpu.kind("G1 Conc#0")).isEqualTo("GC");
    assertThat(ThreadCpu.kind("main")).isEqualTo("other");
  }

  @Test
  void read_ownProcess_countsItsCpu_andPerHandshakeNeedsHandshakes() {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux /proc");
    long pid = ProcessHandle.current().pid();
    ThreadCpu before = ThreadCpu.read(pid).orElseThrow();
    long spin = 0;
    long end = System.nanoTime() + 200_000_000L;
    while (System.nanoTime() < end) {
      spin += Long.numberOfTrailingZeros(spin + System.nanoTime());
    }
    ThreadCpu after = ThreadCpu.read(pid).orElseThrow();

    assertThat(after.totalMillis()).as("spun %d", spin).isGreaterThan(before.totalMillis());
    // a kind can fall when its threads ended in between (this JVM's earlier tests' event loops):
    // their time moves to "other", with the process's total
    assertThat(after.since(before, 1))
        .matches("\\d+ ms \\(event loops -?\\d+, C1 -?\\d+, C2 -?\\d+, GC -?\\d+, other -?\\d+\\)");
    assertThat(after.since(before, 0)).isEqualTo("n/a");
  }

  @Test
  void read_processThatDoesNotExist_isEmpty() {
    assertThat(ThreadCpu.read(Long.MAX_VALUE)).isEmpty();
  }
}
