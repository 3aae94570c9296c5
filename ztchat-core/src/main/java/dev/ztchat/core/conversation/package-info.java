/**
 * Version-2 messages (docs/v2/messages.md): the layer that joins the session setup, the ratchet and
 * the conversation ledger into envelopes.
 *
 * <p>A client builds one {@link dev.ztchat.core.conversation.V2Device} (its name, device key,
 * prekeys and a {@link dev.ztchat.core.conversation.SessionStore}) and, over it, one {@link
 * dev.ztchat.core.conversation.V2MessageSealer} and one {@link
 * dev.ztchat.core.conversation.V2MessageOpener}, which it registers with the version-1 opener in a
 * {@code MessageOpeners} that holds its {@code PeerVersions} (the downgrade rule).
 *
 * <p>Sending: list the recipients' devices ({@link dev.ztchat.core.conversation.RecipientDevice}),
 * ask {@code devicesNeedingBundles}, fetch and verify those devices' prekey bundles (certificate
 * chain, role DEVICE, the user's name, revocation), {@code seal}, then send the returned envelope
 * (its prefix gives the message id). Before sealing version 1 to a peer, ask {@code
 * PeerVersions.mayReceiveVersion1}.
 *
 * <p>Receiving: {@code open} returns the message with what the ledger noticed ({@code
 * OpenedMessage.notices()}); the sessions, ledger and prekeys are already saved when it returns.
 * The message's keys are then gone (forward secrecy): store the message before acknowledging it,
 * since a copy delivered again cannot be decrypted a second time.
 */
package dev.ztchat.core.conversation;
