"""Wagtail admin registration of participation: permission policies, the "Participation" menu with its
viewsets (ideas/moderation/), bulk actions on ideas, and the audit-log actions of moderation."""

from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from ideas.models import Comment, Idea, Report
from ideas.moderation.ideas import (
    CompleteBulkAction,
    OnBallotBulkAction,
    PublishBulkAction,
    RejectBulkAction,
    StartImplementationBulkAction,
)
from ideas.moderation.permissions import (
    COMMENT_PERMISSIONS,
    IDEA_PERMISSIONS,
    REPORT_PERMISSIONS,
    RulesPermissionPolicy,
)
from ideas.moderation.viewsets import ParticipationGroup
from ideas.partners import PARTNER_ACTIONS
from ideas.statuses import Status

# Before any viewset asks for a policy: Wagtail would otherwise create a fallback policy and refuse ours.
register_permission_policy(Idea, RulesPermissionPolicy(Idea, IDEA_PERMISSIONS))
register_permission_policy(Comment, RulesPermissionPolicy(Comment, COMMENT_PERMISSIONS))
register_permission_policy(Report, RulesPermissionPolicy(Report, REPORT_PERMISSIONS))


@hooks.register("register_admin_viewset")
def register_participation_viewsets():
    from ideas.moderation.delivery import DeliveryViewSet
    from ideas.moderation.identity import IdentityViewSet
    from ideas.moderation.partners import PARTNER_VIEWSETS
    from ideas.moderation.workshops import WorkshopViewSet

    group = ParticipationGroup()
    # Identity checks (ideas/moderation/identity.py) join the Participation menu after the voting desk.
    group.registerables.append(IdentityViewSet())
    # Budget think-tank workshops (ideas/moderation/workshops.py).
    group.registerables.append(WorkshopViewSet())
    # Businesses backing ideas and the legal minimum (ideas/moderation/partners.py): organisations, pledges,
    # declared interests, tax revenue.
    group.registerables.extend(viewset() for viewset in PARTNER_VIEWSETS)
    # Delivery of funded ideas (ideas/moderation/delivery.py): status, milestones, updates, delivered impact.
    group.registerables.append(DeliveryViewSet())
    return group


hooks.register("register_bulk_action", PublishBulkAction)
hooks.register("register_bulk_action", RejectBulkAction)
hooks.register("register_bulk_action", OnBallotBulkAction)
hooks.register("register_bulk_action", StartImplementationBulkAction)
hooks.register("register_bulk_action", CompleteBulkAction)


@hooks.register("construct_homepage_panels")
def add_waiting_work_panel(request, panels):
    # What waits for moderators and the voting desk (ideas/moderation/dashboard.py); nothing for others.
    from ideas.moderation.dashboard import WaitingWorkPanel

    panel = WaitingWorkPanel(request.user)
    if panel.items:
        panels.insert(0, panel)


STATUS_LOG_LABEL = gettext_noop("Idea status: %(status)s")
STATUS_LOG_MESSAGE = gettext_noop("Idea status changed to “%(status)s”")


def _interpolated(message, status):
    return gettext(message) % {"status": status.label}


_interpolated_lazy = lazy(_interpolated, str)


# The voting desk (ideas/moderation/voting.py) logs these on the round.
VOTING_DESK_ACTIONS = (
    ("ideas.voting.codes_issued", _("Issue voting codes"), _("Voting codes issued")),
    ("ideas.voting.code_handed_out", _("Hand out voting code"), _("Voting code handed out")),
    ("ideas.voting.codes_voided", _("Void voting codes"), _("Unused voting codes voided")),
    ("ideas.voting.paper_voter", _("Register paper voter"), _("Paper voter registered")),
    ("ideas.voting.paper_entered", _("Type in paper ballot"), _("Paper ballot typed in")),
    ("ideas.voting.paper_confirmed", _("Confirm paper ballot"), _("Paper ballot confirmed")),
    ("ideas.voting.paper_rejected", _("Reject paper ballot"), _("Typed-in paper ballot rejected")),
    ("ideas.voting.open", _("Open voting"), _("Voting opened")),
    ("ideas.voting.close", _("Close voting"), _("Voting closed")),
    ("ideas.voting.publish", _("Publish results"), _("Results published")),
    ("ideas.round.create", _("Create budget round"), _("Budget round created with its pages")),
    ("ideas.ballot.build", _("Build the ballot"), _("Ideas put on the ballot")),
    ("ideas.round.implementation", _("Start implementation"), _("Funded ideas moved to implementation")),
    ("ideas.round.completed", _("Mark completed"), _("Ideas marked completed")),
    ("ideas.delivery.start", _("Start following delivery"), _("Delivery of a funded idea started")),
    ("ideas.delivery.state", _("Change delivery status"), _("Delivery status changed")),
    ("ideas.delivery.progress", _("Record progress"), _("Delivery progress recorded")),
    ("ideas.delivery.schedule", _("Plan completion"), _("Planned completion changed")),
    ("ideas.delivery.cost", _("Record final cost"), _("Final cost recorded")),
    ("ideas.delivery.milestone", _("Plan milestone"), _("Milestone planned")),
    ("ideas.delivery.milestone_reached", _("Mark milestone reached"), _("Milestone reached")),
    ("ideas.delivery.update", _("Post delivery update"), _("Delivery update posted")),
    ("ideas.delivery.impact", _("Record delivered impact"), _("Delivered impact recorded")),
    ("ideas.voting.count", _("Count votes"), _("Count started")),
    ("ideas.voting.keys_made", _("Make counting keys"), _("Counting keys made")),
    ("ideas.voting.box_opened", _("Open the ballot box"), _("Ballot box opened")),
    ("ideas.voting.eligibility_override", _("Allow a person to vote"), _("Eligibility exception granted")),
)


PARTICIPATION_ACTIONS = (
    ("ideas.support.give", _("Support idea"), _("Idea supported")),
    ("ideas.support.withdraw", _("Withdraw support"), _("Support withdrawn")),
    ("ideas.follow.start", _("Follow idea"), _("Idea followed")),
    ("ideas.follow.stop", _("Stop following idea"), _("Idea no longer followed")),
    ("ideas.comment.add", _("Comment"), _("Comment written")),
    ("ideas.report.add", _("Report"), _("Reported to the moderators")),
)


@hooks.register("register_log_actions")
def register_idea_log_actions(actions):
    for status in Status:
        actions.register_action(
            f"ideas.status.{status.value}",
            # Lazy all the way: the labels are read in the admin user's language, not at start-up.
            _interpolated_lazy(STATUS_LOG_LABEL, status),
            _interpolated_lazy(STATUS_LOG_MESSAGE, status),
        )
    actions.register_action("ideas.idea.assess", _("Assess idea"), _("Idea assessed"))
    actions.register_action("ideas.comment.hide", _("Hide comment"), _("Comment hidden"))
    actions.register_action("ideas.comment.unhide", _("Unhide comment"), _("Comment shown again"))
    actions.register_action("ideas.report.resolve", _("Resolve report"), _("Report resolved"))
    # Residents' own actions, written by ideas/participation.py.
    for action, label, message in PARTICIPATION_ACTIONS:
        actions.register_action(action, label, message)
    for action, label, message in VOTING_DESK_ACTIONS:
        actions.register_action(action, label, message)
    # Businesses backing ideas, workshops and the legal minimum (ideas/partners/, ideas/workshops.py).
    for action, label in PARTNER_ACTIONS.items():
        actions.register_action(action, label, label)
    # Identity for voting (ideas/voting/identity.py), logged on the resident's profile.
    actions.register_action("ideas.identity.link", _("Confirm person"), _("Person confirmed for the account"))
    actions.register_action("ideas.identity.move", _("Move person"), _("Person moved to another account"))
