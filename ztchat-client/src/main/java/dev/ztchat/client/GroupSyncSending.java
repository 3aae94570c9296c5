package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.conversation.ForwardedChange;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.group.GroupChange;
import dev.ztchat.core.group.GroupState;
import dev.ztchat.core.group.GroupTimeline;
import dev.ztchat.core.group.MalformedGroupException;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending side of group sync (docs/v2/groups.md section 6.6): when a device of person Q is
 * newly accepted into this device's device sets, the kept records of every group that has both me
 * and Q as members (from the latest entry point for Q on, {@link GroupRecords#forwardTo}) are kept
 * in the {@link Outbox}, one row per record under a key of this class, then each is sealed to that
 * device alone as content kind 5 and sent as {@link OneDeviceDelivery} sends. A row names its
 * record by the state it led to; the record itself stays sealed in {@link GroupRecordStore}, so no
 * content key is written to the outbox.
 *
 * <p>Called under the outbox's flush lock.
 */
final class GroupSyncSending {
  private static final Logger LOG = LoggerFactory.getLogger(GroupSyncSending.class);

  /** Starts the outbox key of a record for one device: {@code &GROUP-ID:NAME:DEVICE-ID}. */
  private static final String KEY_PREFIX = "&";

  private static final char SEPARATOR = ':';

  private final Outbox outbox;
  private final V2Sending v2;
  private final Supplier<Groups> groups;
  private final GroupRecords records;

  GroupSyncSending(Outbox outbox, V2Sending v2, Supplier<Groups> groups, GroupRecords records) {
    this.outbox = requireNonNull(outbox, "outbox");
    this.v2 = requireNonNull(v2, "v2");
    this.groups = requireNonNull(groups, "groups");
    this.records = requireNonNull(records, "records");
  }

  /** Whether an outbox key is that of a forwarded record (no other key starts so). */
  static boolean isKey(String key) {
    return key.startsWith(KEY_PREFIX);
  }

  /**
   * The outbox key of group {@code groupIdHex}'s records for {@code person}'s {@code deviceHex}.
   */
  static String key(String groupIdHex, String person, String deviceHex) {
    return KEY_PREFIX + groupIdHex + SEPARATOR + person + SEPARATOR + deviceHex;
  }

  /** What a key names: group id and device are hex, the person's name lies between them. */
  private record Target(String groupIdHex, String person, String deviceHex) {
    static Target of(String key) {
      int first = key.indexOf(SEPARATOR);
      int last = key.lastIndexOf(SEPARATOR);
      return new Target(
          key.substring(KEY_PREFIX.length(), first),
          key.substring(first + 1, last),
          key.substring(last + 1));
    }
  }

  /**
   * Keeps in the outbox, group by group and oldest first, the records {@code person}'s device
   * {@code deviceHex} is to be sent; a record already waiting for it is not kept twice. True when
   * any waits for it now.
   */
  boolean keep(String person, String deviceHex) throws IOException {
    Groups all = groups.get();
    if (all == null) {
      return false;
    }
    Set<String> waiting = new HashSet<>();
    List<PendingMessage> pending = outbox.pending();
    for (PendingMessage p : pending) {
      if (isKey(p.peer())) {
        waiting.add(p.peer() + SEPARATOR + p.text());
      }
    }
    boolean any = false;
    for (GroupView v : all.views()) {
      if (v.removed() || !v.members().contains(person)) {
        continue;
      }
      Optional<GroupTimeline> t = all.timeline(v.idHex());
      if (t.isEmpty()) {
        continue;
      }
      String key = key(v.idHex(), person, deviceHex);
      String head = recordedHead(v.idHex(), t.get().state(), pending);
      for (String state : records.forwardTo(person, v.idHex(), head)) {
        if (waiting.add(key + SEPARATOR + state)) {
          outbox.enqueue(key, state);
        }
        any = true;
      }
    }
    return any;
  }

  /**
   * The state (hex hash) of group {@code groupIdHex} whose chain of records is forwarded: {@code
   * current}, unless a change of mine to the group waits unsealed in {@code pending} (made
   * offline): no record of it exists yet, so the state before the first such change. The waiting
   * changes are sealed when they go out, to the device too once it is in the device sets, so it
   * gets them after the records (docs/v2/groups.md section 6.6).
   */
  private static String recordedHead(
      String groupIdHex, GroupState current, List<PendingMessage> pending) {
    String changes = Groups.changeKeyOf(Groups.KEY_PREFIX + groupIdHex);
    for (PendingMessage p : pending) {
      if (p.peer().equals(changes) && !p.sealed()) {
        try {
          return HexFormat.of()
              .formatHex(
                  GroupChange.decode(HexFormat.of().parseHex(p.text())).newState().prevHash());
        } catch (MalformedGroupException | IllegalArgumentException e) {
          return current.hashHex(); // a damaged change is dropped by the flush
        }
      }
    }
    return current.hashHex();
  }

  /**
   * Sends the waiting records for {@code person}'s device {@code deviceHex} now, oldest first,
   * stopping at the first that has to wait.
   */
  void sendWaiting(RelayConnection conn, String person, String deviceHex) throws IOException {
    for (PendingMessage p : outbox.pending()) {
      if (isKey(p.peer())) {
        Target target = Target.of(p.peer());
        if (target.person().equals(person)
            && target.deviceHex().equals(deviceHex)
            && !send(conn, p)) {
          return;
        }
      }
    }
  }

  /**
   * Seals (unless sealed before) and sends the waiting record {@code p}; false when it stays for a
   * later flush. A record no longer kept, or of a group that no longer has both of us, is dropped
   * unsent, as is one too large for an envelope to the device (docs/v2/groups.md section 6.6).
   */
  boolean send(RelayConnection conn, PendingMessage p) throws IOException {
    Target target = Target.of(p.peer());
    return OneDeviceDelivery.send(
        outbox,
        conn,
        p,
        target.person(),
        () -> {
          Optional<ForwardedChange> record = stillWanted(target, p.text());
          if (record.isEmpty()) {
            return new OneDeviceDelivery.Sealing.Drop();
          }
          try {
            return seal(target.person(), target.deviceHex(), record.get())
                .<OneDeviceDelivery.Sealing>map(OneDeviceDelivery.Sealing.Ready::new)
                .orElseGet(OneDeviceDelivery.Sealing.Wait::new);
          } catch (UntrustedContactException | MessageTooLongException e) {
            LOG.debug("a group record for a new device is not sent: {}", e.getMessage());
            return new OneDeviceDelivery.Sealing.Drop();
          } finally {
            record.get().destroy();
          }
        });
  }

  /**
   * {@code record} as content kind 5, sealed to {@code person}'s device {@code deviceHex} alone;
   * empty when it cannot be sealed now (no version 2, or no keys for the device at the relay).
   */
  Optional<V2Envelope> seal(String person, String deviceHex, ForwardedChange record)
      throws IOException, UntrustedContactException, MessageTooLongException {
    byte[] encoded = record.encode();
    try {
      return v2.sealToDevice(person, deviceHex, MessageContent.forwardedChange(encoded))
          .map(V2Sending.Sealed::envelope);
    } finally {
      Arrays.fill(encoded, (byte) 0);
    }
  }

  /** The record {@code p} names, if it is kept and its group still has both of us. */
  private Optional<ForwardedChange> stillWanted(Target target, String stateHashHex)
      throws IOException {
    Groups all = groups.get();
    Optional<GroupTimeline> t = all == null ? Optional.empty() : all.timeline(target.groupIdHex());
    if (t.isEmpty() || t.get().removed() || !t.get().state().isMember(target.person())) {
      return Optional.empty();
    }
    return records.record(target.groupIdHex(), stateHashHex);
  }
}
