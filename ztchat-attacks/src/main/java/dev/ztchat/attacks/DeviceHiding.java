package dev.ztchat.attacks;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.protocol.Frame;
import java.util.ArrayList;
import java.util.List;

/**
 * How a hostile relay hides one device of a person from one viewer (docs/v2/devices.md section
 * 6.4): the viewer's bundle requests for the person are asked for the shown device and the hidden
 * one is taken off the device list of every answer; a direct request for the hidden device is
 * answered {@code no_prekeys}; and the viewer's {@code send}s that name the person get the hidden
 * device added to their {@code devices}, so the real relay's stale check, which would tell the
 * viewer of it, passes. The device list is outside the signed envelope, so the viewer cannot see
 * the rewrite; only what the hidden device itself writes can give it away.
 *
 * @param person whose device is hidden
 * @param hidden the hidden device (hex)
 * @param shown a device of the person the viewer's first bundle is asked for (hex)
 * @param viewer the user the device is hidden from
 */
record DeviceHiding(String person, String hidden, String shown, String viewer) {
  DeviceHiding {
    requireNonNull(person, "person");
    requireNonNull(hidden, "hidden");
    requireNonNull(shown, "shown");
    requireNonNull(viewer, "viewer");
  }

  private String entry() {
    return person + ":" + hidden;
  }

  /**
   * What a bundle request of {@code from} becomes: null to answer it {@code no_prekeys} here, else
   * the request to pass on.
   */
  Frame.BundleRequest request(String from, Frame.BundleRequest b) {
    if (!from.equals(viewer) || !b.user().equals(person)) {
      return b;
    }
    if (hidden.equals(b.device())) {
      return null;
    }
    return b.device() == null ? new Frame.BundleRequest(b.ref(), person, shown) : b;
  }

  /** A bundle answer to {@code to}, without the hidden device in its list. */
  Frame.PrekeyBundle bundle(String to, Frame.PrekeyBundle answer) {
    if (!to.equals(viewer) || !answer.user().equals(person)) {
      return answer;
    }
    List<String> devices = new ArrayList<>();
    if (answer.devices() != null) {
      answer.devices().stream().filter(d -> !d.equals(hidden)).forEach(devices::add);
    }
    if (devices.isEmpty()) {
      devices.add(answer.device());
    }
    return new Frame.PrekeyBundle(
        answer.ref(),
        answer.user(),
        answer.device(),
        answer.certificate(),
        answer.signedPrekey(),
        answer.kemPrekey(),
        answer.lastResort(),
        devices);
  }

  /** A {@code send} of {@code from}, naming the hidden device too when it names the person. */
  Frame.Send send(String from, Frame.Send s) {
    if (!from.equals(viewer)
        || s.devices() == null
        || s.devices().contains(entry())
        || s.devices().stream().noneMatch(d -> d.startsWith(person + ":"))) {
      return s;
    }
    List<String> devices = new ArrayList<>(s.devices());
    devices.add(entry());
    return new Frame.Send(s.ref(), s.envelope(), s.binary(), devices);
  }
}
