package dev.ztchat.server.ops;

import java.lang.reflect.Proxy;

/**
 * Installs a handler for a POSIX signal through the JDK's signal API, which is JDK-internal ({@code
 * sun.misc.Signal}), hence the reflection. Replaces the JVM's own handling of that signal.
 */
final class Signals {
  private Signals() {}

  /**
   * Runs {@code action} on each {@code name} signal ("HUP", "TERM", "INT"); returns false, and
   * installs nothing, when this process ignores that signal: a process started under {@code nohup}
   * ignores SIGHUP, and one started in the background by a script ignores SIGINT. The JVM then
   * leaves the signal ignored whatever handler is asked for, so the handler would never run.
   */
  static boolean handle(String name, Runnable action) throws ReflectiveOperationException {
    Class<?> signal = Class.forName("sun.misc.Signal");
    Class<?> handler = Class.forName("sun.misc.SignalHandler");
    Object sig = signal.getConstructor(String.class).newInstance(name);
    Object onSignal =
        Proxy.newProxyInstance(
            handler.getClassLoader(),
            new Class<?>[] {handler},
            (proxy, method, args) -> {
              if (method.getName().equals("handle")) {
                action.run();
              }
              return null;
            });
    Object before = signal.getMethod("handle", signal, handler).invoke(null, sig, onSignal);
    return !java.util.Objects.equals(before, handler.getField("SIG_IGN").get(null));
  }
}
