"""The moderators' panel on the Wagtail dashboard (hook `construct_homepage_panels` in ideas/wagtail_hooks.py):
what waits for them, each with a link, and only what the user's rules (ideas/rules.py) let them act on: ideas
to moderate, open reports, typed-in paper ballots to confirm, rounds whose voting is near or due while the
ballot, the census list or the counting keys are missing, rounds whose budget is below the legal minimum, counts
waiting to be published, and the businesses' work (organisations waiting for verification, offered pledges
waiting for confirmation, declared interests waiting for review; screens in ideas/moderation/partners.py)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.admin.ui.components import Component

from ideas import legal_minimum, lifecycle
from ideas.models import (
    BudgetRound,
    CountJob,
    DeclaredInterest,
    Idea,
    Organisation,
    PaperBallotEntry,
    Pledge,
    Report,
)
from ideas.phases import Phase
from ideas.statuses import AWAITING_MODERATION
from ideas.templatetags.kopa_format import money


def partner_items(user):
    """[{"text", "url", "urgent"}] of the businesses' work waiting for `user`, each linked to its screen."""
    from ideas.moderation import partners

    items = []
    checks = (
        (
            partners.VERIFY_PERMISSION,
            Organisation.objects.filter(state=Organisation.State.PENDING),
            lambda n: ngettext(
                "%(count)s organisation waits for verification",
                "%(count)s organisations wait for verification",
                n,
            ),
            reverse(f"{partners.ORGANISATIONS}:index") + "?state=pending",
        ),
        (
            partners.PLEDGE_DESK_PERMISSION,
            Pledge.objects.filter(state=Pledge.State.OFFERED),
            lambda n: ngettext(
                "%(count)s offered pledge waits for confirmation",
                "%(count)s offered pledges wait for confirmation",
                n,
            ),
            reverse(f"{partners.PLEDGES}:index") + "?state=offered",
        ),
        (
            partners.REVIEW_PERMISSION,
            DeclaredInterest.objects.filter(decision=DeclaredInterest.Decision.PENDING),
            lambda n: ngettext(
                "%(count)s declared interest waits for review",
                "%(count)s declared interests wait for review",
                n,
            ),
            reverse(f"{partners.INTERESTS}:index") + "?decision=pending",
        ),
    )
    for permission, waiting, text, url in checks:
        if not user.has_perm(permission):
            continue
        count = waiting.count()
        if count:
            items.append({"text": text(count) % {"count": count}, "url": url, "urgent": False})
    return items


def waiting_items(user):
    """[{"text", "url", "urgent"}] of what waits for `user`."""
    items = []
    if user.has_perm("ideas.view_moderation_queue"):
        waiting = Idea.objects.filter(status__in=AWAITING_MODERATION).count()
        if waiting:
            items.append(
                {
                    "text": ngettext(
                        "%(count)s idea waits for moderation", "%(count)s ideas wait for moderation", waiting
                    )
                    % {"count": waiting},
                    "url": reverse("wagtailsnippets_ideas_idea:list") + "?status=submitted",
                    "urgent": False,
                }
            )
        reports = Report.objects.filter(resolved_at__isnull=True).count()
        if reports:
            items.append(
                {
                    "text": ngettext("%(count)s open report", "%(count)s open reports", reports)
                    % {"count": reports},
                    "url": reverse("ideas_report:index"),
                    "urgent": False,
                }
            )
    items.extend(partner_items(user))
    if not user.has_perm("ideas.view_voting_desk"):
        return items
    pending = (
        PaperBallotEntry.objects.filter(state=PaperBallotEntry.State.PENDING)
        .values("round", "round__name")
        .annotate(n=Count("pk"))
        .order_by("round")
    )
    for row in pending:
        items.append(
            {
                "text": ngettext(
                    "%(round)s: %(count)s typed-in paper ballot to confirm",
                    "%(round)s: %(count)s typed-in paper ballots to confirm",
                    row["n"],
                )
                % {"round": row["round__name"], "count": row["n"]},
                "url": reverse("voting_desk:paper", args=[row["round"]]),
                "urgent": False,
            }
        )
    # Only rounds whose vote has not closed can still lack a ballot, census list or keys.
    open_rounds = BudgetRound.objects.filter(voting_closed_at__isnull=True).filter(
        Q(voting_opened_at__isnull=True)
    )
    for budget_round in open_rounds.order_by("voting_starts"):
        problems = lifecycle.voting_soon_with_problems(budget_round)
        if problems:
            items.append(
                {
                    "text": _("%(round)s: voting starts on %(date)s, but: %(problems)s")
                    % {
                        "round": budget_round.name,
                        "date": budget_round.voting_starts.strftime("%Y-%m-%d"),
                        "problems": " ".join(problems),
                    },
                    "url": reverse("voting_desk:round", args=[budget_round.pk]),
                    "urgent": True,
                }
            )
        # Below the legal minimum: a warning while the budget can still change (never a reason to stop voting).
        if budget_round.current_phase() not in (Phase.RESULTS, Phase.IMPLEMENTATION):
            shortfall = legal_minimum.budget_below_minimum(budget_round)
            if shortfall:
                items.append(
                    {
                        "text": _("%(round)s: the budget is %(shortfall)s below the legal minimum")
                        % {"round": budget_round.name, "shortfall": money(shortfall)},
                        "url": reverse("voting_desk:round", args=[budget_round.pk]),
                        "urgent": True,
                    }
                )
    for budget_round in BudgetRound.objects.filter(results__published_at__isnull=True).distinct():
        waiting = lifecycle.unpublished_counts(budget_round)
        if not waiting.exists() or not user.has_perm("ideas.publish_results", budget_round):
            continue
        ids = set(waiting.values_list("pk", flat=True))
        job = next(
            (
                job
                for job in CountJob.objects.filter(round=budget_round, state=CountJob.State.DONE)
                if ids & set(job.result_ids)
            ),
            None,
        )
        url = (
            reverse("voting_desk:job", args=[budget_round.pk, job.pk])
            if job
            else reverse("voting_desk:round", args=[budget_round.pk])
        )
        items.append(
            {
                "text": _("%(round)s: a count waits to be checked and published")
                % {"round": budget_round.name},
                "url": url,
                "urgent": True,
            }
        )
    return items


class WaitingWorkPanel(Component):
    """The dashboard panel "Waiting for you" (ideas/wagtail_hooks.add_waiting_work_panel)."""

    name = "ideas_waiting_work"
    order = 50
    template_name = "ideas/admin/dashboard_panel.html"

    def __init__(self, user):
        self.items = waiting_items(user)

    def get_context_data(self, parent_context):
        return {"items": self.items}
