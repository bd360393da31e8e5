"""Closing the vote and counting it from the voting desk (ideas/moderation/voting.py).

`open_voting` opens the vote now once the ballot, the census list and the counting keys are ready (the round's
dates move, see opening_plan); `close_voting` ends the voting phase now (the round's results date moves to this
moment). Both are idempotent: a second call changes nothing and returns False. `start_count` is the
one front door to a count, used by the desk, `manage.py count_round` and the API alike: it checks that the round
can be counted, opens the ballot box with the election commission's private key when it is still sealed
(ideas/voting/ballot_box.py; in the request, so that the key never enters a task queue), writes the audit entry
and queues `run_count_job`, a django-tasks task that counts the round (each area on its own when the round has a
ballot per area) with ideas/voting/results.count_round and records its progress on the CountJob. A count is a
private preview for staff until ideas/voting/results.publish_results publishes it.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task
from wagtail.log_actions import log

from ideas.counting import RULES
from ideas.models import BudgetRound, CountJob, PaperBallotEntry, SealedBallot
from ideas.phases import Feature, Phase, phase_allows
from ideas.voting import ballot_box

STALE_AFTER = datetime.timedelta(hours=1)  # the largest real elections count in seconds (bench/counting.py)


class CannotCount(Exception):
    """The round cannot be counted now; the message is for staff."""


class CannotOpen(Exception):
    """Voting cannot open now; the message is for staff."""


def areas_to_count(budget_round):
    """[None] for a round with one ballot, else each area that has a budget of its own."""
    if budget_round.ballot_scope == BudgetRound.BallotScope.AREA:
        return [area_budget.area for area_budget in budget_round.area_budgets.select_related("area")]
    return [None]


def opening_plan(budget_round, moment=None):
    """The dates the round gets when voting opens at `moment` (the confirmation page shows them): voting starts
    now, and earlier phases that had not started yet are skipped (they start now too). The planned end of
    voting and the later dates stay: they are still ahead, since a round whose results date has passed is over
    and cannot open (why_not_openable)."""
    moment = moment or timezone.now()
    dates = {name: getattr(budget_round, name) for name in budget_round.phase_dates_fields()}
    if budget_round.current_phase(moment) == Phase.VOTING:
        return dates  # the voting date has passed already: opening only records the moment
    for name in ("submission_starts", "review_starts", "support_starts"):
        if dates[name] is not None and dates[name] > moment:
            dates[name] = moment
    dates["voting_starts"] = moment
    return dates


def why_not_openable(budget_round, moment=None):
    """None when voting can open now, else every reason for staff in one text."""
    moment = moment or timezone.now()
    if budget_round.voting_closed_at or budget_round.current_phase(moment) in (
        Phase.RESULTS,
        Phase.IMPLEMENTATION,
    ):
        return _("Voting in this round has closed already; it cannot open again.")
    from ideas.lifecycle import voting_problems

    problems = voting_problems(budget_round)
    return " ".join(problems) if problems else None


def open_voting(budget_round, user, moment=None):
    """Open the vote now: check that it can (ballot, census list, counting keys), move the dates
    (opening_plan) and record the moment. Returns False when voting was open already (nothing changes, no second
    audit entry); raises CannotOpen with the reasons for staff."""
    from ideas.lifecycle import _check

    moment = moment or timezone.now()
    _check(user, "ideas.open_voting", budget_round)
    caller = budget_round
    with transaction.atomic():
        budget_round = BudgetRound.objects.select_for_update().get(pk=budget_round.pk)
        if budget_round.voting_opened_at and budget_round.current_phase(moment) == Phase.VOTING:
            return False
        if reason := why_not_openable(budget_round, moment):
            raise CannotOpen(reason)
        for name, value in opening_plan(budget_round, moment).items():
            setattr(budget_round, name, value)
        budget_round.voting_opened_at = moment
        budget_round.full_clean()
        budget_round.save()
        log(
            instance=budget_round,
            action="ideas.voting.open",
            user=user,
            data={
                "voting_starts": budget_round.voting_starts.isoformat(),
                "rule": budget_round.counting_rule,
            },
        )
    _copy_dates(budget_round, caller)
    return True


def close_voting(budget_round, user, moment=None):
    """End the vote now: the results phase starts at this moment. Refused before voting; returns False when
    voting has closed already (nothing changes, no second audit entry)."""
    moment = moment or timezone.now()
    caller = budget_round
    with transaction.atomic():
        budget_round = BudgetRound.objects.select_for_update().get(pk=budget_round.pk)
        phase = budget_round.current_phase(moment)
        if budget_round.voting_closed_at or phase in (Phase.RESULTS, Phase.IMPLEMENTATION):
            return False
        if phase != Phase.VOTING:
            raise CannotCount(_("Voting is not open, so it cannot be closed."))
        from ideas.lifecycle import _check

        _check(user, "ideas.close_voting", budget_round)
        budget_round.results_published = moment
        budget_round.voting_closed_at = moment
        budget_round.save(update_fields=["results_published", "voting_closed_at"])
        log(instance=budget_round, action="ideas.voting.close", user=user)
    _copy_dates(budget_round, caller)
    return True


def _copy_dates(saved, caller):
    # The caller's object shows the new dates too, as when it was saved directly.
    for name in (*saved.phase_dates_fields(), "voting_opened_at", "voting_closed_at"):
        setattr(caller, name, getattr(saved, name))


def needs_key(budget_round):
    """Whether counting must first open the ballot box with the commission's private key: sealed ballots wait,
    or the round was sealed and not opened yet (imported rounds have no box)."""
    if budget_round.ballot_box_opened_at:
        return False
    return bool(budget_round.counting_public_key) or SealedBallot.objects.filter(round=budget_round).exists()


def why_not_countable(budget_round, moment=None):
    """None when the round can be counted now, else the reason for staff."""
    if not phase_allows(budget_round.current_phase(moment), Feature.COUNT):
        return _("A round is counted after voting has closed, in its results phase.")
    pending = PaperBallotEntry.objects.filter(
        round=budget_round, state=PaperBallotEntry.State.PENDING
    ).count()
    if pending:
        return ngettext(
            "%(count)s typed-in paper ballot still waits for a second person's confirmation; confirm or reject "
            "it before counting.",
            "%(count)s typed-in paper ballots still wait for a second person's confirmation; confirm or reject "
            "them before counting.",
            pending,
        ) % {"count": pending}
    from ideas.voting.paper import reconciliation

    over = [row["place"].name for row in reconciliation(budget_round) if row["over"]]
    if over:
        return _(
            "More confirmed paper ballots than registered paper voters at: %(places)s. Check the papers and "
            "the register before counting."
        ) % {"places": ", ".join(over)}
    # A job older than that was lost with its worker (a restart, a crash): it no longer blocks a new count.
    running = CountJob.objects.filter(
        round=budget_round,
        state__in=[CountJob.State.QUEUED, CountJob.State.RUNNING],
        created_at__gte=timezone.now() - STALE_AFTER,
    )
    if running.exists():
        return _("This round is being counted already.")
    return None


def start_count(budget_round, rule, user, private_key=None, *, in_background=True):
    """Count the round with `rule`: the checks, the opening of a sealed box with `private_key`, the audit entry
    and the CountJob whose progress the desk shows. In the background by default; `in_background=False` (the
    command line) counts before returning."""
    if rule not in RULES:
        raise CannotCount(_("Unknown counting rule."))
    if reason := why_not_countable(budget_round):
        raise CannotCount(reason)
    if needs_key(budget_round):
        if not (private_key or "").strip():
            raise CannotCount(
                _("The ballot box is sealed: give the election commission's private key to open it.")
            )
        try:
            ballot_box.open_ballot_box(budget_round, private_key, user)
        except ballot_box.BoxProblem as problem:
            raise CannotCount(" ".join(problem.messages)) from problem
    job = CountJob.objects.create(
        round=budget_round, rule=rule, requested_by=user, parts_total=len(areas_to_count(budget_round))
    )
    log(instance=budget_round, action="ideas.voting.count", user=user, data={"rule": rule, "job": job.pk})
    if not in_background:
        try:
            run_count_job.call(job.pk)
        except Exception as error:
            # The job has recorded the failure (as the desk shows it); the caller gets it as a refusal.
            raise CannotCount(str(error) or type(error).__name__) from error
        job.refresh_from_db()
        return job
    # Queued once the job row is committed, so that a worker process can find it.
    transaction.on_commit(lambda: run_count_job.enqueue(job.pk))
    return job


def _update(job, **fields):
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=list(fields))


@task()
def run_count_job(job_id):
    """Count the round of a CountJob, one part (area) at a time, saving progress after each part."""
    from ideas.voting.results import count_round

    job = CountJob.objects.select_related("round").filter(pk=job_id, state=CountJob.State.QUEUED).first()
    if job is None:
        return None
    _update(job, state=CountJob.State.RUNNING)
    results = []
    try:
        areas = areas_to_count(job.round)
        for number, area in enumerate(areas, start=1):
            _update(job, current_part=str(area) if area else job.round.name)
            results.append(count_round(job.round, rule=job.rule, area=area).pk)
            _update(job, parts_done=number, result_ids=results)
    except Exception as error:
        # Whatever went wrong, staff see it on the desk; the parts counted so far stay as unpublished previews.
        _update(
            job,
            state=CountJob.State.FAILED,
            error=str(error) or type(error).__name__,
            finished_at=timezone.now(),
        )
        raise
    _update(job, state=CountJob.State.DONE, current_part="", finished_at=timezone.now())
    return results
