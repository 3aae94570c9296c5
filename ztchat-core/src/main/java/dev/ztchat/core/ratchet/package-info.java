/**
 * The v2 conversation ratchet (docs/v2/ratchet.md): a Double Ratchet over X25519 with a periodic
 * ML-KEM-768 step mixed into the root chain.
 *
 * <p>{@link dev.ztchat.core.ratchet.RatchetState} is the whole API: create it from the session
 * setup's SK, AD and signed prekey ({@code initiator} / {@code responder}), then {@code encrypt}
 * and {@code decrypt}, each returning the next state to persist, and {@code toBytes} / {@code
 * fromBytes} to store it. Failures are {@link dev.ztchat.core.ratchet.RatchetException} with a
 * reason for the local log.
 */
package dev.ztchat.core.ratchet;
