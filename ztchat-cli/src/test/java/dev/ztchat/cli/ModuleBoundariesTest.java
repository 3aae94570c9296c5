package dev.ztchat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ztchat.client.ChatClient;
import dev.ztchat.core.pki.PkiAdmin;
import dev.ztchat.terminal.ChatTerminal;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * What each module exports, read from the compiled module descriptors: API packages to everyone,
 * shared implementation only to the modules that use it, and no client internals in the API.
 */
class ModuleBoundariesTest {
  /** The descriptor of the module {@code member} was compiled into. */
  static ModuleDescriptor descriptorOf(Class<?> member) throws IOException, URISyntaxException {
    Path where = Path.of(member.getProtectionDomain().getCodeSource().getLocation().toURI());
    if (Files.isDirectory(where)) {
      try (InputStream in = Files.newInputStream(where.resolve("module-info.class"))) {
        return ModuleDescriptor.read(in);
      }
    }
    try (JarFile jar = new JarFile(where.toFile());
        InputStream in = jar.getInputStream(jar.getEntry("module-info.class"))) {
      return ModuleDescriptor.read(in);
    }
  }

  /** Exported package to the modules it is exported to (empty: to everyone). */
  static Map<String, Set<String>> exports(ModuleDescriptor d) {
    Map<String, Set<String>> out = new TreeMap<>();
    d.exports().forEach(e -> out.put(e.source(), e.targets()));
    return out;
  }

  @Test
  void core_exportsItsApi_andSharesStoreAndTestkitOnlyWithTheirUsers() throws Exception {
    ModuleDescriptor core = descriptorOf(PkiAdmin.class);

    assertThat(core.name()).isEqualTo("dev.ztchat.core");
    assertThat(exports(core))
        .containsEntry("dev.ztchat.core.envelope", Set.of())
        .containsEntry("dev.ztchat.core.pki", Set.of())
        .containsEntry("dev.ztchat.core.protocol", Set.of())
        .containsEntry("dev.ztchat.core.remedy", Set.of())
        .containsEntry("dev.ztchat.core.transport", Set.of())
        .containsEntry("dev.ztchat.core.store", Set.of("dev.ztchat.client", "dev.ztchat.server"))
        .containsEntry("dev.ztchat.core.crypto", Set.of())
        .containsEntry("dev.ztchat.core.session", Set.of())
        .containsEntry("dev.ztchat.core.conversation", Set.of())
        .containsEntry(
            "dev.ztchat.core.testkit",
            Set.of(
                "dev.ztchat.server",
                "dev.ztchat.client",
                "dev.ztchat.terminal",
                "dev.ztchat.attacks",
                "dev.ztchat.bench",
                "dev.ztchat.cli"));
  }

  @Test
  void clientLibrary_needsNoTerminal_andTheTerminalModuleDoes() throws Exception {
    ModuleDescriptor client = descriptorOf(ChatClient.class);
    ModuleDescriptor terminal = descriptorOf(ChatTerminal.class);

    assertThat(client.requires())
        .extracting(ModuleDescriptor.Requires::name)
        .doesNotContain("org.jline");
    assertThat(exports(client)).containsOnlyKeys("dev.ztchat.client");
    assertThat(terminal.requires())
        .extracting(ModuleDescriptor.Requires::name)
        .contains("org.jline", "dev.ztchat.client");
  }

  @Test
  void clientInternals_areNotPublic() throws Exception {
    for (String name :
        new String[] {
          "AckLedger",
          "AtRestKey",
          "Backoff",
          "CertificateRefusedException",
          "ConnectionSupervisor",
          "ContactDirectory",
          "ContactKeysRenewedException",
          "ContactPins",
          "ConversationHistory",
          "KeyFingerprints",
          "Outbox",
          "PendingMessage",
          "SafetyNumber"
        }) {
      Class<?> c = Class.forName("dev.ztchat.client." + name);
      assertThat(Modifier.isPublic(c.getModifiers())).as(name).isFalse();
    }
  }

  @Test
  void cli_opensItsCommandsToPicocli_andExportsNothing() throws Exception {
    ModuleDescriptor cli = descriptorOf(Main.class);

    assertThat(cli.exports()).isEmpty();
    assertThat(cli.opens())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.source()).isEqualTo("dev.ztchat.cli");
              assertThat(o.targets()).containsExactly("info.picocli");
            });
  }
}
