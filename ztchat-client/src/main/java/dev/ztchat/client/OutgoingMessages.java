package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.EnvelopeCodec;
import dev.ztchat.core.envelope.EnvelopeFormats;
import dev.ztchat.core.envelope.EnvelopeHeader;
import dev.ztchat.core.envelope.EnvelopeSealer;
import dev.ztchat.core.envelope.MalformedEnvelopeException;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.RecipientKey;
import dev.ztchat.core.envelope.RsaOaepAesGcmSealer;
import dev.ztchat.core.envelope.SealedEnvelope;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.envelope.WrappedKey;
import dev.ztchat.core.group.GroupChange;
import dev.ztchat.core.group.GroupState;
import dev.ztchat.core.group.GroupTimeline;
import dev.ztchat.core.group.MalformedGroupException;
import dev.ztchat.core.pki.UserIdentity;
import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.ErrorCode;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending side of a chat session: seals messages for verified, pinned contacts and hands them
 * to the relay, either at once (scripts) or through the durable {@link Outbox} (the interactive
 * client), so that nothing typed is lost while offline and a retry re-sends the same sealed bytes.
 */
final class OutgoingMessages {
  private static final Logger LOG = LoggerFactory.getLogger(OutgoingMessages.class);

  private volatile UserIdentity me; // replaced when my keys are renewed
  private final ContactDirectory contacts;
  private final Outbox outbox;
  private final ConversationHistory history;
  private final ContactDirectory.ConnectionSource relay;
  private final ChatListener listener;
  private volatile EnvelopeSealer sealer;
  private final Clock clock;
  private final Object flushLock = new Object();

  /**
   * Peers whose keys were renewed and whose new keys are not available yet; guarded by flushLock.
   */
  private final Set<String> waitingForRenewal = new HashSet<>();

  /** Chooses each message's envelope version and seals version 2. */
  private final V2Sending v2;

  /** Sends a group message's envelopes, sealing stale ones again. */
  private final GroupDelivery groupDelivery;

  /** Re-sends what a contact's device missed while it was held. */
  private final HeldResendSending heldResends;

  /** Sends my group changes and keeps their records. */
  private final GroupChangeSending changes;

  /** Peers told that their messages wait for their version-2 keys; guarded by flushLock. */
  private final Set<String> withheldTold = new HashSet<>();

  /** The groups, for outbox entries whose target is a group; null until set. */
  private volatile Groups groups;

  /** Forwards kept group changes to a newly accepted device; null until set. */
  private volatile GroupSyncSending groupSync;

  /** Sizes a text for a version-2 envelope at its largest. */
  private final V2TextFit v2Fit;

  /** The content of an empty direct text, sized by {@link #v2Fit}. */
  private static final MessageContent EMPTY_TEXT = MessageContent.text("");

  /** A reference as long as the longest this client makes, for measuring frames. */
  private static final String REF_PLACEHOLDER = "r0000000000";

  OutgoingMessages(
      ChatClientConfig config,
      ContactDirectory contacts,
      Outbox outbox,
      ConversationHistory history,
      ContactDirectory.ConnectionSource relay,
      ChatListener listener,
      V2Sending v2) {
    this.me = requireNonNull(config, "config").me();
    this.clock = config.clock();
    this.contacts = requireNonNull(contacts, "contacts");
    this.outbox = requireNonNull(outbox, "outbox");
    this.history = requireNonNull(history, "history");
    this.relay = requireNonNull(relay, "relay");
    this.listener = requireNonNull(listener, "listener");
    this.v2 = requireNonNull(v2, "v2");
    this.groupDelivery = new GroupDelivery(v2);
    this.heldResends =
        new HeldResendSending(outbox, history, v2, listener, () -> me.name(), () -> groups);
    this.changes = new GroupChangeSending(outbox, v2, groupDelivery, listener, () -> me.name());
    this.sealer = new RsaOaepAesGcmSealer(me, clock);
    this.v2Fit =
        new V2TextFit(
            me.name(),
            () -> announcedMaxFrame(relay),
            config.device() == null ? null : config.device().certificate());
  }

  /** The frame limit announced on the current connection; 0 while offline. */
  private static int announcedMaxFrame(ContactDirectory.ConnectionSource relay) {
    try {
      return relay.current().welcome().maxFrame();
    } catch (IOException e) {
      return 0;
    }
  }

  /** Sends outbox entries whose target is a group ({@link Groups#key}) to its members. */
  void useGroups(Groups all) {
    this.groups = requireNonNull(all, "all");
  }

  /** Forwards kept group changes with {@code sync} to devices accepted from now on. */
  void useGroupSync(GroupSyncSending sync) {
    this.groupSync = requireNonNull(sync, "sync");
  }

  /**
   * Makes the {@link GroupSyncSending} of this outbox for {@code records}, where the records of my
   * changes are kept from now on.
   */
  GroupSyncSending groupSyncFor(GroupRecords records) {
    changes.keepRecordsIn(records);
    return new GroupSyncSending(outbox, v2, () -> groups, records);
  }

  /**
   * Sends {@code person}'s device {@code deviceHex}, newly accepted, the kept changes of the groups
   * it is to learn (docs/v2/groups.md section 6.6), through the outbox: now when connected, else at
   * the next flush. Returns once those that could go now went, so what is sent to the device after
   * this call reaches it after them.
   */
  void sendGroupRecords(String person, String deviceHex) {
    GroupSyncSending sync = groupSync;
    if (sync == null) {
      return;
    }
    synchronized (flushLock) {
      try {
        if (sync.keep(person, deviceHex)) {
          sync.sendWaiting(relay.current(), person, deviceHex);
        }
      } catch (IOException e) {
        LOG.debug("group records wait: {}", e.getMessage()); // kept: they go at the next flush
      }
    }
  }

  /** Signs with {@code renewed} from now on (my keys were renewed). */
  void useKeys(UserIdentity renewed) {
    synchronized (flushLock) {
      this.sealer = new RsaOaepAesGcmSealer(renewed, clock);
      this.me = renewed;
    }
  }

  /** Seals nothing more in version 2 in this run (the device certificate was renewed). */
  void stopVersion2() {
    v2.stop();
  }

  /**
   * Whether messages wait because their peer's keys were renewed and the new ones are not there
   * yet.
   */
  boolean waitingForRenewedKeys() {
    synchronized (flushLock) {
      return !waitingForRenewal.isEmpty();
    }
  }

  /** Seals and sends now; the answer is the relay's. Nothing is kept for later. */
  SendResult sendNow(String to, String text)
      throws IOException, UntrustedContactException, KeyChangedException, MessageTooLongException {
    synchronized (flushLock) {
      flush(); // what earlier runs left unconfirmed goes first, as the same sealed bytes
      RelayConnection conn = relay.current();
      int maxFrame = conn.welcome().maxFrame();
      if (v2.devicesSealedTo(to).isPresent()) { // the same limit the composer shows
        V2TextFit.check(text, maxTextBytesOrFail(maxFrame, to), maxFrame);
      }
      for (int round = 1; ; round++) {
        V2Sending.Choice choice = v2.choose(to, MessageContent.text(text));
        if (choice instanceof V2Sending.Withheld w) {
          keep(to, text); // never dropped, never sent in version 1
          throw new PeerKeysWithheldException(
              w.explanation() + " This message was kept and goes out on a later run.");
        }
        if (!(choice instanceof V2Sending.Sealed sealed)) {
          break; // version 1: sealed below, as before version 2
        }
        V2Envelope envelope = sealed.envelope();
        String id = envelope.prefix().messageIdHex();
        try {
          return sendDurably(
              conn,
              conn.nextRef(),
              to,
              text,
              id,
              envelope.prefix().timestampMillis(),
              envelope.encode(),
              v2.announced(envelope));
        } catch (RelayConnection.RelayException e) {
          if (e.code() != ErrorCode.STALE_DEVICES) {
            throw e;
          }
          history.forgetPending(to, id); // never stored: sealed again under another id
          staleRefused(to, e, round);
        }
      }
      VerifiedContact contact;
      try {
        contact = contacts.forSending(to);
      } catch (ContactKeysRenewedException e) {
        keep(to, text); // never dropped: it goes out once their new keys can be used
        throw new ContactKeysRenewedException(
            e.getMessage()
                + " The message was kept and goes out on a later run,"
                + " once "
                + to
                + " has connected with the new keys and you accepted them.");
      }
      String ref = conn.nextRef(); // the fit is exact for the frame actually sent, with this ref
      checkFitsBeforeSealing(conn.welcome().maxFrame(), ref, to, text, contact.encryption());
      SealedEnvelope envelope =
          sealer.seal(
              MessageContent.text(text), List.of(new RecipientKey(to, contact.encryption())));
      byte[] bytes = EnvelopeCodec.encode(envelope);
      checkFits(conn.welcome().maxFrame(), ref, text, bytes);
      return sendDurably(
          conn,
          ref,
          to,
          text,
          envelope.header().messageIdHex(),
          envelope.header().timestampMillis(),
          bytes,
          null);
    }
  }

  /** Most sends of one message refused for a stale device set before the user is told. */
  static final int STALE_ROUNDS = 3;

  /**
   * Brings the device sets up to date after a {@code stale_devices} refusal in round {@code round};
   * throws when the rounds are used up (the message was not stored).
   */
  private void staleRefused(String to, RelayConnection.RelayException e, int round)
      throws IOException {
    staleRefused(v2, to, e, round);
  }

  /** As {@link #staleRefused(String, RelayConnection.RelayException, int)}, through {@code v2}. */
  static void staleRefused(V2Sending v2, String to, RelayConnection.RelayException e, int round)
      throws IOException {
    v2.refresh(e.getMessage());
    if (round >= STALE_ROUNDS) {
      throw new IOException(
          "the server kept refusing the list of "
              + to
              + "'s devices as out of date ("
              + STALE_ROUNDS
              + " tries); the message was not sent. Try again in a minute; if this lasts, the"
              + " server may be misbehaving: tell your administrator.");
    }
  }

  /**
   * Keeps the sealed {@code bytes} in the outbox, records them in the history, then sends them and
   * returns the relay's answer; a lost answer leaves them in the outbox for the next connection.
   */
  private SendResult sendDurably(
      RelayConnection conn,
      String ref,
      String to,
      String text,
      String id,
      long timestampMillis,
      byte[] bytes,
      List<String> devices)
      throws IOException {
    // Durable before the first send, as for typed messages: if the answer is lost, the next
    // connection re-sends these very bytes, which the relay stores once.
    long row = outbox.enqueue(to, text);
    outbox.attachEnvelope(row, id, bytes);
    history.recordOutgoing(to, id, Instant.ofEpochMilli(timestampMillis), text);
    Frame.Sent sent;
    try {
      sent = deliver(conn, bytes, ref, devices);
    } catch (RelayConnection.RelayException e) {
      if (movedOnFromRelayThatCannotStore(conn, e)) {
        throw new UnconfirmedSendException(me.name(), id, e);
      }
      outbox.remove(row); // the relay answered: it did not store the message
      throw e;
    } catch (IOException e) {
      throw new UnconfirmedSendException(me.name(), id, e);
    }
    outbox.remove(row);
    SendResult result = new SendResult(sent.messageId(), sent.results());
    if (result.statusOf(to) != null && result.statusOf(to).accepted()) {
      history.markSent(to, id);
    }
    return result;
  }

  /** Keeps a typed message durably; refuses at once one that could never fit in a frame. */
  void keep(String to, String text) throws IOException, MessageTooLongException {
    MessageContent.text(text); // refuses invalid Unicode or an absurd length before storing
    int maxFrame = relay.currentMaxFrame();
    V2TextFit.check(text, maxTextBytesOrFail(maxFrame, to), maxFrame);
    outbox.enqueue(to, text);
  }

  /**
   * Keeps a group text durably ({@code key} is {@link Groups#key}); its size is checked when it is
   * sealed, to the members' devices then.
   */
  void keepForGroup(String key, String text) throws IOException {
    MessageContent.text(text); // refuses invalid Unicode or an absurd length before storing
    outbox.enqueue(key, text);
  }

  /**
   * Sends everything waiting in the outbox, oldest first, while connected. Results go to the
   * listener; a message stays in the outbox until the relay accepted it.
   */
  void flush() {
    synchronized (flushLock) {
      Set<String> blocked = new HashSet<>();
      List<PendingMessage> pending;
      try {
        pending = inSendingOrder(outbox.pending());
      } catch (IOException e) {
        LOG.warn("{}", e.getMessage());
        return;
      }
      for (PendingMessage p : pending) {
        String conversation = Groups.conversationOf(p.peer());
        if (blocked.contains(conversation)) {
          continue; // keep per-conversation order: nothing overtakes a blocked message
        }
        RelayConnection conn = null;
        try {
          conn = relay.current();
          if (GroupSyncSending.isKey(p.peer())) {
            GroupSyncSending sync = groupSync;
            if (sync == null || !sync.send(conn, p)) {
              blocked.add(conversation);
            }
            continue;
          }
          if (HeldResends.isKey(p.peer())) {
            if (!heldResends.send(conn, p)) {
              blocked.add(conversation);
            }
            continue;
          }
          if (Groups.isChangeKey(p.peer())) {
            if (!sendPendingChange(conn, p)) {
              blocked.add(conversation);
            }
            continue;
          }
          if (Groups.isGroupKey(p.peer())) {
            GroupSent g = sendPendingGroup(conn, p);
            if (g == null) {
              blocked.add(p.peer());
            } else if (g.fellShort()) {
              continue; // settled, or waiting for some members only: it holds back nothing
            } else if (settled(p, g.messageIdHex(), groupStatus(g.results()))) {
              blocked.add(p.peer());
            }
            continue;
          }
          PendingMessage ready = null;
          Frame.Sent sent = null;
          for (int round = 1; sent == null; round++) {
            ready = p.sealed() && round == 1 ? p : seal(p);
            if (ready == null) {
              break;
            }
            try {
              sent = deliver(conn, ready.envelope(), conn.nextRef(), devicesOf(ready.envelope()));
            } catch (RelayConnection.RelayException e) {
              if (e.code() != ErrorCode.STALE_DEVICES) {
                throw e;
              }
              outbox.detachEnvelope(p.id()); // never stored: sealed again under another id
              history.forgetPending(p.peer(), ready.messageIdHex());
              staleRefused(p.peer(), e, round);
            }
          }
          if (ready == null || sent == null) {
            blocked.add(p.peer());
            continue;
          }
          // A version-2 envelope names the sender too (for its other devices): read the peer's.
          DeliveryStatus status =
              sent.results().stream()
                  .filter(d -> d.user().equals(p.peer()))
                  .map(Frame.Delivery::status)
                  .findFirst()
                  .orElse(DeliveryStatus.UNKNOWN);
          if (settled(p, ready.messageIdHex(), status)) {
            blocked.add(p.peer()); // FULL: try again on the next flush
          }
        } catch (RelayConnection.RelayException e) {
          if (e.code() != ErrorCode.BAD_ENVELOPE) {
            LOG.debug("outbox waits: {}", e.getMessage());
            movedOnFromRelayThatCannotStore(conn, e);
            return;
          }
          // Refused for good (sealed too long ago, or larger than the relay delivers now): sent
          // again it would be refused again, and it would hold back everything after it.
          try {
            if (Groups.isGroupKey(p.peer()) && shortfallTold.containsKey(p.id())) {
              restNotSent(p, e); // what a group text that reached some members kept for the rest
              continue;
            }
            outbox.remove(p.id());
          } catch (IOException local) {
            LOG.warn("{}", local.getMessage());
            return;
          }
          listener.onSendFailed(shown(p.peer()), refusedForGood(p, e));
        } catch (IOException e) {
          LOG.debug("outbox waits: {}", e.getMessage());
          return; // disconnected: everything stays for the next connection
        }
      }
    }
  }

  /**
   * What the user is told of waiting message {@code p} that the relay refused for good with {@code
   * e} ({@code bad_envelope}): it was dropped from the outbox.
   */
  private static String refusedForGood(PendingMessage p, RelayConnection.RelayException e) {
    if (RelayTtlCheck.isExpiredRefusal(e.code(), e.getMessage())) {
      return RelayTtlCheck.EXPIRED_IN_OUTBOX;
    }
    String why = "the server refused it (" + e.getMessage() + ")";
    if (Groups.isChangeKey(p.peer())) {
      return "your change could not be sent, as "
          + why
          + "; it was made on this device only: make it again once this is resolved";
    }
    return why + "; it is not sent again: write it again if it still matters";
  }

  /**
   * Settles group text row {@code p}, the parts kept for the members an earlier send did not reach,
   * which the relay refused for good with {@code e}: they will not get it, the history says so, and
   * the user is told (docs/v2/groups.md section 7.1, item 9).
   */
  private void restNotSent(PendingMessage p, RelayConnection.RelayException e) throws IOException {
    List<String> persons =
        GroupParts.decode(p.envelope()).stream()
            .flatMap(part -> part.prefix().recipients().stream())
            .filter(name -> !name.equals(me.name()))
            .distinct()
            .toList();
    fellShort(
        p.id(),
        p.peer(),
        p,
        new GroupShortfall(
            List.of(), persons, "the server refused part of it: " + e.getMessage(), false));
  }

  /**
   * {@code pending} in the order a flush sends it, each kind in its own order: first the group
   * changes forwarded to devices that joined late, which depend on nothing and which such a device
   * needs before anything else sealed to it (docs/v2/groups.md section 6.6), so a text kept with a
   * copy for it never overtakes them; then my waiting group changes, since a waiting group text is
   * sealed to the members as they are when it goes out and the changes that made them so reach the
   * members before it (section 7.2); then the rest.
   */
  private static List<PendingMessage> inSendingOrder(List<PendingMessage> pending) {
    return pending.stream()
        .sorted(java.util.Comparator.comparingInt(OutgoingMessages::rank))
        .toList();
  }

  private static int rank(PendingMessage p) {
    if (GroupSyncSending.isKey(p.peer())) {
      return 0;
    }
    return Groups.isChangeKey(p.peer()) ? 1 : 2;
  }

  /**
   * Acts on the relay's answer for outbox entry {@code p}, sent as {@code messageIdHex}, and tells
   * the listener; true when it stays for the next flush (the relay's queue was full).
   */
  private boolean settled(PendingMessage p, String messageIdHex, DeliveryStatus status)
      throws IOException {
    boolean stays = false;
    if (status.accepted()) {
      outbox.remove(p.id());
      shortfallTold.remove(p.id());
      history.markSent(p.peer(), messageIdHex);
      if (Groups.isGroupKey(p.peer())) {
        history.markReachedAll(p.peer(), messageIdHex); // the members a part missed have it now
      }
      waitingForRenewal.remove(p.peer());
    } else if (status == DeliveryStatus.UNKNOWN) {
      outbox.remove(p.id());
    } else {
      stays = true;
    }
    listener.onSendResult(shown(p.peer()), messageIdHex, status);
    return stays;
  }

  /**
   * A group message's id and every envelope's per-recipient results; {@code fellShort} when it
   * reached some members only and was settled as such ({@link #fellShort}).
   */
  private record GroupSent(String messageIdHex, List<Frame.Delivery> results, boolean fellShort) {}

  /**
   * Seals (unless sealed before) and sends the waiting group message {@code p}: null if it cannot
   * go now (a member's keys are withheld) or never can (then it is removed and the user told).
   */
  private GroupSent sendPendingGroup(RelayConnection conn, PendingMessage p) throws IOException {
    try {
      PendingMessage ready = p.sealed() ? p : sealGroupChecked(p);
      GroupDelivery.Sent sent =
          groupDelivery.sendText(
              conn,
              shown(p.peer()),
              GroupParts.decode(ready.envelope()),
              () -> groupText(p),
              parts -> outbox.replaceEnvelope(p.id(), GroupParts.encode(parts)));
      withheldTold.remove(p.peer());
      if (sent.shortfall().isPresent()) {
        fellShort(p.id(), p.peer(), ready, sent.shortfall().get());
        return new GroupSent(ready.messageIdHex(), sent.results(), true);
      }
      return new GroupSent(ready.messageIdHex(), sent.results(), false);
    } catch (PeerKeysWithheldException e) {
      if (withheldTold.add(p.peer())) { // said once, not for every message or retry
        listener.onNotice(e.getMessage());
      }
      return null;
    } catch (NotAMemberException | UntrustedContactException | MessageTooLongException e) {
      outbox.remove(p.id());
      listener.onSendFailed(shown(p.peer()), e.getMessage());
      return null;
    }
  }

  /**
   * Sends {@code person}'s device {@code deviceHex}, accepted now, what this device sent them while
   * it was held, directly and in the groups they are in (docs/v2/devices.md section 6.3): kept in
   * the outbox for that device alone, then sealed to it under new message ids and sent as the
   * outbox sends, so a lost connection or a restart loses none. The history is left as it is.
   */
  void sendHeldMessages(String person, String deviceHex, Instant heldSince) {
    synchronized (flushLock) {
      try {
        heldResends.keep(person, deviceHex, heldSince);
      } catch (IOException e) {
        listener.onNotice(
            "[!] What you sent to "
                + person
                + " while their new device was held could not be kept for it ("
                + e.getMessage()
                + "); it gets your messages from now on.");
        return;
      }
      flush();
    }
  }

  /**
   * Outbox rows of group texts that reached some members only and wait for the others, each with
   * the message id the user was told of (told once, not on every retry); guarded by flushLock.
   */
  private final java.util.Map<Long, String> shortfallTold = new java.util.HashMap<>();

  /**
   * Settles group text {@code row} ({@code key}, sent as {@code sent}'s parts) that reached some
   * members only (docs/v2/groups.md section 7.1, item 9): its history row stays, as sent, with whom
   * it did not reach and why; the parts for the members not reached stay in the outbox when sending
   * them again can help, else the row goes; the user is told which members it did not reach and
   * why.
   */
  private void fellShort(long row, String key, PendingMessage sent, GroupShortfall s)
      throws IOException {
    String messageIdHex = sent.messageIdHex();
    history.markSent(key, messageIdHex);
    long members =
        GroupParts.decode(sent.envelope()).stream()
            .flatMap(part -> part.prefix().recipients().stream())
            .filter(name -> !name.equals(me.name()))
            .distinct()
            .count();
    history.markPartial(key, messageIdHex, (int) Math.max(1, members), s);
    boolean toldBefore;
    if (s.retry()) {
      outbox.replaceEnvelope(row, GroupParts.encode(s.unsent()));
      toldBefore = messageIdHex.equals(shortfallTold.put(row, messageIdHex));
    } else {
      outbox.remove(row);
      shortfallTold.remove(row);
      toldBefore = false;
    }
    if (!toldBefore) {
      listener.onNotice("[!] " + shown(key) + ": " + s.explanation());
    }
  }

  /**
   * The status of a group message: accepted when the relay took it for at least one member (it
   * stores it once for them; sending it again would only be refused as a copy), else what it said.
   */
  private static DeliveryStatus groupStatus(List<Frame.Delivery> results) {
    List<DeliveryStatus> all = results.stream().map(Frame.Delivery::status).toList();
    if (all.contains(DeliveryStatus.QUEUED)) {
      return DeliveryStatus.QUEUED;
    }
    if (all.contains(DeliveryStatus.DELIVERED)) {
      return DeliveryStatus.DELIVERED;
    }
    return all.contains(DeliveryStatus.FULL) ? DeliveryStatus.FULL : DeliveryStatus.UNKNOWN;
  }

  /** The name a group key is shown by ({@code #team}); a person's name unchanged. */
  private String shown(String outboxKey) {
    if (HeldResends.isKey(outboxKey)) {
      return HeldResends.person(outboxKey);
    }
    String key = Groups.conversationOf(outboxKey);
    Groups all = groups;
    if (!Groups.isGroupKey(key) || all == null) {
      return key;
    }
    try {
      return all.view(key.substring(Groups.KEY_PREFIX.length())).shown();
    } catch (IOException e) {
      return key;
    }
  }

  /** I am not (or no longer) a member of the group a message waits for. */
  static final class NotAMemberException extends Exception {
    private static final long serialVersionUID = 1L;

    NotAMemberException(String message) {
      super(message);
    }
  }

  /**
   * Seals the group text {@code p} to the group's current members (and my other devices), in as
   * many envelopes as it needs, records its sealed form and the history row, and returns it sealed.
   */
  private PendingMessage sealGroupChecked(PendingMessage p)
      throws IOException, NotAMemberException, UntrustedContactException, MessageTooLongException {
    GroupState state = memberState(p.peer());
    String self = me.name();
    List<String> peers = state.members().stream().filter(m -> !m.equals(self)).toList();
    V2Sending.Choice choice =
        v2.chooseGroup(peers, MessageContent.groupText(state.id(), state.version(), p.text()));
    if (!(choice instanceof V2Sending.SealedGroup sealed)) {
      throw new PeerKeysWithheldException(
          choice instanceof V2Sending.Withheld w
              ? w.explanation()
              : "group messages are sent in version 2 only");
    }
    V2Envelope first = sealed.parts().getFirst();
    byte[] bytes = GroupParts.encode(sealed.parts());
    String id = first.prefix().messageIdHex();
    outbox.attachEnvelope(p.id(), id, bytes);
    history.recordOutgoing(
        p.peer(),
        id,
        Instant.ofEpochMilli(first.prefix().timestampMillis()),
        GroupConversations.stored(self, p.text()));
    return new PendingMessage(p.id(), p.peer(), p.text(), p.createdAt(), id, bytes);
  }

  /** My current state of the group {@code key} names, refused when I am not a member. */
  private GroupState memberState(String key) throws IOException, NotAMemberException {
    Groups all = groups;
    String idHex = key.substring(Groups.KEY_PREFIX.length());
    var timeline = all == null ? java.util.Optional.<GroupTimeline>empty() : all.timeline(idHex);
    if (timeline.isEmpty() || timeline.get().removed()) {
      throw new NotAMemberException(
          "you are not a member of " + shown(key) + " (any more): the message was not sent");
    }
    return timeline.get().state();
  }

  /** The content of the waiting group text {@code p}, from my current state of its group. */
  private MessageContent groupText(PendingMessage p) throws IOException, NotAMemberException {
    GroupState state = memberState(p.peer());
    return MessageContent.groupText(state.id(), state.version(), p.text());
  }

  /** Refuses a text too long to be kept. */
  @FunctionalInterface
  interface TextCheck {
    void check() throws IOException, MessageTooLongException;
  }

  /**
   * Whether a change of mine to the group {@code key} names still waits in the outbox (after a
   * flush: it could not go now, or did not reach every member yet); guarded by flushLock.
   */
  private boolean changeWaits(String key) throws IOException {
    String changeKey = Groups.changeKeyOf(key);
    return outbox.pending().stream().anyMatch(p -> p.peer().equals(changeKey));
  }

  /**
   * Sends a group text now, durably (kept in the outbox first, so a lost answer re-sends the same
   * bytes on the next connection); returns the relay's answer. {@code key} is {@link Groups#key}.
   * What waits in the outbox goes first; when a change of mine to the group still waits after that,
   * the text is kept behind it ({@code fits} refusing one too long to be kept) and not sent now
   * (docs/v2/groups.md section 7.2, item 3).
   *
   * @throws GroupTextQueuedException when it was kept behind a waiting change of the group
   */
  SendResult sendGroupNow(String key, String text, TextCheck fits)
      throws IOException, NotAMemberException, UntrustedContactException, MessageTooLongException {
    synchronized (flushLock) {
      flush();
      RelayConnection conn = relay.current();
      memberState(key); // a text to a group I left is refused, never kept
      if (changeWaits(key)) {
        fits.check();
        outbox.enqueue(key, text); // sealed when it goes, behind the change
        throw new GroupTextQueuedException(me.name(), shown(key));
      }
      long row = outbox.enqueue(key, text);
      PendingMessage p = new PendingMessage(row, key, text, clock.instant(), null, null);
      PendingMessage ready;
      try {
        ready = sealGroupChecked(p);
      } catch (PeerKeysWithheldException e) {
        throw new PeerKeysWithheldException(
            e.getMessage() + " This message was kept and goes out on a later run.");
      } catch (NotAMemberException | UntrustedContactException | MessageTooLongException e) {
        outbox.remove(row);
        throw e;
      }
      GroupDelivery.Sent sent;
      try {
        sent =
            groupDelivery.sendText(
                conn,
                shown(key),
                GroupParts.decode(ready.envelope()),
                () -> groupText(p),
                parts -> outbox.replaceEnvelope(row, GroupParts.encode(parts)));
      } catch (PeerKeysWithheldException e) {
        throw new PeerKeysWithheldException(
            e.getMessage() + " This message was kept and goes out on a later run.");
      } catch (RelayConnection.RelayException e) {
        if (e.code() == ErrorCode.STALE_DEVICES) {
          throw e; // refused too often as stale: kept, sealed again on a later run
        }
        if (movedOnFromRelayThatCannotStore(conn, e)) {
          throw new UnconfirmedSendException(me.name(), ready.messageIdHex(), e);
        }
        history.forgetPending(key, ready.messageIdHex());
        outbox.remove(row); // the relay answered: it did not store the message
        throw e;
      } catch (NotAMemberException | UntrustedContactException | MessageTooLongException e) {
        history.forgetPending(key, ready.messageIdHex());
        outbox.remove(row);
        throw e;
      } catch (IOException e) {
        throw new UnconfirmedSendException(me.name(), ready.messageIdHex(), e);
      }
      if (sent.shortfall().isPresent()) {
        fellShort(row, key, ready, sent.shortfall().get());
      } else {
        outbox.remove(row);
        history.markSent(key, ready.messageIdHex());
      }
      return new SendResult(ready.messageIdHex(), sent.results());
    }
  }

  /**
   * Seals {@code content} to every device of {@code peers} and my other devices and sends it now,
   * in as many envelopes as it needs, without keeping it; the relay's answers. For content that is
   * not a change of mine to a group I know (tests and attack simulations send such).
   *
   * @throws PeerKeysWithheldException when a member has no version-2 keys now: nothing was sent
   */
  SendResult sendToMembers(String group, List<String> peers, MessageContent content)
      throws IOException, UntrustedContactException, MessageTooLongException {
    synchronized (flushLock) {
      RelayConnection conn = relay.current();
      V2Sending.Choice choice = v2.chooseGroup(peers, content);
      if (!(choice instanceof V2Sending.SealedGroup sealed)) {
        throw new PeerKeysWithheldException(
            choice instanceof V2Sending.Withheld w
                ? w.explanation()
                : "group messages are sent in version 2 only.");
      }
      sealed.destroyRecord(); // not a change of mine: no record is kept
      try {
        return new SendResult(
            sealed.parts().getFirst().prefix().messageIdHex(),
            groupDelivery.send(conn, group, sealed.parts(), () -> content, parts -> {}));
      } catch (NotAMemberException e) {
        throw new IllegalStateException("the content is given: no group state is read", e);
      }
    }
  }

  /**
   * Keeps my group change {@code change} durably in the outbox, behind my other waiting changes to
   * its group, and sends it now when connected and none waits before it (docs/v2/groups.md section
   * 7.2). Empty when it stays kept: it goes out, in order, on a later flush. A change the relay
   * stored for some members only is sent, and the user told whom it did not reach.
   *
   * @throws PeerKeysWithheldException when a member has no version-2 keys now: nothing was kept
   * @throws RelayConnection.RelayException when the relay refused it: nothing was kept
   */
  Optional<SendResult> sendChange(GroupChange change)
      throws IOException, UntrustedContactException, MessageTooLongException {
    synchronized (flushLock) {
      flush(); // what waits already goes first
      String key = Groups.changeKey(change.groupId());
      long row = outbox.enqueue(key, HexFormat.of().formatHex(change.encode()));
      RelayConnection conn;
      try {
        conn = relay.current();
      } catch (IOException e) {
        return Optional.empty(); // offline: kept
      }
      if (outbox.pending().stream().anyMatch(w -> w.id() < row && w.peer().equals(key))) {
        return Optional.empty(); // behind a change of the group that cannot go now: kept
      }
      PendingMessage p = new PendingMessage(row, key, "", clock.instant(), null, null);
      try {
        GroupChangeSending.Result sent = changes.send(conn, p, change, shown(change));
        return sent.waits() && sent.results().stream().noneMatch(d -> d.status().accepted())
            ? Optional.empty() // every mailbox was full: kept
            : Optional.of(new SendResult(sent.messageIdHex(), sent.results()));
      } catch (PeerKeysWithheldException | UntrustedContactException | MessageTooLongException e) {
        notSent(row, change);
        throw e;
      } catch (RelayConnection.RelayException e) {
        if (e.code() == ErrorCode.STALE_DEVICES) {
          return Optional.empty(); // kept: sealed again on a later flush
        }
        notSent(row, change);
        throw e;
      } catch (IOException e) {
        return Optional.empty(); // the connection failed: kept, sent again as the same bytes
      }
    }
  }

  /** The name the group of my {@code change} is shown by; its name before it is kept (a create). */
  private String shown(GroupChange change) {
    String key = Groups.KEY_PREFIX + change.groupId().hex();
    String shown = shown(key);
    return shown.equals(key) ? "#" + change.newState().name() : shown;
  }

  /** Drops my change {@code change}, kept as {@code row}, of which the relay stored nothing. */
  private void notSent(long row, GroupChange change) throws IOException {
    outbox.remove(row);
    changes.forgetRecord(change);
  }

  /**
   * Sends the waiting change {@code p} from {@link #flush}; false when it stays for a later flush
   * (a member's keys are withheld now, or members it did not reach yet get it then). A change that
   * can never go is removed and the user told.
   */
  private boolean sendPendingChange(RelayConnection conn, PendingMessage p) throws IOException {
    GroupChange change;
    try {
      change = GroupChange.decode(HexFormat.of().parseHex(p.text()));
    } catch (MalformedGroupException | IllegalArgumentException e) {
      outbox.remove(p.id());
      listener.onSendFailed(
          shown(p.peer()), "a waiting group change is damaged: " + e.getMessage());
      return true;
    }
    try {
      GroupChangeSending.Result sent = changes.send(conn, p, change, shown(change));
      withheldTold.remove(p.peer());
      if (sent.waits()) {
        return false; // the group's later texts wait behind it
      }
      listener.onNotice(
          "your change to " + shown(p.peer()) + ", kept while it could not be sent, went out");
      return true;
    } catch (PeerKeysWithheldException e) {
      if (withheldTold.add(p.peer())) { // said once, not for every retry
        listener.onNotice(e.getMessage().replace(" Nothing was changed.", " The change waits."));
      }
      return false;
    } catch (UntrustedContactException | MessageTooLongException e) {
      outbox.remove(p.id());
      listener.onSendFailed(
          shown(p.peer()),
          "your change could not be sent ("
              + e.getMessage()
              + "); it was made on this device only: make it again once this is resolved");
      return true;
    }
  }

  /**
   * Seals a waiting message and records its sealed form; null if it cannot go now (its peer's keys
   * changed, or are withheld) or never can (then it is removed and the user told).
   */
  private PendingMessage seal(PendingMessage p) throws IOException {
    V2Sending.Choice choice;
    try {
      choice = v2.choose(p.peer(), MessageContent.text(p.text()));
    } catch (UntrustedContactException | MessageTooLongException e) {
      outbox.remove(p.id());
      listener.onSendFailed(p.peer(), e.getMessage());
      return null;
    }
    switch (choice) {
      case V2Sending.Withheld w -> {
        if (withheldTold.add(p.peer())) { // said once, not for every message or retry
          listener.onNotice(w.explanation());
        }
        return null;
      }
      case V2Sending.Sealed sealed -> {
        V2Envelope envelope = sealed.envelope();
        byte[] bytes = envelope.encode();
        String id = envelope.prefix().messageIdHex();
        // Durable before the first send; the ratchet state was saved before sealing returned.
        outbox.attachEnvelope(p.id(), id, bytes);
        history.recordOutgoing(
            p.peer(), id, Instant.ofEpochMilli(envelope.prefix().timestampMillis()), p.text());
        withheldTold.remove(p.peer());
        return new PendingMessage(p.id(), p.peer(), p.text(), p.createdAt(), id, bytes);
      }
      case V2Sending.UseVersion1 _ -> {
        // sealed below, as before version 2
      }
      case V2Sending.SealedGroup _ ->
          throw new IllegalStateException("a direct message is never sealed as a group's");
    }
    VerifiedContact contact;
    try {
      contact = contacts.forSending(p.peer());
    } catch (KeyChangedException e) {
      waitingForRenewal.remove(p.peer()); // their new keys are there: the user decides now
      listener.onSendBlocked(e);
      return null;
    } catch (ContactKeysRenewedException e) {
      if (waitingForRenewal.add(p.peer())) { // said once, not for every message or retry
        listener.onContactKeysRenewed(
            p.peer(),
            "[!] "
                + e.getMessage()
                + " Your messages to "
                + p.peer()
                + " wait and go out once "
                + p.peer()
                + " has connected with the new keys and you accepted them.");
      }
      return null;
    } catch (UntrustedContactException e) {
      outbox.remove(p.id());
      listener.onSendFailed(p.peer(), e.getMessage());
      return null;
    }
    SealedEnvelope envelope =
        sealer.seal(
            MessageContent.text(p.text()),
            List.of(new RecipientKey(p.peer(), contact.encryption())));
    byte[] bytes = EnvelopeCodec.encode(envelope);
    try {
      // sent later with a ref not known yet: checked with the longest ref this client makes
      checkFits(relay.currentMaxFrame(), REF_PLACEHOLDER, p.text(), bytes);
    } catch (MessageTooLongException e) {
      outbox.remove(p.id());
      listener.onSendFailed(p.peer(), e.getMessage());
      return null;
    }
    String id = envelope.header().messageIdHex();
    // Durable before the first send: a retry after a crash or a lost answer re-sends these bytes.
    outbox.attachEnvelope(p.id(), id, bytes);
    history.recordOutgoing(
        p.peer(), id, Instant.ofEpochMilli(envelope.header().timestampMillis()), p.text());
    return new PendingMessage(p.id(), p.peer(), p.text(), p.createdAt(), id, bytes);
  }

  /**
   * Seals and sends a receipt (or other non-text content) without waiting for the answer. The
   * contact's keys come from those cached when their message was opened (checked against the CRL
   * and the pin as for any message), so a backlog costs no directory lookup per receipt.
   */
  CompletableFuture<Frame> sendReceipt(String to, MessageContent content)
      throws IOException, UntrustedContactException, KeyChangedException {
    RelayConnection conn = relay.current();
    V2Sending.Choice choice;
    try {
      choice = v2.choose(to, content, false); // a receipt goes to the sender's devices only
    } catch (MessageTooLongException e) {
      throw new IOException(e.getMessage(), e);
    }
    if (choice instanceof V2Sending.Withheld w) {
      throw new IOException(w.explanation()); // a receipt is never sent in version 1 to them
    }
    if (choice instanceof V2Sending.Sealed sealed) {
      String ref = conn.nextRef();
      return conn.requestAsync(new Frame.Send(ref, sealed.envelope().encode(), true), ref);
    }
    VerifiedContact contact = contacts.forReceipt(to);
    SealedEnvelope receipt =
        sealer.seal(content, List.of(new RecipientKey(to, contact.encryption())));
    String ref = conn.nextRef();
    return conn.requestAsync(new Frame.Send(ref, EnvelopeCodec.encode(receipt)), ref);
  }

  /** The devices a sealed text message names in its {@code send}: null for version 1. */
  private List<String> devicesOf(byte[] envelope) throws IOException {
    if (!isVersion2(envelope)) {
      return null;
    }
    try {
      return v2.announced(V2Envelope.decode(envelope));
    } catch (dev.ztchat.core.envelope.MalformedEnvelopeException e) {
      throw new IOException("a waiting message no longer decodes: " + e.getMessage(), e);
    }
  }

  /**
   * How often a {@code send} the relay answered with {@code internal} ("could not store the
   * message; try again later") is sent again at once, and the pause before each: a busy store is
   * usually free again within milliseconds, and the relay stores an envelope once however often it
   * comes.
   */
  static final int INTERNAL_RETRIES = 3;

  private static final Duration INTERNAL_RETRY_PAUSE = Duration.ofMillis(150);

  static Frame.Sent deliver(RelayConnection conn, byte[] envelope, String ref, List<String> devices)
      throws IOException {
    // Version 2 travels as a binary frame (docs/v2/envelope.md section 4).
    boolean binary = isVersion2(envelope);
    for (int attempt = 0; ; attempt++) {
      String r = attempt == 0 ? ref : conn.nextRef();
      Frame answer;
      try {
        answer =
            RateLimitPacing.paced(
                () ->
                    conn.request(
                        new Frame.Send(r, envelope, binary, devices),
                        r,
                        ChatClient.REQUEST_TIMEOUT));
      } catch (RelayConnection.RelayException e) {
        if (e.code() != ErrorCode.INTERNAL || attempt >= INTERNAL_RETRIES) {
          throw e;
        }
        LOG.debug("the relay could not store a message ({}); sending it again", e.getMessage());
        pause(INTERNAL_RETRY_PAUSE.multipliedBy(attempt + 1L));
        continue;
      }
      if (!(answer instanceof Frame.Sent sent)) {
        throw new IOException("unexpected answer from the server: " + answer.type());
      }
      return sent;
    }
  }

  /**
   * When {@code e} is {@code internal}, which {@link #deliver} only passes on after {@link
   * #INTERNAL_RETRIES} tries, the relay cannot store messages now (its database refuses writes, or
   * is gone): closes {@code conn}, so that the client connects to its next relay, or to this one
   * again after its back-off, and sends what waits in the outbox there; true then. A closed relay
   * that cannot store loses nothing: what it did not store stays in the outbox.
   */
  static boolean movedOnFromRelayThatCannotStore(
      RelayConnection conn, RelayConnection.RelayException e) {
    if (e.code() != ErrorCode.INTERNAL) {
      return false;
    }
    LOG.warn("the relay could not store a message ({}): connecting again", e.getMessage());
    conn.close();
    return true;
  }

  private static void pause(Duration d) throws IOException {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while sending", e);
    }
  }

  /** Whether {@code envelope} is of version 2 or later (it then travels as a binary frame). */
  static boolean isVersion2(byte[] envelope) {
    try {
      return EnvelopeFormats.formatOf(envelope).version() >= V2Envelope.VERSION;
    } catch (MalformedEnvelopeException e) {
      return false;
    }
  }

  /**
   * Refuses a text too long for one frame before anything is signed or encrypted: the envelope's
   * size without the text follows from the key sizes alone, so a stand-in envelope of that shape
   * (zero bytes where the nonce, wrapped key and signature go) is measured instead of a sealed one.
   * {@link #checkFits} re-checks the sealed bytes.
   */
  private void checkFitsBeforeSealing(
      int maxFrame, String ref, String to, String text, X509Certificate recipient)
      throws MessageTooLongException {
    UserIdentity self = me;
    if (!(recipient.getPublicKey() instanceof RSAPublicKey wrapKey)
        || !(self.signing().certificate().getPublicKey() instanceof RSAPublicKey signKey)) {
      return; // user keys are RSA; anything else is left to checkFits
    }
    MessageContent.text(text); // refuses invalid Unicode or an absurd length first
    EnvelopeHeader header =
        new EnvelopeHeader(
            EnvelopeHeader.VERSION,
            self.name(),
            List.of(to),
            clock.millis(),
            new byte[EnvelopeHeader.MESSAGE_ID_BYTES]);
    int emptyContent =
        1; // a text's content is its kind byte, then the UTF-8 text (docs/PROTOCOL.md)
    SealedEnvelope shape =
        new SealedEnvelope(
            header,
            List.of(
                new WrappedKey(
                    to, new byte[WrappedKey.KEY_ID_BYTES], new byte[modulusBytes(wrapKey)])),
            new byte[SealedEnvelope.NONCE_BYTES],
            new byte[emptyContent + SealedEnvelope.TAG_BYTES],
            new byte[modulusBytes(signKey)]);
    int textBytes = text.getBytes(StandardCharsets.UTF_8).length;
    int jsonOverhead = FrameCodec.encode(new Frame.Send(ref, new byte[0])).length;
    int max = fit(maxFrame, jsonOverhead, EnvelopeCodec.encode(shape).length);
    if (textBytes > max) {
      throw new MessageTooLongException(textBytes, max, maxFrame);
    }
  }

  private static int modulusBytes(RSAPublicKey key) {
    return (key.getModulus().bitLength() + 7) / 8;
  }

  /** How many outbox entries wait whose key {@code keys} accepts (tests watch the outbox). */
  long waitingCount(java.util.function.Predicate<String> keys) throws IOException {
    return outbox.pending().stream().filter(p -> keys.test(p.peer())).count();
  }

  /** Test seam: the size of each sealed group part waiting under a key {@code keys} accepts. */
  List<Integer> waitingPartSizes(java.util.function.Predicate<String> keys) throws IOException {
    List<Integer> out = new java.util.ArrayList<>();
    for (PendingMessage p : outbox.pending()) {
      if (keys.test(p.peer()) && p.sealed()) {
        GroupParts.decode(p.envelope()).forEach(part -> out.add(part.encode().length));
      }
    }
    return out;
  }

  /** Tests watch sealing through this: a text refused for its size is never sealed. */
  void sealWith(EnvelopeSealer replacement) {
    synchronized (flushLock) {
      this.sealer = requireNonNull(replacement, "replacement");
    }
  }

  /**
   * Refuses an envelope whose {@code send} frame, with {@code ref}, would exceed the relay's limit
   * (docs/PROTOCOL.md section 6, "fits"), naming the exact maximum for that ref.
   */
  static void checkFits(int maxFrame, String ref, String text, byte[] envelope)
      throws MessageTooLongException {
    int frameBytes = FrameCodec.encode(new Frame.Send(ref, envelope)).length;
    if (frameBytes > maxFrame) {
      int textBytes = text.getBytes(StandardCharsets.UTF_8).length;
      int jsonOverhead = FrameCodec.encode(new Frame.Send(ref, new byte[0])).length;
      throw new MessageTooLongException(
          textBytes, fit(maxFrame, jsonOverhead, envelope.length - textBytes), maxFrame);
    }
  }

  /** The largest text (bytes) whose envelope of {@code fixedEnvelope + text} bytes fits a frame. */
  private static int fit(int maxFrame, int jsonOverhead, int fixedEnvelope) {
    int t = Math.max(0, (maxFrame - jsonOverhead) / 4 * 3 - fixedEnvelope);
    while (t > 0 && jsonOverhead + 4 * ((fixedEnvelope + t + 2) / 3) > maxFrame) {
      t--;
    }
    while (jsonOverhead + 4 * ((fixedEnvelope + t + 1 + 2) / 3) <= maxFrame) {
      t++;
    }
    return t;
  }

  /**
   * The most UTF-8 bytes of text a message to {@code peer} can hold (a composer shows it; {@link
   * #keep} and {@link #sendNow} refuse a longer one). Where this device seals version 2, it is what
   * a version-2 envelope to the peer's devices and my other ones holds with every entry at its
   * largest ({@link V2TextFit}), so a text within it is never refused for its size when sealed
   * (unless devices are added to the peer meanwhile); while the peer may still get version 1, at
   * most the version-1 figure too. Without version 2, the version-1 figure alone.
   */
  int maxTextBytes(int maxFrame, String peer) {
    try {
      return maxTextBytesOrFail(maxFrame, peer);
    } catch (IOException e) {
      LOG.debug("the devices of {} cannot be read now: {}", peer, e.getMessage());
      // sized as if each person had one device: keep and send read the store again
      return Math.min(
          version1MaxTextBytes(maxFrame, peer),
          v2Fit.maxTextBytes(v2Fit.frame(), EMPTY_TEXT, new LinkedHashMap<>(Map.of(peer, 1))));
    }
  }

  private int maxTextBytesOrFail(int maxFrame, String peer) throws IOException {
    Optional<SequencedMap<String, Integer>> devices = v2.devicesSealedTo(peer);
    if (devices.isEmpty()) {
      return version1MaxTextBytes(maxFrame, peer);
    }
    int version2 = v2Fit.maxTextBytes(v2Fit.frame(), EMPTY_TEXT, devices.get());
    return v2.mayUseVersion1(peer)
        ? Math.min(version2, version1MaxTextBytes(maxFrame, peer))
        : version2;
  }

  /**
   * About the most UTF-8 bytes of text a version-1 message to {@code peer} can hold, estimated
   * before the peer's key is known by sealing an empty message to my own key (exact when both keys
   * have the same size; {@link #flush} re-checks exactly).
   */
  private int version1MaxTextBytes(int maxFrame, String peer) {
    UserIdentity self = me;
    SealedEnvelope probe =
        sealer.seal(
            MessageContent.text(""),
            List.of(new RecipientKey(self.name(), self.encryption().certificate())));
    int nameDelta =
        2
            * (peer.getBytes(StandardCharsets.UTF_8).length
                - self.name().getBytes(StandardCharsets.UTF_8).length);
    int jsonOverhead = FrameCodec.encode(new Frame.Send(REF_PLACEHOLDER, new byte[0])).length;
    return fit(maxFrame, jsonOverhead, EnvelopeCodec.encode(probe).length + nameDelta);
  }
}
