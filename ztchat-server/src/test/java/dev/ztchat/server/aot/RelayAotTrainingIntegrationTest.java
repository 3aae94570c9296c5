package dev.ztchat.server.aot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.PkiAdmin;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay's ahead-of-time training run, as the {@code ztchat} launcher runs it for {@code server}
 * (a class path of jars only, which the JVM's cache requires): it writes a cache, and a relay JVM
 * that must use it ({@code -XX:AOTMode=on}, which fails instead of ignoring an unusable cache)
 * starts and listens. The training makes its own certificates, so it must also leave no
 * certificates or keys behind.
 */
class RelayAotTrainingIntegrationTest {
  @TempDir Path dir;

  @Test
  void trainingRun_writesACache_thatARelayJvmStartsFrom_andLeavesNoKeysBehind() throws Exception {
    String classPath = jarsOnly(dir.resolve("jars"));
    Path cache = dir.resolve("relay.aot");

    Process training =
        new ProcessBuilder(
                java(),
                "--enable-native-access=ALL-UNNAMED",
                "-Djava.io.tmpdir=" + dir,
                "-cp",
                classPath,
                RelayAotTraining.class.getName(),
                cache.toString(),
                "2")
            .redirectErrorStream(true)
            .start();
    String out = new String(training.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(training.waitFor(3, TimeUnit.MINUTES)).isTrue();
    assertThat(training.exitValue()).as(out).isZero();
    assertThat(out).contains("relay AOT cache trained on");
    assertThat(cache).isNotEmptyFile();
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .as("the training's certificates and keys (a temporary folder) are removed")
          .noneMatch(n -> n.startsWith("ztchat-relay-aot-"));
    }

    CertsLayout certs = new CertsLayout(dir.resolve("certs"));
    new PkiAdmin(certs, Clock.systemUTC(), line -> {})
        .init(PkiAdmin.InitOptions.defaults().withKeyBits(2048).withDevices(false));
    List<String> command = new ArrayList<>(List.of(java(), "-XX:AOTCache=" + cache));
    command.add("-XX:AOTMode=on");
    command.addAll(RelayJvmOptions.options());
    command.addAll(
        List.of(
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            classPath,
            TrainingRelay.class.getName(),
            certs.root().toString(),
            dir.resolve("data").toString()));
    Process relay = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(relay.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        lines.add(line);
        if (line.startsWith(TrainingRelay.PORT)) {
          break;
        }
      }
      relay.getOutputStream().close();
      in.transferTo(java.io.Writer.nullWriter());
    }
    assertThat(relay.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(lines).as(String.join("\n", lines)).anyMatch(l -> l.startsWith(TrainingRelay.PORT));
    assertThat(relay.exitValue()).as(String.join("\n", lines)).isZero();
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** This test's class path with each folder packed into a jar (the cache refuses folders). */
  private static String jarsOnly(Path into) throws IOException {
    Files.createDirectories(into);
    List<String> out = new ArrayList<>();
    int n = 0;
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      Path p = Path.of(entry);
      if (Files.isDirectory(p)) {
        Path jar = into.resolve("folder-" + n++ + ".jar");
        pack(p, jar);
        out.add(jar.toString());
      } else if (Files.isRegularFile(p)) {
        out.add(entry);
      }
    }
    return String.join(java.io.File.pathSeparator, out);
  }

  private static void pack(Path folder, Path jar) throws IOException {
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file);
        Stream<Path> walk = Files.walk(folder)) {
      for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
        out.putNextEntry(new JarEntry(folder.relativize(p).toString().replace('\\', '/')));
        Files.copy(p, out);
        out.closeEntry();
      }
    }
  }
}
