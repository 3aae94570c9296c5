/**
 * Group conversations over version 2 (docs/v2/groups.md): the group's identity ({@link
 * dev.ztchat.core.group.GroupId}), its signed, hash-chained membership ({@link
 * dev.ztchat.core.group.GroupState}, {@link dev.ztchat.core.group.GroupChange}), the rule of who
 * may change it ({@link dev.ztchat.core.group.GroupRules}) and how a member's client applies
 * changes that arrive late, twice, out of order or concurrently ({@link
 * dev.ztchat.core.group.GroupTimeline}).
 *
 * <p>Nothing here encrypts: a group message is one version-2 envelope sealed pairwise to every
 * member's devices (docs/v2/messages.md), and the author of a change is that envelope's verified
 * sender, never a field of the change.
 */
package dev.ztchat.core.group;
