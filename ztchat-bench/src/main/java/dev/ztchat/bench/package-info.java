/**
 * Benchmarks of ztchat against peers doing the same job: OpenSSL, Mosquitto, nginx and raw SQLite.
 */
package dev.ztchat.bench;
