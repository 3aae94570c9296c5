package dev.ztchat.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NativeMemoryTest {
  private static final String SUMMARY =
      """
      Native Memory Tracking:

      (Omitting categories weighting less than 1KB)

      Total: reserved=1496450KB, committed=128081KB
             malloc: 6333KB #4702, peak=6257KB #4708
             mmap:   reserved=1490116KB, committed=121748KB

      -                 Java Heap (reserved=65536KB, committed=65536KB)
                                  (mmap: reserved=65536KB, committed=65536KB, at peak)

      -                    Thread (reserved=12339KB, committed=575KB)
                                  (threads #11)

      -                     Other (reserved=2048KB, committed=2048KB)
                                  (malloc=2048KB #3)
      """;

  @Test
  void parse_summary_readsTheCommittedBytesOfEachCategory() {
    Map<String, Long> m = NativeMemory.parse(SUMMARY);

    assertThat(m)
        .containsEntry(NativeMemory.TOTAL, 128081L * 1024)
        .containsEntry(NativeMemory.HEAP, 65536L * 1024)
        .containsEntry("Thread", 575L * 1024)
        .containsEntry("Other", 2048L * 1024)
        .hasSize(4);
  }

  @Test
  void outsideHeap_isTheTotalLessTheJavaHeap() {
    assertThat(NativeMemory.outsideHeap(NativeMemory.parse(SUMMARY)))
        .isEqualTo((128081L - 65536L) * 1024);
  }

  @Test
  void parse_textWithoutTracking_isEmpty() {
    assertThat(NativeMemory.parse("Native memory tracking is not enabled")).isEmpty();
    assertThat(NativeMemory.outsideHeap(Map.of())).isZero();
  }

  @Test
  void summary_ofThisJvm_withoutTrackingOn_isEmptyNotAnError() {
    // the test JVM runs without -XX:NativeMemoryTracking
    assertThat(NativeMemory.summary()).doesNotContainKey(NativeMemory.HEAP);
  }
}
