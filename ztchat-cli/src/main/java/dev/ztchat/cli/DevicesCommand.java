package dev.ztchat.cli;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ContactDeviceStanding;
import dev.ztchat.core.crypto.BoringSslProvider;
import dev.ztchat.core.pki.DeviceName;
import dev.ztchat.terminal.TerminalText;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code ztchat devices}: this device's fingerprint and a contact's devices, and accepting a
 * contact's new device from the command line (docs/v2/devices.md section 6.3), as {@code /devices}
 * and {@code /accept} do in {@code ztchat client}.
 */
@Command(
    name = "devices",
    mixinStandardHelpOptions = true,
    description = {
      "Without NAME: this device's fingerprint (a contact told of it as your new device compares"
          + " it with you) and your other devices known here.",
      "With NAME: NAME's devices known on this device, each with its name, fingerprint and"
          + " whether it gets what you send or is held until you accept it. A contact's new"
          + " device is learnt, and told on stderr, when you send to them.",
      "devices accept NAME [DEVICE]: accept NAME's held device after comparing its fingerprint"
          + " with NAME; what you sent them while it was held goes to it."
    },
    subcommands = DevicesCommand.Accept.class,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:listed",
      "1:error",
      "2:bad usage (a name that is not valid)",
      "7:this identity is already in use by another ztchat process (client, send or recv)",
    })
final class DevicesCommand implements Callable<Integer> {
  @Mixin ClientOptions options;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "NAME",
      description = "The contact whose devices to list; none: this device.")
  String name;

  @Override
  public Integer call() throws IOException {
    if (name != null) {
      GroupCommand.validUser(name, "NAME");
    }
    System.setProperty(BoringSslProvider.SWITCH, "off");
    String me = options.resolveIdentity(null);
    try (ClientLogging logging =
            ClientLogging.routeTo(
                line -> System.err.println(TerminalText.notice("devices: " + line)));
        ChatClient client = ChatClient.connect(options.config(me), new OneShotNotices("devices"))) {
      if (name == null || name.equals(client.me())) {
        mine(client);
      } else {
        contact(name, client.deviceStandingsOf(name));
      }
      return 0;
    }
  }

  private static void mine(ChatClient client) throws IOException {
    Optional<ContactDeviceStanding> self = client.thisDevice();
    if (self.isEmpty()) {
      System.out.println("this device has no device certificate (version 1 only)");
      return;
    }
    System.out.println(
        TerminalText.oneLine(
            "this device: " + self.get().name() + "  " + self.get().device().fingerprint()));
    for (ContactDeviceStanding s : client.deviceStandingsOf(client.me())) {
      if (!s.device().id().equals(self.get().device().id())) {
        System.out.println(TerminalText.oneLine(line(s, client.me())));
      }
    }
  }

  private static void contact(String name, List<ContactDeviceStanding> devices) {
    if (devices.isEmpty()) {
      System.out.println(
          "no device of "
              + name
              + " is known on this device yet: they are learnt when you first send to "
              + name);
      return;
    }
    for (ContactDeviceStanding s : devices) {
      System.out.println(TerminalText.oneLine(line(s, name)));
    }
  }

  /** One device: its name, fingerprint and standing. */
  static String line(ContactDeviceStanding s, String person) {
    String state;
    if (s.revoked()) {
      state = "revoked by the CA: nothing is sealed to it";
    } else if (s.device().accepted()) {
      state = "gets what you send";
    } else {
      state = "held: gets nothing until you accept it (./ztchat devices accept " + person + ")";
    }
    // A held device has no session yet, so no certificate here to read its name from.
    String shown = s.name().isEmpty() ? "(new device)" : s.name();
    return shown + "  " + s.device().fingerprint() + "  " + state;
  }

  /** The first hex digits of a fingerprint, spaces allowed, as DEVICE may give them. */
  private static final java.util.regex.Pattern FINGERPRINT_START =
      java.util.regex.Pattern.compile("(?:[0-9a-fA-F] ?){8,64}");

  private static String compact(String fingerprint) {
    return fingerprint.replace(" ", "").toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether DEVICE {@code device} names {@code s}: its name, or the start of its fingerprint. */
  static boolean named(ContactDeviceStanding s, String device) {
    if (s.name().equals(device)) {
      return true;
    }
    return FINGERPRINT_START.matcher(device).matches()
        && compact(s.device().fingerprint()).startsWith(compact(device));
  }

  /** {@code ztchat devices accept NAME [DEVICE]}: the one-shot {@code /accept} of a new device. */
  @Command(
      name = "accept",
      mixinStandardHelpOptions = true,
      description =
          "Accept NAME's held device (told as a NEW DEVICE by send, recv or group) once its"
              + " fingerprint matches the one NAME's device shows: it gets what you send from"
              + " now, and what you sent NAME while it was held.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:accepted",
        "1:error",
        "2:bad usage: a name that is not valid, or NAME has several held devices and DEVICE"
            + " does not say which",
        "4:nothing to accept: no device of NAME (named DEVICE) is held",
        "7:this identity is already in use by another ztchat process (client, send or recv)",
      })
  static final class Accept implements Callable<Integer> {
    @Mixin ClientOptions options;

    @Parameters(index = "0", paramLabel = "NAME", description = "The contact.")
    String name;

    @Parameters(
        index = "1",
        arity = "0..1",
        paramLabel = "DEVICE",
        description =
            "Which held device, when NAME has several: the start of its fingerprint as the"
                + " warning and devices NAME show it (8 or more hex digits, e.g. f44c1bb6). A held"
                + " device is not listed by name here: its certificate is read when it is"
                + " accepted.")
    String device;

    @Override
    public Integer call() throws IOException {
      GroupCommand.validUser(name, "NAME");
      if (device != null
          && !DeviceName.isValid(device)
          && !FINGERPRINT_START.matcher(device).matches()) {
        throw new UserError(
            "DEVICE '"
                + device
                + "' is neither a device name nor the start of a fingerprint (8 or more hex"
                + " digits)",
            2);
      }
      System.setProperty(BoringSslProvider.SWITCH, "off");
      String me = options.resolveIdentity(null);
      try (ClientLogging logging =
              ClientLogging.routeTo(
                  line -> System.err.println(TerminalText.notice("devices: " + line)));
          ChatClient client =
              ChatClient.connect(options.config(me), new OneShotNotices("devices"))) {
        List<ContactDeviceStanding> held =
            client.deviceStandingsOf(name).stream()
                .filter(s -> !s.revoked() && !s.device().accepted())
                .filter(s -> device == null || named(s, device))
                .toList();
        if (held.isEmpty()) {
          System.err.println(
              TerminalText.notice(
                  "devices: no device of "
                      + name
                      + (device == null ? "" : " named or fingerprinted '" + device + "'")
                      + " waits to be accepted; ./ztchat devices "
                      + name
                      + " lists the devices known here"));
          return 4;
        }
        if (held.size() > 1) {
          System.err.println(
              TerminalText.notice(
                  "devices: "
                      + name
                      + " has several held devices; say which, e.g. ./ztchat devices accept "
                      + name
                      + " "
                      + compact(held.get(0).device().fingerprint()).substring(0, 12)));
          held.forEach(s -> System.err.println(TerminalText.notice("  " + line(s, name))));
          return 2;
        }
        ContactDeviceStanding s = held.get(0);
        if (!client.acceptDevice(name, s.device().id())) {
          System.err.println(
              TerminalText.notice("devices: that device of " + name + " was accepted already"));
          return 4;
        }
        System.out.println(
            TerminalText.oneLine(
                "accepted "
                    + name
                    + "'s device "
                    + (s.name().isEmpty() ? "" : s.name() + " ")
                    + "("
                    + s.device().fingerprint()
                    + "): it gets what you send from now, and what you sent "
                    + name
                    + " while it was held"));
        return 0;
      }
    }
  }
}
