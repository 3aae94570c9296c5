package dev.ztchat.core.testing;

import dev.ztchat.core.conversation.ChangeRecordSealer;
import dev.ztchat.core.conversation.ForwardedChange;
import dev.ztchat.core.envelope.MessageContent;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.session.SessionSetupException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;

/**
 * Makes forwarded group changes (docs/v2/groups.md section 6.6) for tests, signed with a device's
 * certificate key, each as a record of its own ({@link ChangeRecordSealer}).
 */
public final class ForwardedChanges {
  private static final SecureRandom RANDOM = new SecureRandom();

  private ForwardedChanges() {}

  /** {@code content} as {@code author}'s {@code device} signed it at {@code at}. */
  public static ForwardedChange signed(
      Credential device, String author, MessageContent content, Instant at)
      throws GeneralSecurityException, SessionSetupException {
    return new ChangeRecordSealer(new DeviceKey(device.privateKey(), device.certificate()), RANDOM)
        .seal(author, content, at);
  }
}
