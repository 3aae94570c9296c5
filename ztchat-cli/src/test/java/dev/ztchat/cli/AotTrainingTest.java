package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's training run, as the launcher starts it after a build: if it failed, every command
 * would still work but start slowly, and nothing else would notice.
 */
class AotTrainingTest {
  @TempDir Path dir;

  @Test
  void trainingRun_sendsAndReceivesThroughItsOwnRelay_andPlacesSqlitesLibrary() throws Exception {
    Path nativeDir = dir.resolve("native");
    Process training =
        new ProcessBuilder(
                ThisClasspathJava.command(
                    List.of("-Djava.io.tmpdir=" + dir),
                    AotTraining.class,
                    List.of(nativeDir.toString())))
            .redirectErrorStream(true)
            .start();
    byte[] output = training.getInputStream().readAllBytes();
    assertThat(training.waitFor(5, TimeUnit.MINUTES)).isTrue();

    assertThat(training.exitValue()).as(new String(output, StandardCharsets.UTF_8)).isZero();
    assertThat(nativeDir.resolve(System.mapLibraryName("sqlitejdbc"))).isNotEmptyFile();
    try (var left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .as("the training's folder is removed")
          .noneMatch(n -> n.startsWith("ztchat-aot-training"));
    }
  }
}
