package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.conversation.EnvelopeTooLargeException;
import dev.ztchat.core.conversation.ForwardedChange;
import dev.ztchat.core.conversation.RecipientDevice;
import dev.ztchat.core.conversation.SealedChange;
import dev.ztchat.core.conversation.V2Body;
import dev.ztchat.core.conversation.V2MessageSealer;
import dev.ztchat.core.envelope.ContentKind;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.envelope.RoutingPrefix;
import dev.ztchat.core.envelope.V2Envelope;
import dev.ztchat.core.session.PrekeyBundle;
import dev.ztchat.core.session.SessionSetupException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Seals one group message to every device of its persons in as few envelopes as the limits allow
 * (docs/v2/groups.md section 7.1): at most {@link RoutingPrefix#MAX_RECIPIENTS_V2} names, {@link
 * V2Body#MAX_ENTRIES} entries and the relay's envelope size per envelope, all devices of one person
 * in the same envelope, every envelope under the same message id. When one envelope does not hold
 * them all, every envelope is sealed as a {@link MessageContent#asGroupTextPart part}.
 *
 * <p>The size of an envelope is only known once sealed (an entry that starts a session is larger);
 * an envelope found too large is sealed again for fewer persons, in proportion to the excess. A
 * refused seal saves nothing, so trying again costs time only.
 */
final class GroupPacking {
  private final V2MessageSealer sealer;
  private final List<PrekeyBundle> bundles;
  private final byte[] messageId;

  GroupPacking(V2MessageSealer sealer, List<PrekeyBundle> bundles, byte[] messageId) {
    this.sealer = requireNonNull(sealer, "sealer");
    this.bundles = List.copyOf(bundles);
    this.messageId = messageId.clone();
  }

  /**
   * The envelopes of one message, in order, and for a group change the forwardable record of the
   * smallest (docs/v2/groups.md section 6.6: any envelope that carried the change proves it, and
   * the smallest is the likeliest to fit the message that forwards it), else null.
   */
  record Packed(List<V2Envelope> parts, ForwardedChange changeRecord) {
    Packed {
      parts = List.copyOf(parts);
    }
  }

  /**
   * The envelopes of {@code content} to {@code persons} (each the list of one person's devices), in
   * order; parts whatever their number when {@code asParts}. A group change comes with the record
   * of its smallest envelope.
   *
   * @throws MessageTooLongException when the text does not fit an envelope to a single person
   * @throws UntrustedContactException when a device's bundle does not verify: nothing is to be sent
   */
  Packed seal(List<List<RecipientDevice>> persons, MessageContent content, boolean asParts)
      throws IOException, UntrustedContactException, MessageTooLongException {
    boolean split = asParts || countFit(persons, 0) < persons.size();
    boolean change = content.kind() == ContentKind.GROUP_CHANGE;
    List<V2Envelope> parts = new ArrayList<>();
    ForwardedChange record = null;
    int from = 0;
    while (from < persons.size()) {
      int n = countFit(persons, from);
      for (; ; ) {
        List<RecipientDevice> targets = new ArrayList<>();
        persons.subList(from, from + n).forEach(targets::addAll);
        MessageContent sealed = split ? content.asGroupTextPart() : content;
        try {
          if (change) {
            SealedChange part = sealer.sealChange(sealed, targets, bundles, messageId);
            parts.add(part.envelope());
            record = smaller(record, part.record());
          } else {
            parts.add(sealer.seal(sealed, targets, bundles, messageId));
          }
          break;
        } catch (SessionSetupException e) {
          destroy(record);
          throw V2Sending.setupFailed(targets, e);
        } catch (EnvelopeTooLargeException e) {
          if (n == 1) {
            destroy(record);
            throw V2Sending.tooLong(sealed, e);
          }
          split = true;
          n = Math.max(1, Math.min(n - 1, (int) ((long) n * e.limit() / e.length())));
        }
      }
      from += n;
    }
    return new Packed(parts, record);
  }

  /** The record of the smaller envelope ({@code kept} when equal); the other is destroyed. */
  private static ForwardedChange smaller(ForwardedChange kept, ForwardedChange next) {
    if (kept == null) {
      return next;
    }
    if (next.envelope().length < kept.envelope().length) {
      kept.destroy();
      return next;
    }
    next.destroy();
    return kept;
  }

  private static void destroy(ForwardedChange record) {
    if (record != null) {
      record.destroy();
    }
  }

  /** How many persons from {@code from} on fit one envelope by the count limits alone. */
  private static int countFit(List<List<RecipientDevice>> persons, int from) {
    int entries = 0;
    int n = 0;
    for (List<RecipientDevice> p : persons.subList(from, persons.size())) {
      if (n + 1 > RoutingPrefix.MAX_RECIPIENTS_V2 || entries + p.size() > V2Body.MAX_ENTRIES) {
        break;
      }
      entries += p.size();
      n++;
    }
    return Math.max(1, n);
  }
}
