"""A budget round's lifecycle as staff run it in the Wagtail admin, one front door per step (each checks its rule
in ideas/rules.py and writes the audit entry):

- `create_round`: the round and its page in Latvian and English, in the menu, in one transaction
  (ideas/moderation/rounds.py, "New budget round");
- `build_ballot`: feasible ideas go on the ballot through ideas/services.change_status, so that each gets its
  public history entry (the ballot builder at the voting desk, the idea's moderation page, the bulk action);
- `start_implementation` / `complete`: funded ideas move on once the results are published.

Opening and closing the vote and publishing a count are in ideas/voting/closing.py and ideas/voting/results.py.
`voting_problems` and `waiting_work` say what still stands in the way; the desk and the dashboard show them.
`legal_minimum_warnings` says when the round's budget is below the legal minimum (ideas/legal_minimum.py) or the
revenue to check it is missing: a warning only, it never stops voting from opening.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.log_actions import log
from wagtail.models import Locale

from ideas.models import BudgetRound, BudgetRoundPage, CensusEntry, Idea, StatusChange, VoterRecord
from ideas.phases import Phase
from ideas.services import change_status
from ideas.statuses import Status

# How long before the scheduled start of voting the desk and the dashboard warn about what is missing.
WARN_BEFORE_VOTING = datetime.timedelta(days=14)


def _check(user, permission, obj):
    # `user=None` is the system itself (the demo loader, a command): no person to ask.
    if user is not None and not user.has_perm(permission, obj):
        raise PermissionDenied


# Creating a round ------------------------------------------------------------------------------------------


def _free_slug(parent, title, fallback):
    base = slugify(title)[:70] or fallback
    slug, number = base, 2
    while parent.get_children().filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def create_round(user, *, pages, **fields):
    """Create a BudgetRound from `fields` and its BudgetRoundPage under the home page in the default language
    (Latvian), with its English translation, both published and shown in the menu. `pages` maps a language
    code to {"title", "intro"}. Raises ValidationError (the round's own checks) or PermissionDenied."""
    from home.models import HomePage

    _check(user, "ideas.create_round", None)
    budget_round = BudgetRound(**fields)
    budget_round.full_clean()
    budget_round.save()
    default = Locale.get_default()
    home = HomePage.objects.filter(locale=default).first()
    if home is None:
        raise ValidationError(_("The site has no home page to put the round's page under."))
    texts = pages[default.language_code]
    page = BudgetRoundPage(
        title=texts["title"],
        slug=_free_slug(home, texts["title"], f"round-{budget_round.pk}"),
        intro=texts["intro"],
        budget_round=budget_round,
        show_in_menus=True,
        locale=default,
    )
    home.add_child(instance=page)
    page.save_revision(user=user, log_action=True).publish(user=user)
    translations = {}
    for language, texts in pages.items():
        if language == default.language_code:
            continue
        locale = Locale.objects.get(language_code=language)
        translation = page.copy_for_translation(locale)
        translation.title = texts["title"]
        translation.intro = texts["intro"]
        translation.slug = _free_slug(translation.get_parent(), texts["title"], f"round-{budget_round.pk}")
        translation.show_in_menus = True
        translation.save_revision(user=user, log_action=True).publish(user=user)
        translations[language] = translation
    log(
        instance=budget_round,
        action="ideas.round.create",
        user=user,
        data={"page": page.pk, "translations": {lang: p.pk for lang, p in translations.items()}},
    )
    return budget_round, page


# The ballot ------------------------------------------------------------------------------------------------


def ballot_areas(budget_round):
    """[None] for a round with one ballot, else each area that has a budget of its own (as counted)."""
    from ideas.voting.closing import areas_to_count

    return areas_to_count(budget_round)


def ballot_candidates(budget_round, area=None):
    """Feasible ideas and those already on the ballot (of one area for a round with a ballot per area), with
    `support_total` and `meets_threshold` against the round's minimum_supports."""
    ideas = Idea.objects.filter(round=budget_round, status__in=[Status.FEASIBLE, Status.ON_BALLOT])
    if area is not None:
        ideas = ideas.filter(area=area)
    ideas = list(ideas.annotate(support_total=Count("supports")).order_by("-support_total", "title"))
    for idea in ideas:
        idea.meets_threshold = idea.support_total >= budget_round.minimum_supports
    return ideas


def ballot_is_frozen(budget_round):
    """Why the ballot can no longer change (voting opened or somebody voted), else None."""
    if (
        budget_round.voting_opened_at
        or budget_round.voting_closed_at
        or budget_round.current_phase() in (Phase.RESULTS, Phase.IMPLEMENTATION)
    ):
        return _("Voting has been opened: the ballot can no longer change.")
    if VoterRecord.objects.filter(round=budget_round).exists():
        return _("Somebody has voted already: the ballot can no longer change.")
    return None


def build_ballot(budget_round, ideas, user, reason=""):
    """Put `ideas` (feasible ideas of the round) on the ballot, all or none. An idea with fewer supports than the
    round's minimum_supports goes on only when staff give a `reason`; it is kept in each such idea's public
    history. Ideas already on the ballot are left as they are. Returns the ideas that changed."""
    _check(user, "ideas.build_ballot", budget_round)
    if frozen := ballot_is_frozen(budget_round):
        raise ValidationError(frozen)
    reason = (reason or "").strip()
    supports = dict(
        Idea.objects.filter(pk__in=[idea.pk for idea in ideas])
        .annotate(n=Count("supports"))
        .values_list("pk", "n")
    )
    changed = []
    with transaction.atomic():
        for idea in sorted(ideas, key=lambda idea: idea.pk):
            if idea.round_id != budget_round.pk:
                raise ValidationError(_("“%(title)s” belongs to another round.") % {"title": idea.title})
            if idea.status == Status.ON_BALLOT:
                continue
            below = supports.get(idea.pk, 0) < budget_round.minimum_supports
            if below and not reason:
                raise ValidationError(
                    _(
                        "“%(title)s” has %(count)s of the %(needed)s supports needed; give a reason to put it "
                        "on the ballot all the same."
                    )
                    % {
                        "title": idea.title,
                        "count": supports.get(idea.pk, 0),
                        "needed": budget_round.minimum_supports,
                    }
                )
            changed.append(
                change_status(
                    idea,
                    Status.ON_BALLOT,
                    user=user,
                    role=StatusChange.Role.STAFF,
                    reason=reason if below else "",
                )
            )
        if changed:
            log(
                instance=budget_round,
                action="ideas.ballot.build",
                user=user,
                data={"ideas": [idea.pk for idea in changed], "reason": reason},
            )
    return changed


# Implementation --------------------------------------------------------------------------------------------


def _move(budget_round, ideas, user, target, action):
    _check(user, "ideas.implement_idea", budget_round)
    changed = []
    with transaction.atomic():
        for idea in ideas:
            if idea.round_id != budget_round.pk:
                raise ValidationError(_("“%(title)s” belongs to another round.") % {"title": idea.title})
            changed.append(change_status(idea, target, user=user, role=StatusChange.Role.STAFF))
        if changed:
            log(instance=budget_round, action=action, user=user, data={"ideas": [i.pk for i in changed]})
    return changed


def start_implementation(budget_round, user, ideas=None):
    """Move the round's funded ideas (all selected ones unless `ideas` is given) to "in implementation".
    Only once a count is published; a second call finds nothing left to move and changes nothing."""
    if not budget_round.results.filter(published_at__isnull=False).exists():
        raise ValidationError(_("Publish the results first: only funded ideas go on to implementation."))
    if ideas is None:
        ideas = list(Idea.objects.filter(round=budget_round, status=Status.SELECTED).order_by("pk"))
    return _move(budget_round, ideas, user, Status.IN_IMPLEMENTATION, "ideas.round.implementation")


def complete(budget_round, ideas, user):
    """Mark ideas in implementation as completed."""
    return _move(budget_round, ideas, user, Status.COMPLETED, "ideas.round.completed")


# What stands in the way -------------------------------------------------------------------------------------


def empty_ballots(budget_round):
    """Names of the ballots without an idea on them: "" for a round's single ballot, else each area's name."""
    from ideas.voting.casting import ballot_ideas

    empty = []
    for area in ballot_areas(budget_round):
        if not ballot_ideas(budget_round, area).exists():
            empty.append(area.localized_name() if area else "")
    return empty


def voting_problems(budget_round):
    """What stops voting from opening, in words for staff (empty when nothing does)."""
    problems = []
    empty = empty_ballots(budget_round)
    if empty == [""]:
        problems.append(_("The ballot is empty: put ideas on it first."))
    elif empty:
        problems.append(
            ngettext(
                "The ballot of %(areas)s is empty: put ideas on it first.",
                "The ballots of these areas are empty: %(areas)s. Put ideas on them first.",
                len(empty),
            )
            % {"areas": ", ".join(empty)}
        )
    if not ballot_areas(budget_round):
        problems.append(_("The round votes by area but no area has a budget: add the budgets per area."))
    if not CensusEntry.objects.exists():
        problems.append(_("The census list is empty: load it at the voting desk first."))
    if not budget_round.counting_public_key:
        problems.append(
            _("The counting keys are not made yet: nobody could vote. Make them at the voting desk.")
        )
    return problems


def voting_soon_with_problems(budget_round, moment=None):
    """The problems to warn about: only while voting is near (WARN_BEFORE_VOTING) or its date has passed
    without voting being closed; else []."""
    moment = moment or timezone.now()
    if budget_round.voting_opened_at or budget_round.voting_closed_at:
        return []
    if budget_round.current_phase(moment) in (Phase.RESULTS, Phase.IMPLEMENTATION):
        return []
    if budget_round.voting_starts - moment > WARN_BEFORE_VOTING:
        return []
    return voting_problems(budget_round)


def legal_minimum_warnings(budget_round):
    """Warnings for staff about the legal minimum of a participatory budget (the voting desk's round page and
    its "Open voting" step; the dashboard asks legal_minimum.budget_below_minimum itself):
    how far the round's budget is below it, or which years' tax revenue to enter to check it. Never part of
    `voting_problems`: the law's minimum is the council's responsibility, not a reason to keep voting shut."""
    from django.utils.translation import get_language

    from ideas.legal_minimum import round_minimum
    from ideas.text.formats import money

    legal = round_minimum(budget_round)
    if not legal.known:
        years = ", ".join(str(year) for year in legal.missing)
        return [
            ngettext(
                "The legal minimum of the budget cannot be checked: enter the tax revenue of %(years)s under "
                "Participation → Tax revenue.",
                "The legal minimum of the budget cannot be checked: enter the tax revenue of these years under "
                "Participation → Tax revenue: %(years)s.",
                len(legal.missing),
            )
            % {"years": years}
        ]
    shortfall = legal.shortfall(budget_round.total_budget)
    if not shortfall:
        return []
    language = get_language()
    return [
        _(
            "The round's budget of %(budget)s is %(shortfall)s below the legal minimum of %(minimum)s (0.5 %% of "
            "the average personal income tax and real estate tax revenue of %(years)s)."
        )
        % {
            "budget": money(budget_round.total_budget, language),
            "shortfall": money(shortfall, language),
            "minimum": money(legal.minimum, language),
            "years": f"{legal.years[0]}\N{EN DASH}{legal.years[-1]}",
        }
    ]


def unpublished_counts(budget_round):
    """Finished counts of a round that wait to be published: counts newer than its newest published one."""
    from ideas.models import RoundResult

    results = RoundResult.objects.filter(round=budget_round)
    published = results.filter(published_at__isnull=False).order_by("-created_at").first()
    waiting = results.filter(published_at__isnull=True)
    if published is not None:
        waiting = waiting.filter(created_at__gt=published.created_at)
    return waiting
