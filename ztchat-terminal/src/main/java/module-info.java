/**
 * The terminal front end: the interactive chat screen (JLine), the escaping of text from the
 * network for a terminal, and the command line's words for the libraries' typed remedies.
 */
module dev.ztchat.terminal {
  requires transitive dev.ztchat.client;
  requires transitive org.jline;

  exports dev.ztchat.terminal;
}
