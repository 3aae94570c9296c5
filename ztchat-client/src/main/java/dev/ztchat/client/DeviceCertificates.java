package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.conversation.StoredSession;
import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.CrlRejectedException;
import dev.ztchat.core.pki.RevocationList;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The standing of a contact's devices as their certificates tell it, for a front end to show: each
 * device's name and whether the CA revoked it, read from the certificate its session was set up
 * with (verified then, docs/v2/session-setup.md section 4) and the CA's current revocation list.
 * Only the certificates are read from the sessions; their key material is never used here.
 */
final class DeviceCertificates {
  private final SqliteSessionStore sessions;
  private final ContactDirectory contacts;

  DeviceCertificates(SqliteSessionStore sessions, ContactDirectory contacts) {
    this.sessions = requireNonNull(sessions, "sessions");
    this.contacts = requireNonNull(contacts, "contacts");
  }

  /**
   * {@code devices} of {@code person}, in their order, each with its name and revocation; a device
   * without a session has no name yet, and none is revoked while the revocation list cannot be had.
   */
  List<ContactDeviceStanding> standings(String person, List<ContactDevice> devices) {
    Map<String, X509Certificate> certificates = new HashMap<>();
    List<StoredSession> stored;
    try {
      stored = sessions.sessions(person);
    } catch (IOException e) {
      stored = List.of(); // a damaged session costs the names, not the list of devices
    }
    for (StoredSession s : stored) {
      X509Certificate c = parse(s.peerCertificate());
      if (c != null) {
        certificates.putIfAbsent(HexFormat.of().formatHex(s.peerDevice()), c);
      }
    }
    RevocationList crl;
    try {
      crl = certificates.isEmpty() ? null : contacts.revocations();
    } catch (CrlRejectedException e) {
      crl = null; // offline or not verifiable: revocation unknown here, checked before sending
    }
    List<ContactDeviceStanding> out = new ArrayList<>();
    for (ContactDevice d : devices) {
      X509Certificate c = certificates.get(d.id());
      out.add(
          new ContactDeviceStanding(
              d,
              c == null ? "" : Certificates.deviceName(c),
              c != null && crl != null && crl.isRevoked(c)));
    }
    return out;
  }

  private static X509Certificate parse(byte[] der) {
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException | ClassCastException e) {
      return null; // verified when stored; unreadable now means no name to show
    }
  }
}
