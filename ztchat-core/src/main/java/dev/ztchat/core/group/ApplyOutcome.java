package dev.ztchat.core.group;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * What {@link GroupTimeline#apply} did with a change (docs/v2/groups.md section 6); every case
 * except {@link Duplicate} is something the user is told.
 */
public sealed interface ApplyOutcome {

  /**
   * The change chained and was applied, and so were any pending changes it connected: {@code
   * applied} lists them in order, the incoming one first.
   */
  record Applied(GroupState state, List<AuthoredChange> applied) implements ApplyOutcome {
    public Applied {
      requireNonNull(state, "state");
      applied = List.copyOf(applied);
    }
  }

  /**
   * This client was not a member (it had been removed or had left) and an admin added it again: the
   * state is adopted as the admin states it, and older pending changes are forgotten.
   */
  record Welcome(GroupState state) implements ApplyOutcome {
    public Welcome {
      requireNonNull(state, "state");
    }
  }

  /** The change was applied before (or is pending already): nothing changed. */
  record Duplicate() implements ApplyOutcome {}

  /**
   * The change does not chain yet (it is for a later version, or follows a version this client has
   * not received): it is kept until the chain connects. {@code dropped} is the oldest pending
   * change, forgotten because more than {@link GroupTimeline#MAX_PENDING} were waiting.
   */
  record Pending(int pendingCount, Optional<AuthoredChange> dropped) implements ApplyOutcome {
    public Pending {
      requireNonNull(dropped, "dropped");
    }
  }

  /**
   * A concurrent change to the same version with a lower hash won: the states in {@code undone}
   * (oldest first) are no longer part of the group's history, {@code state} is current, and {@code
   * applied} lists the winner and any pending changes that then chained.
   */
  record Replaced(GroupState state, List<GroupState> undone, List<AuthoredChange> applied)
      implements ApplyOutcome {
    public Replaced {
      requireNonNull(state, "state");
      undone = List.copyOf(undone);
      applied = List.copyOf(applied);
    }
  }

  /** The change breaks the rule or lost to a concurrent one; the state is unchanged. */
  record Refused(String reason) implements ApplyOutcome {
    public Refused {
      requireNonNull(reason, "reason");
    }
  }
}
