/**
 * Typed remedies: what the local user can do about a failure, for each front end to word in its own
 * terms (commands and options on the command line, controls in a web client).
 */
package dev.ztchat.core.remedy;
