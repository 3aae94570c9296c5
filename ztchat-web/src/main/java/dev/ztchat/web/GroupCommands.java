package dev.ztchat.web;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.GroupView;
import dev.ztchat.client.MessageTooLongException;
import dev.ztchat.client.UnknownGroupException;
import dev.ztchat.client.UntrustedContactException;
import dev.ztchat.core.group.GroupChangeRefusedException;
import dev.ztchat.core.group.GroupName;
import dev.ztchat.core.pki.IdentityName;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The page's commands about groups (docs/v2/groups.md section 5): create one, add or remove a
 * member, leave. Each is checked before the client is asked, and each refusal (not an admin, not a
 * member, a member without version-2 keys, no connection) comes back in words.
 */
final class GroupCommands {
  /** The page's command could not be carried out: why, for the user. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private GroupCommands() {}

  /** Whether the page names a group ({@code #name} or {@code #name~2}) rather than a person. */
  static boolean isGroup(String ref) {
    return ref.startsWith("#") && ref.length() <= GroupName.MAX_LENGTH + 8;
  }

  /**
   * Carries out the command {@code c} of type {@code type} (group-create, -add, -remove, -leave);
   * returns the group after it. The client keeps the change as a line of the group's history.
   */
  static GroupView run(ChatClient client, String type, Map<String, String> c) throws Refused {
    try {
      return switch (type) {
        case "group-create" -> create(client, c.getOrDefault("name", ""), c.get("members"));
        case "group-add" -> client.addToGroup(group(c), member(c));
        case "group-remove" -> client.removeFromGroup(group(c), member(c));
        case "group-leave" -> client.leaveGroup(group(c));
        default -> throw new Refused("Unknown command.");
      };
    } catch (IOException
        | UnknownGroupException
        | GroupChangeRefusedException
        | UntrustedContactException
        | MessageTooLongException e) {
      throw new Refused("Not done: " + e.getMessage());
    }
  }

  private static GroupView create(ChatClient client, String name, String memberList)
      throws Refused,
          IOException,
          GroupChangeRefusedException,
          UntrustedContactException,
          MessageTooLongException {
    String bare = name.startsWith("#") ? name.substring(1) : name;
    if (!GroupName.isValid(bare)) {
      throw new Refused(
          "Not a group name: "
              + PageEvents.quoted(name)
              + " (1 to 32 of a-z 0-9 . _ -, starting with a letter or digit).");
    }
    List<String> members = new ArrayList<>();
    for (String m : (memberList == null ? "" : memberList).split("[,\\s]+")) {
      if (!m.isEmpty() && !members.contains(m)) {
        members.add(checkedName(m));
      }
    }
    members.remove(client.me());
    if (members.isEmpty()) {
      throw new Refused("Name at least one member besides you (user names, comma-separated).");
    }
    return client.createGroup(bare, members);
  }

  private static String group(Map<String, String> c) throws Refused {
    String ref = c.getOrDefault("peer", "");
    if (!isGroup(ref)) {
      throw new Refused("Not a group: " + PageEvents.quoted(ref) + ".");
    }
    return ref;
  }

  private static String member(Map<String, String> c) throws Refused {
    return checkedName(c.getOrDefault("member", "").strip());
  }

  private static String checkedName(String name) throws Refused {
    if (!IdentityName.isValid(name)) {
      throw new Refused("Not a user name: " + PageEvents.quoted(name) + " (names are lowercase).");
    }
    return name;
  }
}
