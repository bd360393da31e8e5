"""Where a resident is in a round and what to do next, decided in one place for every page.

- `timeline(budget_round)`: the round's phases that exist, each with its start and whether it is the current one.
- `main_action(page, user, idea=None)`: the one thing to do now, by phase and by who is asking (anonymous
  visitors get the same action behind a login link that comes back to it).
- `published_results_page(...)` / `results_url(page)`: results are linked only once staff published a count
  (`RoundResult.published_at`; an unpublished count is a preview for staff).

Wired through ideas/templatetags/journey_tags.py into the round page, the home page's round box, the idea page
(templates/ideas/includes/main_action.html) and the site menu (templates/includes/header.html); templates only
render what this module returns.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ideas.models import BudgetRoundPage, RoundResult, Support
from ideas.models.rounds import PHASE_LABELS
from ideas.phases import Phase
from ideas.statuses import PUBLIC, Status


@dataclass(frozen=True)
class Step:
    """One phase of a round on its timeline."""

    phase: Phase
    label: str
    start: object  # datetime
    state: str  # "done", "current" or "next"

    @property
    def is_current(self):
        return self.state == "current"


@dataclass(frozen=True)
class Action:
    """A call to action: a link, or (with `post`) a button that sends a form to `url`."""

    label: str
    url: str
    kind: str  # what it is for: "submit", "support", "vote", "results"
    post: bool = False
    # Another way to do the same thing, e.g. voting with a code handed out on paper.
    alternatives: list = field(default_factory=list)


def timeline(budget_round, moment=None):
    """The phases of the round that exist, in order, with their start; the current one is marked."""
    current = budget_round.current_phase(moment)
    steps, seen_current = [], False
    for phase, start in budget_round.phase_dates().items():
        if start is None:
            continue
        if phase == current:
            state, seen_current = "current", True
        else:
            state = "next" if seen_current or current == Phase.UPCOMING else "done"
        steps.append(Step(Phase(phase), PHASE_LABELS[phase], start, state))
    return steps


def has_published_results(budget_round):
    return RoundResult.objects.filter(round=budget_round, published_at__isnull=False).exists()


def results_url(page):
    """The results page of a round page, or None while nothing is published."""
    if not has_published_results(page.budget_round):
        return None
    return page.url + page.reverse_subpage("results")


def published_results_page(locale):
    """The live round page of `locale` whose round most recently had results published, or None."""
    published = (
        RoundResult.objects.filter(published_at__isnull=False)
        .order_by("-published_at")
        .values_list("round_id", flat=True)
    )
    for round_id in published[:20]:
        page = BudgetRoundPage.objects.live().public().filter(budget_round_id=round_id, locale=locale).first()
        if page is not None:
            return page
    return None


def _login(target):
    return f"{reverse('account_login')}?{urlencode({'next': target})}"


def _subpage(page, name):
    return page.url + page.reverse_subpage(name)


def main_action(page, user, idea=None):
    """The main action on a round's pages now, or None when there is nothing to do (upcoming, review, results not
    yet published). With `idea`, the action about that idea (support it, vote) on its page."""
    budget_round = page.budget_round
    phase = budget_round.current_phase()
    anonymous = not user.is_authenticated
    if idea is not None:
        return _idea_action(page, user, idea, phase)
    if phase == Phase.SUBMISSION:
        target = _subpage(page, "new_idea")
        if anonymous:
            return Action(_("Log in to submit an idea"), _login(target), "submit")
        return Action(_("Submit an idea"), target, "submit")
    if phase == Phase.SUPPORT:
        target = page.url + "#ideas"
        if anonymous:
            return Action(_("Log in to support ideas"), _login(page.url), "support")
        return Action(_("Support ideas"), target, "support")
    if phase == Phase.VOTING:
        return _vote_action(page, anonymous)
    if phase in (Phase.RESULTS, Phase.IMPLEMENTATION):
        url = results_url(page)
        return Action(_("See the results"), url, "results") if url else None
    return None


def _vote_action(page, anonymous):
    code = [(_("Vote with a code"), _subpage(page, "vote_with_code"))]
    target = _subpage(page, "vote")
    if anonymous:
        return Action(_("Log in to vote"), _login(target), "vote", alternatives=code)
    return Action(_("Vote"), target, "vote", alternatives=code)


def _idea_action(page, user, idea, phase):
    if idea.status not in PUBLIC:
        return None
    if phase == Phase.SUPPORT:
        if not user.is_authenticated:
            return Action(_("Log in to support"), _login(page.idea_url(idea)), "support")
        if (
            user.has_perm("ideas.support_idea", idea)
            and not Support.objects.filter(idea=idea, user=user).exists()
        ):
            return Action(_("Support this idea"), page.idea_url(idea, "support"), "support", post=True)
        return None
    if phase == Phase.VOTING and idea.status == Status.ON_BALLOT:
        return _vote_action(page, not user.is_authenticated)
    if phase in (Phase.RESULTS, Phase.IMPLEMENTATION):
        url = results_url(page)
        return Action(_("See the results"), url, "results") if url else None
    return None
