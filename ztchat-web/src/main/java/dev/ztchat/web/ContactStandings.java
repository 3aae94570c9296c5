package dev.ztchat.web;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.ContactDevice;
import dev.ztchat.client.ContactDeviceStanding;
import dev.ztchat.client.KeyChangedException;
import dev.ztchat.client.PinnedKeys;
import dev.ztchat.client.UntrustedContactException;
import dev.ztchat.client.VerifiedContact;
import dev.ztchat.core.pki.KeyFingerprint;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the page marks a contact with, and the contact panel: verified (or pinned on first use),
 * keys changed or a new device (with both fingerprints, waiting for the user's accept), revoked or
 * renewed by the CA; offline, the keys pinned on this device; the contact's devices this device
 * knows, each with its name (from its certificate), its fingerprint, and whether it is accepted,
 * new (waiting for the user's accept), held, or revoked by the CA. Not thread-safe: used by {@link
 * WebChat}'s one thread.
 */
final class ContactStandings {
  /** The marks the page knows. */
  enum Mark {
    REVOKED("revoked"),
    RENEWED("renewed"),
    CHANGED("changed"),
    NEW_DEVICE("device");

    final String code;

    Mark(String code) {
      this.code = code;
    }
  }

  private final Map<String, Mark> marks = new HashMap<>();
  private final Map<String, KeyChangedException> changes = new HashMap<>();

  void mark(String peer, Mark mark) {
    marks.put(peer, mark);
  }

  void unmark(String peer) {
    marks.remove(peer);
  }

  /** The mark's code for the page, or "" for none. */
  String markOf(String peer) {
    Mark m = marks.get(peer);
    return m == null ? "" : m.code;
  }

  boolean isMarked(String peer, Mark mark) {
    return marks.get(peer) == mark;
  }

  /** Messages to {@code change.contact()} wait for the user to accept their new keys. */
  void keysChanged(KeyChangedException change) {
    changes.put(change.contact(), change);
    marks.put(change.contact(), markFor(change));
  }

  private static Mark markFor(KeyChangedException change) {
    return change.newDevice() == null ? Mark.CHANGED : Mark.NEW_DEVICE;
  }

  /** Messages wait for the accept only when keys changed: a held new device just gets nothing. */
  boolean waitsForAccept(String peer) {
    KeyChangedException change = changes.get(peer);
    return change != null && change.newDevice() == null;
  }

  /** The key change waiting for {@code peer}, now taken to be accepted; null if none. */
  KeyChangedException takeChange(String peer) {
    return changes.remove(peer);
  }

  /**
   * A message text that says a certificate was revoked by the CA. The client reports a revoked
   * contact only in words (an {@link UntrustedContactException} without a type of its own), and
   * this is the one place that reads them.
   */
  static boolean saysRevoked(String reason) {
    return reason != null && reason.contains("was revoked by the CA");
  }

  /** The contact panel of {@code peer}, asking the relay when connected. */
  String event(ChatClient client, String peer) {
    String status;
    String detail = "";
    String safety = "";
    String signing = "";
    String encryption = "";
    String pinned = "";
    String changedTo = "";
    Optional<PinnedKeys> pin;
    try {
      pin = client.pinnedKeys(peer);
    } catch (IOException e) {
      pin = Optional.empty();
    }
    KeyChangedException change = changes.get(peer);
    if (client.isConnected()) {
      try {
        VerifiedContact c = client.checkContact(peer);
        status = "verified";
        signing = KeyFingerprint.of(c.signing());
        encryption = KeyFingerprint.of(c.encryption());
        safety = client.safetyNumber(peer);
        marks.remove(peer);
      } catch (KeyChangedException e) {
        changes.put(peer, e);
        change = e;
        status = "changed";
      } catch (UntrustedContactException e) {
        status = "untrusted";
        detail = e.getMessage();
        if (marks.get(peer) == Mark.RENEWED) { // told by onContactKeysRenewed
          status = Mark.RENEWED.code;
        } else if (saysRevoked(e.getMessage())) {
          status = Mark.REVOKED.code;
          marks.put(peer, Mark.REVOKED);
        }
      } catch (IOException e) {
        status = pin.isPresent() ? "pinned" : "unknown";
        detail = "Could not reach the server: " + e.getMessage();
      }
    } else {
      status = pin.isPresent() ? "pinned" : "unknown";
      detail = "Offline: these are the keys pinned on this device; the server may hold newer ones.";
    }
    if (change != null) {
      status = "changed";
      pinned = change.pinnedFingerprint();
      changedTo = change.newFingerprint();
      marks.put(peer, markFor(change));
    }
    List<ContactDeviceStanding> devices;
    try {
      devices = client.deviceStandingsOf(peer);
    } catch (IOException e) {
      devices = List.of();
    }
    if (safety.isEmpty() && pin.isPresent() && !status.equals("changed")) {
      safety = pin.get().safetyNumber();
      signing = pin.get().signingFingerprint();
      encryption = pin.get().encryptionFingerprint();
    }
    String st = status;
    String dt = detail;
    String sn = safety;
    String sg = signing;
    String en = encryption;
    String pn = pinned;
    String ch = changedTo;
    String kind = change == null ? "" : change.newDevice() == null ? "keys" : "device";
    String deviceName =
        change == null || change.newDeviceName() == null ? "" : change.newDeviceName();
    String newDevice = change == null || change.newDevice() == null ? "" : change.newDevice();
    List<ContactDeviceStanding> known = devices;
    return PageEvents.event(
        "contact",
        g -> {
          g.writeStringField("peer", peer);
          g.writeStringField("status", st);
          g.writeStringField("detail", dt);
          g.writeStringField("safetyNumber", sn);
          g.writeStringField("signing", sg);
          g.writeStringField("encryption", en);
          g.writeStringField("pinned", pn);
          g.writeStringField("new", ch);
          g.writeStringField("kind", kind);
          g.writeStringField("deviceName", deviceName);
          g.writeArrayFieldStart("devices");
          for (ContactDeviceStanding s : known) {
            ContactDevice d = s.device();
            boolean isNew = d.id().equals(newDevice);
            g.writeStartObject();
            g.writeStringField("fingerprint", d.fingerprint());
            g.writeStringField("name", s.name().isEmpty() && isNew ? deviceName : s.name());
            g.writeStringField(
                "state",
                s.revoked() ? "revoked" : d.accepted() ? "accepted" : isNew ? "new" : "held");
            g.writeEndObject();
          }
          g.writeEndArray();
        });
  }
}
