package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.conversation.EnvelopeTooLargeException;
import dev.ztchat.core.conversation.ForwardedChange;
import dev.ztchat.core.conversation.RecipientDevice;
import dev.ztchat.core.conversation.V2Body;
import dev.ztchat.core.conversation.V2Device;
import dev.ztchat.core.conversation.V2MessageSealer;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.PeerVersions;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.pki.IdentityName;
import dev.ztchat.core.session.PrekeyBundle;
import dev.ztchat.core.session.SessionSetupException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * Chooses the envelope version of each outgoing message and seals version 2 (docs/v2/messages.md,
 * the downgrade rule): version 2 to a peer whose device this device has a session with or whose
 * verified prekey bundle the relay hands out; version 1 only to a peer the relay has no version-2
 * keys for and who never proved version 2; nothing to a peer who proved version 2 but whose keys
 * the relay does not give now ({@link Choice.Withheld}: the message waits).
 *
 * <p>Sealing saves the ratchet and ledger state before it returns (the v2 sealer does), so the
 * envelope may leave at once and a re-send re-sends the same bytes. Thread-safe.
 */
final class V2Sending {
  /** What to do with one message. */
  sealed interface Choice {}

  /** Seal version 1, as before version 2. */
  record UseVersion1() implements Choice {}

  /** Sealed in version 2: send these bytes (as a binary frame). */
  record Sealed(V2Envelope envelope) implements Choice {}

  /** Nothing may be sealed now: keep the message and tell the user {@code explanation}. */
  record Withheld(String explanation) implements Choice {}

  /**
   * A group message sealed in version 2, in one envelope or, when the members' devices do not fit
   * one, in several parts sharing one message id, each to every device of some of the members
   * (docs/v2/groups.md section 7.1): send every part, in order. For a group change, the record of
   * its first part (section 6.6), whose content key the holder destroys once kept, or at once.
   */
  record SealedGroup(List<V2Envelope> parts, Optional<ForwardedChange> changeRecord)
      implements Choice {
    SealedGroup {
      parts = List.copyOf(parts); // empty only when the parts re-sealed had no device left
      requireNonNull(changeRecord, "changeRecord");
    }

    /**
     * Zeroes the content key of the change's record, if any: for a caller that does not keep it.
     */
    void destroyRecord() {
      changeRecord.ifPresent(ForwardedChange::destroy);
    }
  }

  private final V2Device device; // null without a device credential
  private volatile boolean stopped; // the device certificate was renewed while running
  private final PeerDevices devices;
  private final PeerVersions versions;
  private final ContactDirectory.ConnectionSource relay;
  private final Clock clock;
  private final SecureRandom random;
  private volatile boolean sendToNewDevices;
  private volatile boolean ownDeviceNamed; // only then do my other devices get copies (rule 0)
  private volatile ChatListener listener =
      new ChatListener() {
        @Override
        public void onMessage(dev.ztchat.core.envelope.OpenedMessage message) {}

        @Override
        public void onRejected(
            String claimedSender,
            dev.ztchat.core.envelope.RejectionReason reason,
            String explanation) {}
      };

  V2Sending(
      V2Device device,
      PeerDevices devices,
      PeerVersions versions,
      ContactDirectory.ConnectionSource relay,
      Clock clock,
      SecureRandom random) {
    this.device = device;
    this.devices = requireNonNull(devices, "devices");
    this.versions = requireNonNull(versions, "versions");
    this.relay = requireNonNull(relay, "relay");
    this.clock = requireNonNull(clock, "clock");
    this.random = requireNonNull(random, "random");
  }

  /**
   * Says whether this device is a named one: only then do its person's other devices get copies (a
   * person without named devices is served by any device, docs/v2/devices.md section 4.1).
   */
  V2Sending ownDevice(X509Certificate mine) {
    this.ownDeviceNamed =
        mine != null
            && !dev.ztchat.core.pki.DeviceName.DEFAULT.equals(
                dev.ztchat.core.pki.Certificates.deviceName(mine));
    return this;
  }

  /**
   * Says whether a contact's device learnt after the first contact is sealed to before the user
   * accepted it, and where new devices are told (docs/v2/devices.md section 6.3).
   */
  V2Sending onNewDevices(boolean sendBeforeAccepted, ChatListener tellTo) {
    this.sendToNewDevices = sendBeforeAccepted;
    this.listener = requireNonNull(tellTo, "tellTo");
    return this;
  }

  /**
   * Decides how {@code content} goes to {@code peer} and, for version 2, seals it (which may take
   * one of the peer's one-time prekeys from the relay).
   *
   * @throws UntrustedContactException when the peer's device keys do not verify: nothing is sent
   * @throws MessageTooLongException when the version-2 envelope would not fit the relay's frame
   * @throws IOException when the relay or the local store cannot be used now: try again later
   */
  Choice choose(String peer, MessageContent content)
      throws IOException, UntrustedContactException, MessageTooLongException {
    return choose(peer, content, true);
  }

  /**
   * As {@link #choose(String, MessageContent)}; {@code withOwnDevices} says whether a version-2
   * envelope also goes to this person's other devices (messages do, receipts do not).
   */
  Choice choose(String peer, MessageContent content, boolean withOwnDevices)
      throws IOException, UntrustedContactException, MessageTooLongException {
    boolean v1Allowed = versions.mayReceiveVersion1(peer);
    RelayConnection conn = relay.current();
    V2Device device = stopped ? null : this.device;
    if (device == null || !conn.relayVersions().contains(V2Envelope.VERSION)) {
      return v1Allowed
          ? new UseVersion1()
          : new Withheld(device == null ? noDeviceHere(peer) : relayWithoutVersion2(peer));
    }
    V2MessageSealer sealer = new V2MessageSealer(device, clock, random, conn.welcome().maxFrame());
    List<RecipientDevice> targets = new ArrayList<>();
    List<PrekeyBundle> bundles = new ArrayList<>();
    if (!collect(sealer, peer, null, targets, bundles)) {
      return v1Allowed ? new UseVersion1() : new Withheld(keysWithheld(peer));
    }
    if (content.kind() == dev.ztchat.core.envelope.ContentKind.RECEIPT) {
      addSessionDevices(sealer, peer, targets); // the device that wrote the message among them
    }
    String me = device.name();
    if (withOwnDevices && !peer.equals(me) && ownDeviceNamed) {
      collect(sealer, me, HexFormat.of().formatHex(device.deviceId()), targets, bundles);
    }
    return seal(sealer, content, targets, bundles);
  }

  /**
   * How many devices of each person a version-2 message to {@code peer} is sealed to, as far as
   * this device knows them now, in the order its prefix names them (the peer, then me for my other
   * named devices; a peer none of whose devices is known yet counts as one): what {@link V2TextFit}
   * sizes the text for. Empty when this device seals nothing in version 2, or {@code peer} names no
   * person (a group's key, which a window may ask about).
   */
  Optional<SequencedMap<String, Integer>> devicesSealedTo(String peer) throws IOException {
    V2Device device = stopped ? null : this.device;
    if (device == null || !IdentityName.isValid(peer)) {
      return Optional.empty();
    }
    SequencedMap<String, Integer> out = new LinkedHashMap<>();
    out.put(peer, Math.max(1, devices.deviceSet(peer).size()));
    String me = device.name();
    if (!peer.equals(me) && ownDeviceNamed) {
      String mine = HexFormat.of().formatHex(device.deviceId());
      int others = (int) devices.deviceSet(me).stream().filter(d -> !d.equals(mine)).count();
      if (others > 0) {
        out.put(me, others);
      }
    }
    return Optional.of(out);
  }

  /** Whether a version-1 envelope may still go to {@code peer} (it has not proved version 2). */
  boolean mayUseVersion1(String peer) throws IOException {
    return versions.mayReceiveVersion1(peer);
  }

  /**
   * Adds to {@code targets} every device of {@code person} this device has a session with and whose
   * certificate is still trusted: a receipt must reach the device that wrote the message, which may
   * not be in the device set (learnt from the first device this one answered).
   */
  private void addSessionDevices(
      V2MessageSealer sealer, String person, List<RecipientDevice> targets) throws IOException {
    for (RecipientDevice d : sealer.devicesWithSessions(person)) {
      if (targets.stream().anyMatch(t -> Arrays.equals(t.deviceId(), d.deviceId()))) {
        continue;
      }
      try {
        devices.checkSessionDevice(person, sessionCertificate(sealer, d));
        targets.add(d);
      } catch (UntrustedContactException e) {
        // revoked or expired since: it gets no receipt
      }
    }
  }

  /**
   * Seals {@code content} to {@code person}'s device {@code deviceHex} alone (one accepted after
   * messages were sealed while it was held, docs/v2/devices.md section 6.3); empty when nothing can
   * be sealed in version 2 now or the relay holds no keys for the device.
   */
  Optional<Sealed> sealToDevice(String person, String deviceHex, MessageContent content)
      throws IOException, UntrustedContactException, MessageTooLongException {
    RelayConnection conn = relay.current();
    V2Device device = stopped ? null : this.device;
    if (device == null || !conn.relayVersions().contains(V2Envelope.VERSION)) {
      return Optional.empty();
    }
    V2MessageSealer sealer = new V2MessageSealer(device, clock, random, conn.welcome().maxFrame());
    RecipientDevice target = new RecipientDevice(person, HexFormat.of().parseHex(deviceHex));
    List<PrekeyBundle> bundles = new ArrayList<>();
    if (!sealer.devicesNeedingBundles(List.of(target)).isEmpty()) {
      Optional<PeerDevices.Lookup.Found> found = devices.fetchDevice(person, deviceHex);
      if (found.isEmpty()) {
        return Optional.empty();
      }
      bundles.add(found.get().bundle());
    }
    return Optional.of((Sealed) seal(sealer, content, List.of(target), bundles));
  }

  /**
   * Seals {@code content} (a group text or change) in version 2 to every device of each of {@code
   * peers} and to my other named devices (docs/v2/groups.md, sending): one envelope whose prefix
   * names them all when they fit, else several parts (see {@link #chooseGroup(List, boolean,
   * MessageContent, byte[], boolean)}). Version 2 only: a peer the relay gives no version-2 keys
   * for makes it {@link Withheld}, never version 1.
   *
   * @throws MessageTooLongException when the text does not fit an envelope even to one member
   */
  Choice chooseGroup(List<String> peers, MessageContent content)
      throws IOException, UntrustedContactException, MessageTooLongException {
    return chooseGroup(peers, true, content, null, false);
  }

  /**
   * As {@link #chooseGroup(List, MessageContent)}, with my other devices only when {@code
   * withOwnDevices}, under {@code messageId} (null: a new one), and as parts of a split message
   * when {@code asParts} (some parts went out already). Each person's devices go into one envelope
   * (so the relay's device check per person holds); an envelope holds at most {@link
   * RoutingPrefix#MAX_RECIPIENTS_V2} names, {@link V2Body#MAX_ENTRIES} entries and what the relay's
   * frame carries. When one envelope does not do, every part is a {@link
   * MessageContent#asGroupTextPart} and my other devices' copy is in the first part.
   */
  Choice chooseGroup(
      List<String> peers,
      boolean withOwnDevices,
      MessageContent content,
      byte[] messageId,
      boolean asParts)
      throws IOException, UntrustedContactException, MessageTooLongException {
    if (peers.isEmpty() && !asParts) {
      return new Withheld("[!] The group has no other member: nothing to send.");
    }
    RelayConnection conn = relay.current();
    V2Device device = stopped ? null : this.device;
    if (device == null) {
      return new Withheld(
          "[!] Group messages need encryption version 2, and this device has no version-2 device"
              + " certificate. Ask your administrator for one (pki issue YOUR-NAME --device"
              + " DEVICE) and restart.");
    }
    if (!conn.relayVersions().contains(V2Envelope.VERSION)) {
      return new Withheld(
          "[!] Group messages need encryption version 2, which this server does not carry."
              + " Connect to an updated server, or tell your administrator.");
    }
    V2MessageSealer sealer = new V2MessageSealer(device, clock, random, conn.welcome().maxFrame());
    List<List<RecipientDevice>> persons = new ArrayList<>();
    List<PrekeyBundle> bundles = new ArrayList<>();
    if (withOwnDevices && ownDeviceNamed) {
      List<RecipientDevice> mine = new ArrayList<>();
      collect(sealer, device.name(), HexFormat.of().formatHex(device.deviceId()), mine, bundles);
      if (!mine.isEmpty()) {
        persons.add(mine);
      }
    }
    for (String peer : peers) {
      List<RecipientDevice> theirs = new ArrayList<>();
      if (!collect(sealer, peer, null, theirs, bundles)) {
        return new Withheld(groupMemberWithoutVersion2(peer));
      }
      persons.add(theirs);
    }
    byte[] id = messageId != null ? messageId.clone() : new byte[16];
    if (messageId == null) {
      random.nextBytes(id);
    }
    GroupPacking.Packed packed =
        new GroupPacking(sealer, bundles, id).seal(persons, content, asParts);
    return new SealedGroup(packed.parts(), Optional.ofNullable(packed.changeRecord()));
  }

  /** Told when a group member has no version-2 keys at the relay. */
  static String groupMemberWithoutVersion2(String peer) {
    return "[!] "
        + peer
        + " cannot receive group messages now: the server gives no version-2 keys for "
        + peer
        + " (group messages are never sent in version 1). They go out once "
        + peer
        + " has connected with a version-2 device; if this lasts, tell your administrator.";
  }

  /**
   * Adds every device of {@code person} this device seals to (its device set, learnt from the
   * relay's list on first use) to {@code targets}, and the verified bundle of each one without a
   * session to {@code bundles}; {@code exclude} (hex) is left out. A device whose certificate is no
   * longer trusted is forgotten when the person has others. False when none was added.
   */
  private boolean collect(
      V2MessageSealer sealer,
      String person,
      String exclude,
      List<RecipientDevice> targets,
      List<PrekeyBundle> bundles)
      throws IOException, UntrustedContactException {
    boolean own = exclude != null;
    List<String> set = devices.deviceSet(person);
    PeerDevices.Lookup.Found first = null;
    if (set.isEmpty()) {
      List<RecipientDevice> withSessions = sealer.devicesWithSessions(person);
      if (!own && !withSessions.isEmpty()) {
        set = List.of(HexFormat.of().formatHex(withSessions.getFirst().deviceId()));
      } else {
        Optional<PeerDevices.Lookup.Found> found;
        if (own) {
          found = devices.fetchList(person);
        } else {
          found =
              devices.fetch(person) instanceof PeerDevices.Lookup.Found f
                  ? Optional.of(f)
                  : Optional.empty();
        }
        if (found.isEmpty()) {
          return false;
        }
        first = found.get();
        String firstHex = HexFormat.of().formatHex(first.deviceId());
        // The list counts only for a person with named devices: the relay delivers copies for the
        // others to any of their devices (docs/v2/devices.md section 4.1, rule 0), so sealing to
        // earlier unnamed devices would only make the envelope larger.
        set =
            named(first.bundle().certificateDer()) && first.listed().contains(firstHex)
                ? first.listed()
                : List.of(firstHex);
      }
      devices.addToSet(person, set);
    }
    int before = targets.size();
    UntrustedContactException untrusted = null;
    for (String hex : set) {
      if (hex.equals(exclude)) {
        continue;
      }
      RecipientDevice target = new RecipientDevice(person, HexFormat.of().parseHex(hex));
      if (sealer.devicesNeedingBundles(List.of(target)).isEmpty()) {
        try {
          devices.checkSessionDevice(person, sessionCertificate(sealer, target));
        } catch (UntrustedContactException e) {
          untrusted = e;
          if (set.size() > 1) {
            devices.removeFromSet(person, List.of(hex)); // the relay's check re-adds a good one
          }
          continue;
        }
      } else {
        PeerDevices.Lookup.Found bundle =
            first != null && Arrays.equals(first.deviceId(), target.deviceId())
                ? first
                : devices.fetchDevice(person, hex).orElse(null);
        if (bundle == null) {
          continue; // the relay holds no keys for it now: the relay's device check tells
        }
        bundles.add(bundle.bundle());
      }
      targets.add(target);
    }
    if (targets.size() == before && untrusted != null && !own) {
      throw untrusted;
    }
    return targets.size() > before;
  }

  /**
   * The devices an envelope is sealed to, as the {@code devices} of its {@code send} ({@code
   * NAME:DEVICE-ID}, docs/v2/devices.md section 6.2): one per entry of its body.
   */
  static List<String> sealedTo(V2Envelope envelope) {
    try {
      return V2Body.decode(envelope.body(), envelope.prefix()).entries().stream()
          .map(e -> e.recipient() + ":" + HexFormat.of().formatHex(e.recipientDevice()))
          .distinct()
          .toList();
    } catch (MalformedEnvelopeException e) {
      throw new IllegalStateException("an envelope sealed here does not decode", e);
    }
  }

  /**
   * Brings the device sets up to date from a {@code stale_devices} refusal: the missing devices are
   * added (their bundles are fetched at the next seal), the extra ones forgotten.
   *
   * @throws IOException when the refusal does not say which devices (nothing is changed)
   */
  void refresh(String refusal) throws IOException {
    List<String> missing = entries(refusal, "missing=");
    List<String> extra = entries(refusal, "extra=");
    for (String m : missing) {
      int colon = m.indexOf(':');
      String person = m.substring(0, colon);
      String hex = m.substring(colon + 1);
      List<String> known = devices.deviceSet(person);
      if (known.contains(hex) || devices.heldDevices(person).contains(hex)) {
        continue;
      }
      // Verified before it is told or kept: a device the CA did not certify for the person is
      // refused here, so the relay cannot make the user accept one.
      String name;
      try {
        Optional<PeerDevices.Lookup.Found> found = devices.fetchDevice(person, hex);
        if (found.isEmpty()) {
          continue; // no keys for it: the relay's next check names it again
        }
        name = deviceName(found.get().bundle().certificateDer());
      } catch (UntrustedContactException e) {
        listener.onNotice(
            "[!] The server named a device of "
                + person
                + " that is not theirs: "
                + e.getMessage());
        continue;
      }
      for (String added : devices.addToSet(person, List.of(hex), sendToNewDevices)) {
        newDevice(person, added, known, name);
      }
    }
    for (String x : extra) {
      int colon = x.indexOf(':');
      devices.removeFromSet(x.substring(0, colon), List.of(x.substring(colon + 1)));
    }
    if (!extra.isEmpty()) {
      // A device the relay no longer counts was most likely revoked: the next check of a
      // session's certificate (the devices a receipt goes to, which the relay does not check)
      // asks for the revocation list again rather than trust one fetched before the revocation.
      devices.forgetRevocations();
    }
  }

  /** Tells the user of {@code person}'s new device, as a key change is told. */
  private void newDevice(String person, String hex, List<String> known, String name) {
    String fingerprint = PeerDevices.fingerprint(hex);
    String knownText =
        known.isEmpty()
            ? "none"
            : String.join(", ", known.stream().map(k -> k.substring(0, 16) + "…").toList());
    if (sendToNewDevices) {
      listener.onNotice(
          "[!] "
              + person
              + " has a new device (fingerprint "
              + fingerprint
              + "); your messages go to it too (--new-devices send). If "
              + person
              + " did not get a new device, tell your administrator.");
    } else {
      listener.onSendBlocked(new KeyChangedException(person, knownText, fingerprint, hex, name));
    }
  }

  /**
   * The {@code devices} of a text message's {@code send}: the devices it is sealed to, and the held
   * devices of its persons (known, so not missing, but not sealed to until accepted).
   */
  List<String> announced(V2Envelope envelope) throws IOException {
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>(sealedTo(envelope));
    java.util.LinkedHashSet<String> persons =
        new java.util.LinkedHashSet<>(envelope.prefix().recipients());
    persons.add(envelope.prefix().sender());
    for (String person : persons) {
      for (String held : devices.heldDevices(person)) {
        out.add(person + ":" + held);
      }
    }
    return List.copyOf(out);
  }

  /**
   * The {@code devices} of a group message's envelope: as {@link #announced}, and my other devices
   * when this envelope carries no copy for them (a part to other members, docs/v2/groups.md section
   * 7.1): the relay checks the sender's devices on every envelope.
   */
  List<String> announcedPart(V2Envelope part) throws IOException {
    List<String> out = announced(part);
    String me = part.prefix().sender();
    V2Device device = this.device;
    if (!ownDeviceNamed || device == null || part.prefix().recipients().contains(me)) {
      return out;
    }
    java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(out);
    String mine = HexFormat.of().formatHex(device.deviceId());
    for (String hex : devices.deviceSet(me)) {
      if (!hex.equals(mine)) {
        all.add(me + ":" + hex);
      }
    }
    return List.copyOf(all);
  }

  private static List<String> entries(String refusal, String key) throws IOException {
    int at = refusal.indexOf(key);
    if (at < 0) {
      throw new IOException("the server refused the devices of a message without saying which");
    }
    int end = refusal.indexOf(' ', at);
    String list = refusal.substring(at + key.length(), end < 0 ? refusal.length() : end);
    if (list.isEmpty()) {
      return List.of();
    }
    List<String> out = List.of(list.split(",", -1));
    if (!out.stream().allMatch(dev.ztchat.core.protocol.Frame.Send::isDeviceEntry)) {
      throw new IOException("the server named devices in a form this client does not know");
    }
    return out;
  }

  /**
   * Seals nothing more in version 2: the device certificate was renewed while running, so its key
   * is no longer valid; messages to peers who proved version 2 wait for a restart.
   */
  void stop() {
    stopped = true;
  }

  private static Choice seal(
      V2MessageSealer sealer,
      MessageContent content,
      List<RecipientDevice> targets,
      List<PrekeyBundle> bundles)
      throws IOException, UntrustedContactException, MessageTooLongException {
    try {
      return new Sealed(sealer.seal(content, targets, bundles));
    } catch (SessionSetupException e) {
      throw setupFailed(targets, e);
    } catch (EnvelopeTooLargeException e) {
      throw tooLong(content, e);
    }
  }

  /** A bundle of one of {@code targets} did not verify: nothing is sent. */
  static UntrustedContactException setupFailed(
      List<RecipientDevice> targets, SessionSetupException e) {
    return new UntrustedContactException(
        "cannot start a version-2 session with "
            + targets.getFirst().name()
            + "'s device ("
            + e.getMessage()
            + "). Nothing was sent. The server may be compromised; tell your administrator.");
  }

  /** The text of {@code content} makes its envelope larger than the relay carries. */
  static MessageTooLongException tooLong(MessageContent content, EnvelopeTooLargeException e) {
    int over = Math.max(1, e.length() - e.limit());
    int textBytes =
        content.kind() == dev.ztchat.core.envelope.ContentKind.TEXT
                || content.kind() == dev.ztchat.core.envelope.ContentKind.GROUP_TEXT
            ? content.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
            : 0;
    return new MessageTooLongException(textBytes, Math.max(0, textBytes - over), e.limit());
  }

  /** Whether the device certificate {@code der} names its device (section 2 of devices.md). */
  private static boolean named(byte[] der) {
    return !dev.ztchat.core.pki.DeviceName.DEFAULT.equals(deviceName(der));
  }

  /** The device name in the device certificate {@code der}; "" when it does not decode. */
  private static String deviceName(byte[] der) {
    try {
      X509Certificate c =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(der));
      return dev.ztchat.core.pki.Certificates.deviceName(c);
    } catch (CertificateException | ClassCastException e) {
      return "";
    }
  }

  /** The device certificate {@code target}'s current session was set up with. */
  private static X509Certificate sessionCertificate(V2MessageSealer sealer, RecipientDevice target)
      throws IOException, UntrustedContactException {
    byte[] der = sealer.sessionCertificate(target).orElse(null);
    try {
      if (der != null) {
        return (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
      }
    } catch (CertificateException | ClassCastException e) {
      // reported below
    }
    throw new UntrustedContactException(
        "the conversation with "
            + target.name()
            + " has no readable device certificate. Nothing was sent.");
  }

  /** Told when a peer who proved version 2 has no keys at the relay now. */
  static String keysWithheld(String peer) {
    return "[!] Your messages to "
        + peer
        + " wait: "
        + peer
        + " has used encryption version 2, but the server now gives no version-2 keys for "
        + peer
        + ". The server may be hiding them to make you fall back to the weaker version 1, which"
        + " this client refuses. The messages go out once "
        + peer
        + "'s keys are available again (for instance after "
        + peer
        + " reconnects); if this lasts, tell your administrator.";
  }

  static String noDeviceHere(String peer) {
    return "[!] Your messages to "
        + peer
        + " wait: "
        + peer
        + " uses encryption version 2, and this device has no version-2 device certificate."
        + " Ask your administrator for one (pki issue YOUR-NAME --add-device) and restart.";
  }

  static String relayWithoutVersion2(String peer) {
    return "[!] Your messages to "
        + peer
        + " wait: "
        + peer
        + " uses encryption version 2, which this server does not carry. Connect to an updated"
        + " server, or tell your administrator.";
  }
}
