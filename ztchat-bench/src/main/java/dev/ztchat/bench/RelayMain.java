package dev.ztchat.bench;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.server.RelayServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The relay as a process of its own, for the capacity bench (which reads its resident memory):
 * started with the bench configuration (certs folder and data folder as arguments, and optionally a
 * third: the {@code --store} URL, for the scale-out bench's nodes) on a free loopback port, prints
 * {@code PORT n}, answers each {@code stats} line on stdin with {@code HEAP bytes} (heap in use
 * after a full GC), one {@code NMT bytes category} line per Native Memory Tracking category (when
 * the JVM tracks), then {@code END}, and each {@code store} line with {@code STORE transactions
 * delivered} (its own counters: store transactions committed, envelopes acknowledged by their
 * recipient, since it started); it stops when stdin closes, so it never outlives the bench, and
 * then ends the JVM normally (a JVM writing an ahead-of-time cache writes it then; see {@link
 * RelayProcess}).
 */
public final class RelayMain {
  private RelayMain() {}

  public static void main(String[] args) throws Exception {
    var config = InProcessRelay.config(new CertsLayout(Path.of(args[0])), Path.of(args[1]));
    if (args.length > 2) {
      config = config.withQueue(config.queue().withStore(args[2]));
    }
    try (RelayServer relay = RelayServer.start(config)) {
      System.out.println("PORT " + relay.port());
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        if (line.equals("stats")) {
          System.gc();
          System.gc();
          Runtime rt = Runtime.getRuntime();
          System.out.println("HEAP " + (rt.totalMemory() - rt.freeMemory()));
          for (Map.Entry<String, Long> e : NativeMemory.summary().entrySet()) {
            System.out.println("NMT " + e.getValue() + " " + e.getKey());
          }
          System.out.println("END");
          System.out.flush();
        } else if (line.equals("store")) {
          System.out.println("STORE " + StoreCounters.of(relay.meters()));
          System.out.flush();
        }
      }
    }
    System.exit(0); // the relay's threads are stopped; nothing else may hold the JVM
  }
}
