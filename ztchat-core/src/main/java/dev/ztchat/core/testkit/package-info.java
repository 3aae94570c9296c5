/**
 * The shared kit for tests, attack simulations and benchmarks: a hand-moved {@link
 * dev.ztchat.core.testkit.MutableClock}, bounded {@link dev.ztchat.core.testkit.Polling} and a raw
 * {@link dev.ztchat.core.testkit.RawFrameClient}. Not API: it lives in main code only because the
 * attack simulations and benchmarks ship and use it; nothing in the relay or client library may.
 */
package dev.ztchat.core.testkit;
