"""The online ballot of a round, served through BudgetRoundPage's routes (ideas/models/rounds.py): `vote/` (the
ballot form; its POST shows the review, "Change" goes back to the form and "Cast my ballot" casts), `vote/done/`
(the voter's current receipt); people with a one-time voting code use `vote/code/` and then the same pages under
`vote/code/`, without an account. Residency (who you are) is ideas/voting/identity_views.py.

Every rule is checked by ideas/voting/ballot_rules.py through casting's helpers; casting.cast seals and records the
vote. Costs on the ballot and in its basket are what each idea costs the public budget (Idea.net_cost, after
partners' confirmed money pledges, which are frozen once voting opens); a co-funded idea shows both costs
(templates/ideas/voting/_cost.html). Nothing of a ballot is kept on the server outside its sealed envelope: between the form, the review and the
cast the choices travel in the posted form (checked again at each step), never in the session; the receipt is
shown in the answer to the cast and e-mailed, never stored in the session. A code voter's session holds only the
code's keyed hash, which cannot vote by itself.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.mail import send_mail
from django.db import transaction
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext as _

from ideas import limits
from ideas.models import Area, Channel
from ideas.phases import Feature, phase_allows
from ideas.rules import is_verified_resident
from ideas.voting import codes, keys
from ideas.voting.ballot_rules import APPROVAL_BUDGET, CUMULATIVE
from ideas.voting.casting import (
    VoteRefused,
    ballot_ideas,
    cast,
    check_choices,
    current_receipt,
    rules_for,
    voter_area,
    why_not_open,
)
from ideas.voting.eligibility import why_not_eligible
from ideas.voting.forms import BallotForm, VotingCodeForm

CODE = "voting_code"


def _url(page, name):
    """The URL of one of the round page's routes."""
    return page.url + page.reverse_subpage(name)


def _refuse(request, page, reason, residency_link=False, status=403):
    """Why the voter cannot vote (templates/ideas/voting/not_allowed.html), with a way on when there is one."""
    context = {
        "page": page,
        "reason": reason,
        "residency_url": _url(page, "confirm_residency") if residency_link else "",
        # Someone who cannot vote online may still hold a voting code handed out in person.
        "code_url": _url(page, "vote_with_code")
        if phase_allows(page.budget_round.current_phase(), Feature.VOTE)
        else "",
    }
    return TemplateResponse(request, "ideas/voting/not_allowed.html", context, status=status)


def areas_by_name():
    """The areas a voter or staff can choose from, sorted by their name in the active language."""
    # Ideas and budgets point at the default-language rows; names are shown in the active language.
    areas = Area.objects.filter(locale__language_code=settings.LANGUAGE_CODE)
    return sorted(areas, key=lambda area: area.localized_name())


def _basket(rules, ideas, choices):
    """What the basket shows: chosen ideas, their cost to the public budget (net of partners' co-funding, as
    casting checks it), the budget left and the points left. `cofunded` says that some idea on the ballot is
    co-funded, so the basket speaks of the cost "to the budget"."""
    chosen = [idea for idea in ideas if idea.pk in choices]
    total = sum((idea.net_cost for idea in chosen), Decimal(0))
    points = sum(choices.values()) if rules.method == CUMULATIVE else None
    return {
        "ideas": chosen,
        "count": len(chosen),
        "total_cost": total,
        "cofunded": any(idea.cofunding for idea in ideas),
        "budget": rules.budget,
        "remaining_budget": rules.budget - total,
        "shows_budget": rules.method == APPROVAL_BUDGET,
        "points_total": rules.points_total if rules.method == CUMULATIVE else None,
        "points_used": points,
        "remaining_points": (rules.points_total - points)
        if rules.method == CUMULATIVE and rules.points_total is not None
        else None,
    }


class OnlineVoter:
    """A logged-in resident voting online: eligibility from their confirmed person, the area from their census
    record, the receipt also by e-mail."""

    channel = Channel.ONLINE
    routes = {"form": "vote", "done": "vote_done"}

    def __init__(self, request, page):
        self.request, self.page = request, page

    def person(self):
        return self.request.user.resident_profile.person_key

    def birth_year(self):
        return self.request.user.resident_profile.confirmed_birth_year

    def refusal(self):
        if not self.request.user.is_authenticated:
            return redirect_to_login(self.request.get_full_path())
        budget_round = self.page.budget_round
        if reason := why_not_open(budget_round):
            return _refuse(self.request, self.page, reason)
        reason = why_not_eligible(self.request.user, budget_round)
        if reason:
            profile = getattr(self.request.user, "resident_profile", None)
            unconfirmed = is_verified_resident(self.request.user) and (
                profile is None or not profile.person_key
            )
            return _refuse(self.request, self.page, reason, residency_link=unconfirmed)
        return None

    def area(self):
        return voter_area(self.page.budget_round, self.person(), self.birth_year())

    def receipt(self):
        return current_receipt(self.page.budget_round, self.person())

    def cast(self, choices):
        return cast(
            self.page.budget_round,
            self.person(),
            channel=self.channel,
            choices=choices,
            birth_year=self.birth_year(),
        )

    def after_cast(self, receipt):
        _send_receipt(self.request.user, self.request.user.resident_profile, self.page, receipt.code)


class CodeVoter(OnlineVoter):
    """A person voting with a one-time code handed to them (ideas/voting/codes.py), without an account. From the
    code page (`vote/code/`) until the cast, the session holds the code's keyed hash only."""

    channel = Channel.CODE
    routes = {"form": "code_ballot", "done": "code_done"}

    def code_hash(self):
        held = self.request.session.get(CODE)
        return held["hash"] if held and held.get("round") == self.page.budget_round.pk else None

    def person(self):
        hashed = self.code_hash()
        return codes.usable_person(self.page.budget_round, hashed) if hashed else None

    def birth_year(self):
        return None

    def refusal(self):
        if reason := why_not_open(self.page.budget_round):
            return _refuse(self.request, self.page, reason)
        if self.person() is None:
            return redirect(_url(self.page, "vote_with_code"))
        return None

    def receipt(self):
        return None

    def cast(self, choices):
        return codes.vote_with_code(self.page.budget_round, self.code_hash(), choices)

    def after_cast(self, receipt):
        self.request.session.pop(CODE, None)


def ballot_form(request, page, voter_class=OnlineVoter):
    """`vote/` (routes "vote" and "vote_review"; "code_ballot" and "code_review" for code voters). GET shows
    an empty ballot for the round's rules (with the voter's receipt when they have voted). POST carries the
    choices: on its own it checks them and shows the review; with "change" it shows the form again, filled in;
    with "cast" it casts and answers with the receipt."""
    voter = voter_class(request, page)
    if refusal := voter.refusal():
        return refusal
    budget_round = page.budget_round
    try:
        area = voter.area()
    except VoteRefused as refused:
        return _refuse(request, page, " ".join(refused.messages))
    rules = rules_for(budget_round, area)
    ideas = list(ballot_ideas(budget_round, area).order_by("title"))
    receipt = voter.receipt()
    if request.method != "POST":
        form = BallotForm(ideas=ideas, rules=rules)
        return _render_ballot(request, page, form, rules, ideas, area, receipt)
    form = BallotForm(request.POST, ideas=ideas, rules=rules)
    if not form.is_valid():
        return _render_ballot(request, page, form, rules, ideas, area, receipt, status=400)
    choices = form.choices()
    if "change" in request.POST:
        return _render_ballot(request, page, form, rules, ideas, area, receipt)
    try:
        check_choices(budget_round, choices, area)
    except VoteRefused as refused:
        for message in refused.messages:
            form.add_error(None, message)
        return _render_ballot(request, page, form, rules, ideas, area, receipt, status=400)
    errors = []
    if "cast" in request.POST:
        try:
            new_receipt = voter.cast(choices)
        except VoteRefused as refused:
            errors = refused.messages
        except limits.Limited as limited:
            # Too many changes of the ballot (casting.cast, ideas/limits.py): the review again, with the choices
            # kept, answered 429 with Retry-After; the ballot cast before stays as it was.
            response = _render_review(
                request, page, voter, form, rules, ideas, area, choices, [limited.message]
            )
            response.status_code = 429
            response["Retry-After"] = str(limited.retry_after)
            return response
        else:
            voter.after_cast(new_receipt)
            return _render_done(request, page, new_receipt, by_code=voter_class is CodeVoter)
    return _render_review(request, page, voter, form, rules, ideas, area, choices, errors)


def _render_ballot(request, page, form, rules, ideas, area, receipt, status=200):
    """The ballot form page (templates/ideas/voting/ballot.html) with its server-rendered basket."""
    context = {
        "page": page,
        "budget_round": page.budget_round,
        "form": form,
        "rows": form.rows(),
        "rules": rules,
        "method": rules.method,
        "area": area,
        "basket": _basket(rules, ideas, form.chosen()),
        "receipt": receipt,
        "closes": page.budget_round.phase_end(page.budget_round.current_phase()),
        "breadcrumb_current": _("Vote"),
    }
    return TemplateResponse(request, "ideas/voting/ballot.html", context, status=status)


def _render_review(request, page, voter, form, rules, ideas, area, choices, errors):
    """The review (templates/ideas/voting/review.html): the choices and totals, carried on in hidden fields to
    "Cast my ballot" or "Change"."""
    chosen = _ordered(ideas, choices, rules)
    context = {
        "page": page,
        "form": form,
        "rules": rules,
        "method": rules.method,
        "area": area,
        "chosen": [(idea, choices[idea.pk]) for idea in chosen],
        "basket": _basket(rules, ideas, choices),
        "errors": errors,
        "action_url": _url(page, voter.routes["form"]),
        "breadcrumb_current": _("Check your ballot"),
    }
    return TemplateResponse(request, "ideas/voting/review.html", context, status=400 if errors else 200)


def _ordered(ideas, choices, rules):
    """The chosen ideas, by place on ranking ballots, else by title."""
    chosen = [idea for idea in ideas if idea.pk in choices]
    if rules.method == "ranking":
        chosen.sort(key=lambda idea: choices[idea.pk])
    return chosen


def _send_receipt(user, profile, page, receipt_code):
    """E-mail the receipt to the voter once the vote is committed, in their language: the receipt only, never
    what they chose."""
    language = profile.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"name": profile.display_name, "reference": receipt_code, "round_title": page.title}
        subject = " ".join(render_to_string("ideas/emails/ballot_receipt_subject.txt", context).split())
        body = render_to_string("ideas/emails/ballot_receipt.txt", context)
    email = user.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))


def _render_done(request, page, receipt, by_code=False):
    """Thanks, and the receipt (templates/ideas/voting/done.html)."""
    return TemplateResponse(
        request,
        "ideas/voting/done.html",
        {
            "page": page,
            "receipt": receipt,
            "by_code": by_code,
            "vote_url": _url(page, "vote"),
            "results_url": _url(page, "results"),
            "breadcrumb_current": _("Vote"),
        },
    )


def ballot_done(request, page, by_code=False):
    """`vote/done/` (route "vote_done"; "code_done" for code voters): the voter's current receipt, looked up
    from their sealed ballot (code voters see it only in the answer to their cast)."""
    if by_code:
        return _render_done(request, page, None, by_code=True)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    profile = getattr(request.user, "resident_profile", None)
    receipt = (
        current_receipt(page.budget_round, profile.person_key) if profile and profile.person_key else None
    )
    return _render_done(request, page, receipt)


def vote_with_code(request, page):
    """`vote/code/` (route "vote_with_code"): a person with a one-time voting code types it in; a usable code
    opens the ballot (`vote/code/ballot/`). Attempts are limited per address (ideas/limits.py), so
    codes cannot be guessed in bulk, while a library or kiosk sharing one address is not locked out."""
    budget_round = page.budget_round
    if reason := why_not_open(budget_round):
        return _refuse(request, page, reason)
    form = VotingCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            limits.check(request, "voting_code")
        except limits.RateLimited as error:
            return limits.too_many_response(request, error)
        hashed = keys.code_hash(form.cleaned_data["code"])
        if codes.usable_person(budget_round, hashed):
            request.session[CODE] = {"round": budget_round.pk, "hash": hashed}
            return redirect(_url(page, "code_ballot"))
        limits.record(request, "voting_code")
        form.add_error("code", _("This voting code is not valid, or it has already been used."))
    return TemplateResponse(
        request,
        "ideas/voting/code.html",
        {"page": page, "form": form, "breadcrumb_current": _("Vote with a code")},
        status=400 if form.errors else 200,
    )
