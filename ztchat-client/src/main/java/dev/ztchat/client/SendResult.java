package dev.ztchat.client;

import dev.ztchat.core.protocol.DeliveryStatus;
import dev.ztchat.core.protocol.Frame;
import java.util.List;

/** What the relay did with a sent message, per recipient. */
public record SendResult(String messageId, List<Frame.Delivery> results) {
  public SendResult {
    results = List.copyOf(results);
  }

  /** True when every recipient had the message handed to a live connection. */
  public boolean allDelivered() {
    return results.stream().allMatch(d -> d.status() == DeliveryStatus.DELIVERED);
  }

  /** The status for one recipient, or {@code null}. */
  public DeliveryStatus statusOf(String user) {
    return results.stream()
        .filter(d -> d.user().equals(user))
        .map(Frame.Delivery::status)
        .findFirst()
        .orElse(null);
  }
}
