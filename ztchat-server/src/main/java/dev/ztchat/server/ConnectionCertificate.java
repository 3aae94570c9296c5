package dev.ztchat.server;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.Certificates;
import dev.ztchat.core.pki.DeviceName;
import dev.ztchat.server.store.OfflineQueue;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.HexFormat;

/**
 * What the relay keeps of a connection's client certificate for the connection's life: its serial
 * number (to close the connection when the CA revokes it), the device it reads for and whether that
 * device is named. Not the parsed certificate itself, which costs several KiB of heap per
 * connection; and the device id is computed once, not for every envelope the connection sends.
 *
 * @param serial the certificate's serial number, as the CA's revocation list names it
 * @param device the hex SHA-256 of the certificate when it is a device certificate (an EC key,
 *     docs/v2/device-certificates.md section 4), else {@link OfflineQueue#ANY_DEVICE}
 * @param namedDevice true for a device certificate whose device name is not the default one
 */
record ConnectionCertificate(BigInteger serial, String device, boolean namedDevice) {
  ConnectionCertificate {
    requireNonNull(serial, "serial");
    requireNonNull(device, "device");
  }

  static ConnectionCertificate of(X509Certificate cert) {
    boolean isDevice = cert.getPublicKey() instanceof ECPublicKey;
    String device =
        isDevice ? HexFormat.of().formatHex(Certificates.sha256(cert)) : OfflineQueue.ANY_DEVICE;
    boolean named = isDevice && !DeviceName.DEFAULT.equals(Certificates.deviceName(cert));
    return new ConnectionCertificate(cert.getSerialNumber(), device, named);
  }
}
