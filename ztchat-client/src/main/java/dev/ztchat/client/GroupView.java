package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A group as this device knows it (docs/v2/groups.md): its identity ({@code idHex}, 16 random
 * bytes), its name, the name shown for it ({@code #name}, or {@code #name~2} when another group
 * this device learnt earlier has the same name: names are labels, not identities), its members and
 * admins (sorted), its state version, and whether I am no longer a member (removed, or left): then
 * nothing more is sent to it.
 */
public record GroupView(
    String idHex,
    String name,
    String shown,
    List<String> members,
    List<String> admins,
    int version,
    boolean removed) {
  public GroupView {
    requireNonNull(idHex, "idHex");
    requireNonNull(name, "name");
    requireNonNull(shown, "shown");
    members = List.copyOf(members);
    admins = List.copyOf(admins);
  }
}
