package dev.ztchat.cli;

import dev.ztchat.client.ChatClient;
import dev.ztchat.client.GroupView;
import dev.ztchat.client.MessageTooLongException;
import dev.ztchat.client.PeerKeysWithheldException;
import dev.ztchat.client.UnknownGroupException;
import dev.ztchat.client.UntrustedContactException;
import dev.ztchat.core.crypto.BoringSslProvider;
import dev.ztchat.core.group.GroupChangeRefusedException;
import dev.ztchat.core.group.GroupName;
import dev.ztchat.core.pki.IdentityName;
import dev.ztchat.terminal.RemedyText;
import dev.ztchat.terminal.TerminalText;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ztchat group}: create and change group conversations (docs/v2/groups.md). Each change
 * connects, seals the signed change to every member's devices, waits for the server's answer and
 * exits; the members' clients check it against the group's rule.
 */
@Command(
    name = "group",
    description =
        "Create and change group conversations: the creator is the group's admin; admins add and"
            + " remove members, any member may leave (docs/v2/groups.md). Send to a group with"
            + " send --to '#NAME'.",
    subcommands = {
      GroupCommand.Create.class,
      GroupCommand.Add.class,
      GroupCommand.Remove.class,
      GroupCommand.Leave.class,
      GroupCommand.ListGroups.class
    })
final class GroupCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "say what to do: create, add, remove, leave or list");
  }

  /** What every change does: connect, make the change, say what happened. */
  abstract static class Change implements Callable<Integer> {
    @Mixin ClientOptions options;

    abstract GroupView change(ChatClient client) throws Exception;

    abstract String done(GroupView group);

    @Override
    public Integer call() throws Exception {
      System.setProperty(BoringSslProvider.SWITCH, "off"); // one change: the JDK is quicker here
      String me = options.resolveIdentity(null);
      try (ClientLogging logging =
              ClientLogging.routeTo(
                  line -> System.err.println(TerminalText.notice("group: " + line)));
          ChatClient client = ChatClient.connect(options.config(me), new OneShotNotices("group"))) {
        GroupView g = change(client);
        System.out.println(TerminalText.oneLine(done(g)));
        return 0;
      } catch (dev.ztchat.client.UnconfirmedSendException e) {
        System.err.println(TerminalText.notice("group: " + e.getMessage()));
        return 6;
      } catch (GroupChangeRefusedException | UnknownGroupException e) {
        System.err.println(TerminalText.notice("group: refused: " + e.getMessage()));
        return 4;
      } catch (UntrustedContactException | PeerKeysWithheldException e) {
        System.err.println(TerminalText.notice("group: refused: " + RemedyText.explain(e)));
        return 4;
      } catch (MessageTooLongException e) {
        System.err.println(TerminalText.notice("group: refused: " + e.getMessage()));
        return 4;
      }
    }
  }

  static String validGroup(String name) {
    String bare = name.startsWith("#") ? name.substring(1) : name;
    int tilde = bare.indexOf('~');
    String base = tilde < 0 ? bare : bare.substring(0, tilde);
    if (!GroupName.isValid(base)) {
      throw new UserError(
          "'"
              + name
              + "' is not a valid group name: 1 to "
              + GroupName.MAX_LENGTH
              + " characters a-z, 0-9, '.', '_' or '-', starting with a letter or digit",
          2);
    }
    return bare;
  }

  static String validUser(String name, String what) {
    if (!IdentityName.isValid(name)) {
      throw new UserError(what + " '" + name + "' is not a valid user name", 2);
    }
    return name;
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create a group with you as its admin and tell its members.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:done: the server took the change for the members",
        "1:error (connection, certificates, ...)",
        "2:bad usage (a name that is not valid)",
        "4:refused: the group's rule does not allow it, a member's keys do not verify or are"
            + " not available in version 2",
        "6:not confirmed: the connection was lost before the server answered; the group was"
            + " created on this device and most likely reached the members",
        "7:this identity is already in use by another ztchat process (client, send or recv)",
      })
  static final class Create extends Change {
    @Parameters(index = "0", paramLabel = "NAME", description = "The group's name, e.g. team.")
    String name;

    @Option(
        names = "--members",
        required = true,
        split = ",",
        paramLabel = "USER",
        description = "The other members' user names, separated by commas.")
    List<String> members = new ArrayList<>();

    @Override
    GroupView change(ChatClient client) throws Exception {
      String bare = validGroup(name);
      for (String m : members) {
        validUser(m, "--members:");
      }
      return client.createGroup(bare, members);
    }

    @Override
    String done(GroupView g) {
      return "created "
          + g.shown()
          + " with "
          + String.join(", ", g.members())
          + " (group id "
          + g.idHex()
          + ")";
    }
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = "Add a member to a group you are an admin of.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:done: the server took the change for the members",
        "1:error (connection, certificates, ...)",
        "2:bad usage (a name that is not valid)",
        "4:refused: not an admin, no such group, or the new member's keys are not usable",
        "6:not confirmed: the connection was lost before the server answered",
        "7:this identity is already in use by another ztchat process (client, send or recv)",
      })
  static final class Add extends Change {
    @Parameters(index = "0", paramLabel = "NAME", description = "The group: team or #team.")
    String group;

    @Parameters(index = "1", paramLabel = "USER", description = "Who to add.")
    String user;

    @Override
    GroupView change(ChatClient client) throws Exception {
      return client.addToGroup(validGroup(group), validUser(user, "USER"));
    }

    @Override
    String done(GroupView g) {
      return "added " + user + " to " + g.shown() + "; members: " + String.join(", ", g.members());
    }
  }

  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description =
          "Remove a member from a group you are an admin of: nothing sent after it can be read"
              + " by them.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:done: the server took the change for the members",
        "1:error (connection, certificates, ...)",
        "2:bad usage (a name that is not valid)",
        "4:refused: not an admin, not a member, or no such group",
        "6:not confirmed: the connection was lost before the server answered",
        "7:this identity is already in use by another ztchat process (client, send or recv)",
      })
  static final class Remove extends Change {
    @Parameters(index = "0", paramLabel = "NAME", description = "The group: team or #team.")
    String group;

    @Parameters(index = "1", paramLabel = "USER", description = "Who to remove.")
    String user;

    @Override
    GroupView change(ChatClient client) throws Exception {
      return client.removeFromGroup(validGroup(group), validUser(user, "USER"));
    }

    @Override
    String done(GroupView g) {
      return "removed "
          + user
          + " from "
          + g.shown()
          + "; members: "
          + String.join(", ", g.members());
    }
  }

  @Command(
      name = "leave",
      mixinStandardHelpOptions = true,
      description = "Leave a group: its members are told, and you receive none of its messages.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:done: the server took the change for the members",
        "1:error (connection, certificates, ...)",
        "2:bad usage (a name that is not valid)",
        "4:refused: not a member, or no such group",
        "6:not confirmed: the connection was lost before the server answered",
        "7:this identity is already in use by another ztchat process (client, send or recv)",
      })
  static final class Leave extends Change {
    @Parameters(index = "0", paramLabel = "NAME", description = "The group: team or #team.")
    String group;

    @Override
    GroupView change(ChatClient client) throws Exception {
      return client.leaveGroup(validGroup(group));
    }

    @Override
    String done(GroupView g) {
      return "you left " + g.shown();
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "List the groups this device knows, one line each: the name shown (#team, or #team~2"
            + " when an earlier group has the same name), the members (admins marked *), the"
            + " version of the member list, and whether you were removed."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:listed",
        "1:error",
        "7:this identity is already in use by another ztchat process (client, send or recv)",
      })
  static final class ListGroups implements Callable<Integer> {
    @Mixin ClientOptions options;

    @Override
    public Integer call() throws IOException {
      System.setProperty(BoringSslProvider.SWITCH, "off");
      String me = options.resolveIdentity(null);
      try (ClientLogging logging =
              ClientLogging.routeTo(
                  line -> System.err.println(TerminalText.notice("group: " + line)));
          ChatClient client = ChatClient.connect(options.config(me), new OneShotNotices("group"))) {
        List<GroupView> all = client.groups();
        if (all.isEmpty()) {
          System.out.println("no groups on this device");
        }
        for (GroupView g : all) {
          System.out.println(TerminalText.oneLine(line(g)));
        }
        return 0;
      }
    }

    static String line(GroupView g) {
      List<String> members =
          g.members().stream().map(m -> g.admins().contains(m) ? m + "*" : m).toList();
      return g.shown()
          + "  members: "
          + String.join(", ", members)
          + "  (version "
          + g.version()
          + (g.removed() ? ", you are no longer a member" : "")
          + ")";
    }
  }
}
