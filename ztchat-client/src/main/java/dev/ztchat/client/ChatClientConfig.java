package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.AcceptancePolicy;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.UserIdentity;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;

/**
 * What a chat client needs: where the relay is ({@code host} and {@code port}: the first of {@code
 * relays}, the others tried when it fails, see {@link #withRelays}), who I am, which CA I trust,
 * where my state lives, my earlier encryption keys after a renewal (to keep old history readable),
 * optionally where to read my keys again when the relay refuses them after a renewal ({@code
 * keyReload}, null for none), and my version-2 device credential ({@code device}: the ECDSA P-256
 * certificate and key of docs/v2/device-certificates.md, null for a user without one, who then
 * speaks version 1 only).
 */
public record ChatClientConfig(
    String host,
    int port,
    UserIdentity me,
    X509Certificate rootCa,
    Path dataDir,
    AcceptancePolicy acceptance,
    Clock clock,
    List<Credential> previousEncryption,
    KeyReload keyReload,
    Credential device,
    boolean sendToNewDevices,
    RelayEndpoints relays) {
  public ChatClientConfig {
    requireNonNull(host, "host");
    requireNonNull(me, "me");
    requireNonNull(rootCa, "rootCa");
    requireNonNull(dataDir, "dataDir");
    requireNonNull(acceptance, "acceptance");
    requireNonNull(clock, "clock");
    previousEncryption = List.copyOf(previousEncryption);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "server port " + port + " is out of range: use 1 to 65535");
    }
    if (relays == null) {
      relays = RelayEndpoints.of(host, port);
    } else if (!relays.first().equals(new RelayEndpoints.Endpoint(host, port))) {
      throw new IllegalArgumentException(
          "the first relay " + relays.first() + " is not the relay " + host + ":" + port);
    }
    if (device != null && !me.name().equals(CertificateVerifier.commonName(device.certificate()))) {
      throw new IllegalArgumentException(
          "the device certificate is for '"
              + CertificateVerifier.commonName(device.certificate())
              + "', not '"
              + me.name()
              + "': use users/"
              + me.name()
              + "/device.crt");
    }
  }

  /** With the one relay at {@code host:port}. */
  public ChatClientConfig(
      String host,
      int port,
      UserIdentity me,
      X509Certificate rootCa,
      Path dataDir,
      AcceptancePolicy acceptance,
      Clock clock,
      List<Credential> previousEncryption,
      KeyReload keyReload,
      Credential device,
      boolean sendToNewDevices) {
    this(
        host,
        port,
        me,
        rootCa,
        dataDir,
        acceptance,
        clock,
        previousEncryption,
        keyReload,
        device,
        sendToNewDevices,
        null);
  }

  /** New devices of contacts get nothing until accepted (docs/v2/devices.md section 6.3). */
  public ChatClientConfig(
      String host,
      int port,
      UserIdentity me,
      X509Certificate rootCa,
      Path dataDir,
      AcceptancePolicy acceptance,
      Clock clock,
      List<Credential> previousEncryption,
      KeyReload keyReload,
      Credential device) {
    this(
        host,
        port,
        me,
        rootCa,
        dataDir,
        acceptance,
        clock,
        previousEncryption,
        keyReload,
        device,
        false);
  }

  /** Without a device credential (version 1 only). */
  public ChatClientConfig(
      String host,
      int port,
      UserIdentity me,
      X509Certificate rootCa,
      Path dataDir,
      AcceptancePolicy acceptance,
      Clock clock,
      List<Credential> previousEncryption,
      KeyReload keyReload) {
    this(host, port, me, rootCa, dataDir, acceptance, clock, previousEncryption, keyReload, null);
  }

  /** Without a way to read the keys again. */
  public ChatClientConfig(
      String host,
      int port,
      UserIdentity me,
      X509Certificate rootCa,
      Path dataDir,
      AcceptancePolicy acceptance,
      Clock clock,
      List<Credential> previousEncryption) {
    this(host, port, me, rootCa, dataDir, acceptance, clock, previousEncryption, null);
  }

  /** Defaults: the standard acceptance window and the system clock. */
  public static ChatClientConfig of(
      String host, int port, UserIdentity me, X509Certificate rootCa, Path dataDir) {
    return new ChatClientConfig(
        host, port, me, rootCa, dataDir, AcceptancePolicy.DEFAULT, Clock.systemUTC(), List.of());
  }

  /** This configuration, reading the keys again from {@code reload} after a renewal. */
  public ChatClientConfig withKeyReload(KeyReload reload) {
    return new ChatClientConfig(
        host,
        port,
        me,
        rootCa,
        dataDir,
        acceptance,
        clock,
        previousEncryption,
        reload,
        device,
        sendToNewDevices,
        relays);
  }

  /** This configuration with my version-2 device credential ({@code null}: version 1 only). */
  public ChatClientConfig withDevice(Credential device) {
    return new ChatClientConfig(
        host,
        port,
        me,
        rootCa,
        dataDir,
        acceptance,
        clock,
        previousEncryption,
        keyReload,
        device,
        sendToNewDevices,
        relays);
  }

  /**
   * Whether messages go to a contact's new device before the user accepted it ({@code --new-devices
   * send}); by default they do not (docs/v2/devices.md section 6.3).
   */
  public ChatClientConfig withSendToNewDevices(boolean send) {
    return new ChatClientConfig(
        host,
        port,
        me,
        rootCa,
        dataDir,
        acceptance,
        clock,
        previousEncryption,
        keyReload,
        device,
        send,
        relays);
  }

  /**
   * This configuration with the relays to use, tried in their order ({@code --server
   * HOST:PORT,HOST:PORT}); {@link #host()} and {@link #port()} become the first one's.
   */
  public ChatClientConfig withRelays(RelayEndpoints relays) {
    requireNonNull(relays, "relays");
    return new ChatClientConfig(
        relays.first().host(),
        relays.first().port(),
        me,
        rootCa,
        dataDir,
        acceptance,
        clock,
        previousEncryption,
        keyReload,
        device,
        sendToNewDevices,
        relays);
  }

  /**
   * The certificate presented to the relay: the device certificate when I have one (the relay
   * accepts role device, docs/v2/device-certificates.md section 4), the v1 signing one otherwise.
   */
  Credential tlsCredential() {
    return device != null ? device : me.signing();
  }

  /** This configuration with renewed keys. */
  ChatClientConfig withKeys(UserIdentity renewed, List<Credential> previous) {
    if (!renewed.name().equals(me.name())) {
      throw new IllegalArgumentException(
          "renewed keys are for '" + renewed.name() + "', not '" + me.name() + "'");
    }
    return new ChatClientConfig(
        host,
        port,
        renewed,
        rootCa,
        dataDir,
        acceptance,
        clock,
        previous,
        keyReload,
        device,
        sendToNewDevices,
        relays);
  }
}
