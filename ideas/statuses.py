"""The status lifecycle of an idea: which status may follow which, and which are public. Plain Python."""

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Status(TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    PUBLISHED = "published", _("Published")
    NEEDS_CHANGES = "needs_changes", _("Needs changes")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged into another idea")
    UNDER_ASSESSMENT = "under_assessment", _("Under assessment")
    FEASIBLE = "feasible", _("Feasible")
    NOT_FEASIBLE = "not_feasible", _("Not feasible")
    ON_BALLOT = "on_ballot", _("On the ballot")
    SELECTED = "selected", _("Selected")
    NOT_SELECTED = "not_selected", _("Not selected")
    IN_IMPLEMENTATION = "in_implementation", _("In implementation")
    COMPLETED = "completed", _("Completed")


S = Status
TRANSITIONS = {
    S.DRAFT: {S.SUBMITTED},
    S.SUBMITTED: {S.PUBLISHED, S.NEEDS_CHANGES, S.REJECTED, S.MERGED},
    S.NEEDS_CHANGES: {S.SUBMITTED},
    S.PUBLISHED: {S.UNDER_ASSESSMENT, S.REJECTED, S.MERGED},
    S.UNDER_ASSESSMENT: {S.FEASIBLE, S.NOT_FEASIBLE, S.MERGED},
    S.FEASIBLE: {S.ON_BALLOT, S.UNDER_ASSESSMENT},
    S.NOT_FEASIBLE: {S.UNDER_ASSESSMENT},
    S.ON_BALLOT: {S.SELECTED, S.NOT_SELECTED},
    S.SELECTED: {S.IN_IMPLEMENTATION},
    S.IN_IMPLEMENTATION: {S.COMPLETED},
    S.REJECTED: set(),
    S.MERGED: set(),
    S.NOT_SELECTED: set(),
    S.COMPLETED: set(),
}

# Visible to everyone; the rest only to the author and moderators.
PUBLIC = frozenset(TRANSITIONS) - {S.DRAFT, S.SUBMITTED, S.NEEDS_CHANGES}
# Shown in the default list (rejected and merged ideas only when asked for).
LISTED = PUBLIC - {S.REJECTED, S.MERGED}
# The author may still edit.
EDITABLE = frozenset({S.DRAFT, S.NEEDS_CHANGES})
# A reason is required, and it is shown publicly.
NEEDS_REASON = frozenset({S.NEEDS_CHANGES, S.REJECTED, S.NOT_FEASIBLE})
# Waiting for a moderator.
AWAITING_MODERATION = frozenset({S.SUBMITTED})


def can_follow(current, new):
    return Status(new) in TRANSITIONS[Status(current)]
