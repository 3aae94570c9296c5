package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.core.testing.HostProgram;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped systemd unit as systemd's own tools read it: valid, rated "OK" by {@code
 * systemd-analyze security}, and running as a user the shipped sysusers file creates. Skipped,
 * saying so, where systemd's tools are missing; they cannot start the relay here (no systemd as
 * process 1), so the relay under systemd is not run.
 */
class ServiceUnitTest {
  private static final Path UNIT = Path.of("..", "deploy", "ztchat-relay.service");
  private static final Path SYSUSERS = Path.of("..", "deploy", "ztchat-relay.sysusers");

  @TempDir Path dir;

  record Result(int exit, String output) {}

  static Result run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finishes", command[0]).isTrue();
    return new Result(p.exitValue(), out);
  }

  static String setting(String unit, String key) {
    Matcher m = Pattern.compile("(?m)^" + key + "=(.*)$").matcher(unit);
    assertThat(m.find()).as("the unit sets %s=", key).isTrue();
    return m.group(1).strip();
  }

  @Test
  void unit_isValid_andItsHardeningIsRatedOk() throws Exception {
    HostProgram.require("systemd-analyze", "systemd");
    // verify wants the programs the unit starts: the launcher is not installed in /opt here
    Path launcher = Files.writeString(dir.resolve("ztchat"), "#!/bin/sh\n");
    assertThat(launcher.toFile().setExecutable(true)).isTrue();
    Path unit =
        Files.writeString(
            dir.resolve("ztchat-relay.service"),
            Files.readString(UNIT).replace("/opt/ztchat/ztchat", launcher.toString()));

    Result verify = run("systemd-analyze", "verify", unit.toString());
    Result security =
        run(
            "systemd-analyze",
            "security",
            "--offline=true",
            "--threshold=20", // exposure 2.0 of 10, "OK"
            unit.toString());

    assertThat(verify.exit()).as(verify.output()).isZero();
    assertThat(verify.output()).isBlank();
    assertThat(security.exit()).as(security.output()).isZero();
    assertThat(security.output()).contains("Overall exposure level").contains(" OK");
  }

  @Test
  void unit_runsAsTheUserTheShippedSysusersFileCreates_withItsStoreOnly() throws Exception {
    String unit = Files.readString(UNIT);
    String user = setting(unit, "User");

    assertThat(setting(unit, "Group")).isEqualTo(user);
    assertThat(unit)
        .as("a dynamic user could not read /etc/ztchat, which only root and the group may")
        .doesNotContainPattern("(?m)^DynamicUser=yes");
    assertThat(setting(unit, "ReadWritePaths"))
        .isEqualTo("/var/lib/" + setting(unit, "StateDirectory"));
    assertThat(Files.readString(SYSUSERS)).containsPattern("(?m)^u " + user + " ");

    HostProgram.require("systemd-sysusers", "systemd");
    Path root = dir.resolve("root");
    Path conf = root.resolve("etc/sysusers.d/" + user + ".conf");
    Files.createDirectories(conf.getParent());
    Files.copy(SYSUSERS, conf);
    Result sysusers = run("systemd-sysusers", "--dry-run", "--root=" + root);

    assertThat(sysusers.exit()).as(sysusers.output()).isZero();
    assertThat(sysusers.output())
        .contains("Creating group '" + user + "'")
        .contains("Creating user '" + user + "'");
  }
}
