package dev.ztchat.core.conversation;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.envelope.V2Envelope;

/**
 * A group change sealed for its members ({@link V2MessageSealer#sealChange}), with its forwardable
 * record (docs/v2/groups.md section 6.6): the record carries the very envelope returned here, so a
 * device that keeps it forwards what its members got.
 *
 * <p>Warning: {@link #record()} holds the envelope's content key. {@link #toString()} never shows
 * it; a caller that is done with it should {@link #destroy()} it.
 */
public final class SealedChange {
  private final V2Envelope envelope;
  private final ForwardedChange record;

  SealedChange(V2Envelope envelope, ForwardedChange record) {
    this.envelope = requireNonNull(envelope, "envelope");
    this.record = requireNonNull(record, "record");
  }

  /** The envelope to send. */
  public V2Envelope envelope() {
    return envelope;
  }

  /**
   * The record of {@link #envelope()}: this device's certificate, the envelope, its content key.
   */
  public ForwardedChange record() {
    return record;
  }

  /** Zeroes the content key the record holds. */
  public void destroy() {
    record.destroy();
  }

  @Override
  public String toString() {
    return "SealedChange[" + record + "]";
  }
}
