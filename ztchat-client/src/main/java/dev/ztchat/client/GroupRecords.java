package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.conversation.ForwardedChange;
import dev.ztchat.core.envelope.OpenedMessage;
import dev.ztchat.core.group.GroupChange;
import dev.ztchat.core.group.GroupOp;
import dev.ztchat.core.group.GroupState;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Which group changes this device keeps to forward to a device that joins late, and which it
 * forwards to one (docs/v2/groups.md section 6.6): every change it applied (received live, as a
 * copy from another of my devices, or forwarded) or made, kept as the chain of the group's current
 * state; to a device of person Q, the chain from the latest entry point for Q on.
 *
 * <p>A change this device makes is kept as one of the envelopes it was sent in with the content key
 * it was sealed under, which the sealer hands out for a change ({@link
 * dev.ztchat.core.conversation.SealedChange}): the record is what members got, and nothing is
 * signed twice. Thread-safe as {@link GroupRecordStore} is; callers order the changes of one group.
 */
final class GroupRecords {
  private final GroupRecordStore store;

  /** Records kept in {@code store}. */
  GroupRecords(GroupRecordStore store) {
    this.store = requireNonNull(store, "store");
  }

  /**
   * Keeps the {@code record} of my {@code change}, made when it was sealed to the members, instead
   * of any kept before (of a sealing the relay refused).
   */
  void sealed(GroupChange change, ForwardedChange record) throws IOException {
    store.replace(change, record);
  }

  /** Forgets the record of my {@code change}: the relay stored none of it, so it was not made. */
  void unsent(GroupChange change) throws IOException {
    store.forget(change.newState());
  }

  /**
   * A change of mine was applied here; {@code now} is my state after it. Its record was kept when
   * it was sealed, or is kept when it is (it waits in the outbox).
   */
  void made(GroupState now) throws IOException {
    store.prune(now);
  }

  /**
   * Keeps the record of the change {@code m} carried in {@code envelope} (as received), if it
   * brought what a record needs; {@code now} is my state after it.
   */
  void received(OpenedMessage m, byte[] envelope, GroupState now) throws IOException {
    Optional<OpenedMessage.ChangeRecord> pieces = m.changeRecord();
    if (pieces.isEmpty()) {
      return;
    }
    byte[] contentKey = pieces.get().contentKey();
    ForwardedChange record;
    try {
      record = new ForwardedChange(pieces.get().certificate(), envelope, contentKey);
    } catch (IllegalArgumentException e) {
      return; // larger than a record holds: it cannot be forwarded
    } finally {
      java.util.Arrays.fill(contentKey, (byte) 0);
    }
    try {
      keep(m.content().groupChange(), record, now);
    } finally {
      record.destroy();
    }
  }

  /** Keeps {@code record} of {@code change}; {@code now} is my state after applying it. */
  void keep(GroupChange change, ForwardedChange record, GroupState now) throws IOException {
    store.keep(change, record);
    store.prune(now);
  }

  /**
   * The states (hex hashes) whose changes a device of {@code person} is sent, oldest first: the
   * kept chain of {@code current} from its latest entry point for {@code person} (the create, when
   * they are a member of its state, or an add naming them); empty when none is kept.
   */
  List<String> forwardTo(String person, GroupState current) throws IOException {
    return forwardTo(person, current.id().hex(), current.hashHex());
  }

  /**
   * As {@link #forwardTo(String, GroupState)}, for the chain of group {@code groupIdHex} that led
   * to its state {@code headHashHex}: the last state whose record is kept, when my changes after it
   * wait unsealed (they then reach the device as they go out).
   */
  List<String> forwardTo(String person, String groupIdHex, String headHashHex) throws IOException {
    List<GroupRecordStore.Kept> chain = store.chain(groupIdHex, headHashHex);
    for (int i = chain.size() - 1; i >= 0; i--) {
      GroupChange c = chain.get(i).change();
      boolean entry =
          c.op() == GroupOp.CREATE
              ? c.newState().isMember(person)
              : c.op() == GroupOp.ADD && c.subjects().contains(person);
      if (entry) {
        return chain.subList(i, chain.size()).stream()
            .map(GroupRecordStore.Kept::stateHashHex)
            .toList();
      }
    }
    return List.of();
  }

  /** The record that led group {@code groupIdHex} to state {@code stateHashHex}, if kept. */
  Optional<ForwardedChange> record(String groupIdHex, String stateHashHex) throws IOException {
    return store.record(groupIdHex, stateHashHex);
  }
}
