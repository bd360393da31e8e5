"""The online ballot of a round, served through BudgetRoundPage's routes (ideas/models/rounds.py): `vote/` (the
ballot form), `vote/review/` (check, then cast), `vote/done/` (the receipt) and `residency/` (confirming residency
with a personal code); people with a one-time voting code use `vote/code/` and then the same ballot, review and
receipt pages under `vote/code/`, without an account.

Every rule is checked by ideas/voting/ballot_rules.py through casting's helpers; casting.cast records the vote.
The choices wait in the session between the form and the review (never in hidden fields), and leave it once cast.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext as _

from ideas.models import Area, Ballot, BudgetRound, Channel, ResidentProfile
from ideas.phases import Feature, phase_allows
from ideas.rules import is_verified_resident
from ideas.voting import codes, keys
from ideas.voting.ballot_rules import APPROVAL_BUDGET, CUMULATIVE
from ideas.voting.casting import VoteRefused, ballot_ideas, ballot_scope, cast, check_choices, rules_for
from ideas.voting.eligibility import confirm_from_census, why_not_eligible
from ideas.voting.forms import AreaForm, BallotForm, ResidencyForm, VotingCodeForm

PENDING = "ballot_pending"
CODE_PENDING = "code_ballot_pending"
CODE = "voting_code"
RECEIPT = "ballot_receipt"
# Wrong voting codes allowed per address and round within the window. Generous, because a library or a
# kiosk shares one address among many voters; guessing a code (2^60 of them) is hopeless at any such rate.
CODE_ATTEMPTS = 50
CODE_ATTEMPTS_WINDOW = 3600  # seconds


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


def _check(request, page):
    """None when the user may use the ballot now, else the response that says why not."""
    budget_round = page.budget_round
    if not phase_allows(budget_round.current_phase(), Feature.VOTE):
        return _refuse(request, page, _("Voting is not open now."))
    reason = why_not_eligible(request.user, budget_round)
    if reason:
        profile = getattr(request.user, "resident_profile", None)
        missing_residency = is_verified_resident(request.user) and (profile is None or not profile.person_key)
        return _refuse(request, page, reason, residency_link=missing_residency)
    return None


def areas_by_name():
    """The areas a voter can choose from, sorted by their name in the active language."""
    # Ideas and budgets point at the default-language rows; names are shown in the active language.
    areas = Area.objects.filter(locale__language_code=settings.LANGUAGE_CODE)
    return sorted(areas, key=lambda area: area.localized_name())


def _area(request, budget_round, pending):
    """The area the voter votes in (None when the round has one ballot): asked for, or kept from the pending
    ballot; None also when not chosen yet (the choice form then preselects their area of residence)."""
    if budget_round.ballot_scope != BudgetRound.BallotScope.AREA:
        return None
    code = request.POST.get("area") or request.GET.get("area")
    if code:
        return Area.objects.filter(code=code, locale__language_code=settings.LANGUAGE_CODE).first()
    if pending and pending.get("area"):
        return Area.objects.filter(pk=pending["area"]).first()
    return None


def _pending(request, budget_round, key=PENDING):
    """The choices waiting in the session between the form and the review, if they are for this round."""
    pending = request.session.get(key)
    return pending if pending and pending.get("round") == budget_round.pk else None


def _existing_choices(budget_round, profile, area):
    """The voter's recorded ballot, to fill the form in again when they change it."""
    scope = ballot_scope(budget_round, area)
    ballot = Ballot.objects.filter(
        lookup=keys.ballot_lookup(budget_round.pk, profile.person_key, scope)
    ).first()
    if ballot is None:
        return None
    return {choice.idea_id: choice.points for choice in ballot.choices.all()}


def _basket(rules, ideas, choices):
    """What the basket shows: chosen ideas, their cost, the budget left and the points left."""
    chosen = [idea for idea in ideas if idea.pk in choices]
    total = sum((idea.cost for idea in chosen), Decimal(0))
    points = sum(choices.values()) if rules.method == CUMULATIVE else None
    return {
        "ideas": chosen,
        "count": len(chosen),
        "total_cost": total,
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
    """A logged-in resident voting online: eligibility from their profile, the ballot found again by their
    person key, the receipt also by e-mail."""

    channel = Channel.ONLINE
    routes = {"form": "vote", "review": "vote_review", "done": "vote_done"}
    pending_key = PENDING

    def __init__(self, request, page):
        self.request, self.page = request, page

    def refusal(self):
        if not self.request.user.is_authenticated:
            return redirect_to_login(self.request.get_full_path())
        return _check(self.request, self.page)

    def home_area(self):
        return self.request.user.resident_profile.residency_area

    def existing_choices(self, area):
        return _existing_choices(self.page.budget_round, self.request.user.resident_profile, area)

    def cast(self, choices, area):
        profile = self.request.user.resident_profile
        return cast(
            self.page.budget_round,
            profile.person_key,
            channel=Channel.ONLINE,
            choices=choices,
            area=area,
            birth_year=profile.confirmed_birth_year,
        )

    def after_cast(self, ballot, titles):
        profile = self.request.user.resident_profile
        _send_receipt(self.request.user, profile, self.page, ballot.reference, titles)


class CodeVoter(OnlineVoter):
    """A person voting with a one-time code handed to them (ideas/voting/codes.py), without an account. The
    code waits in the session from the code page (`vote/code/`) until the ballot is cast."""

    channel = Channel.CODE
    routes = {"form": "code_ballot", "review": "code_review", "done": "code_done"}
    pending_key = CODE_PENDING

    def code(self):
        held = self.request.session.get(CODE)
        return held["code"] if held and held.get("round") == self.page.budget_round.pk else None

    def refusal(self):
        if not phase_allows(self.page.budget_round.current_phase(), Feature.VOTE):
            return _refuse(self.request, self.page, _("Voting is not open now."))
        code = self.code()
        if code is None or not codes.is_usable(self.page.budget_round, code):
            return redirect(_url(self.page, "vote_with_code"))
        return None

    def home_area(self):
        return None

    def existing_choices(self, area):
        return None

    def cast(self, choices, area):
        try:
            return codes.vote_with_code(self.page.budget_round, self.code(), choices, area=area)
        except VoteRefused:
            raise
        except ValidationError as error:
            raise VoteRefused(error.messages) from error

    def after_cast(self, ballot, titles):
        self.request.session.pop(CODE, None)


def ballot_form(request, page, voter_class=OnlineVoter):
    """`vote/` (route "vote" of BudgetRoundPage; `vote/code/ballot/` for code voters): the ballot for the
    round's rules. GET shows it, pre-filled with the pending or recorded ballot; POST checks it without
    recording and moves on to the review."""
    voter = voter_class(request, page)
    if refusal := voter.refusal():
        return refusal
    budget_round = page.budget_round
    pending = _pending(request, budget_round, voter.pending_key)
    area = _area(request, budget_round, pending)
    if budget_round.ballot_scope == BudgetRound.BallotScope.AREA and (
        area is None or "choose" in request.GET
    ):
        return _choose_area(request, page, voter.home_area())
    rules = rules_for(budget_round, area)
    ideas = list(ballot_ideas(budget_round, area).order_by("title"))
    if request.method == "POST":
        form = BallotForm(request.POST, ideas=ideas, rules=rules)
        if form.is_valid():
            choices = form.choices()
            try:
                check_choices(budget_round, choices, area)
            except VoteRefused as refused:
                for message in refused.messages:
                    form.add_error(None, message)
            else:
                request.session[voter.pending_key] = {
                    "round": budget_round.pk,
                    "area": area.pk if area else None,
                    "choices": {str(idea): points for idea, points in choices.items()},
                }
                return redirect(_url(page, voter.routes["review"]))
        return _render_ballot(request, page, form, rules, ideas, area, status=400)
    if pending and (pending.get("area") == (area.pk if area else None)):
        initial = {int(idea): points for idea, points in pending["choices"].items()}
    else:
        initial = voter.existing_choices(area)
    form = BallotForm(ideas=ideas, rules=rules, initial_choices=initial or {})
    return _render_ballot(request, page, form, rules, ideas, area, changing=initial is not None)


def _render_ballot(request, page, form, rules, ideas, area, changing=False, status=200):
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
        "changing": changing,
        "breadcrumb_current": _("Vote"),
    }
    return TemplateResponse(request, "ideas/voting/ballot.html", context, status=status)


def _choose_area(request, page, home_area):
    """A round with a ballot per area: the voter picks theirs first (their area of residence preselected)."""
    areas = areas_by_name()
    form = AreaForm(
        areas=[(area.code, area.localized_name()) for area in areas],
        initial={"area": home_area.code if home_area else None},
    )
    return TemplateResponse(
        request,
        "ideas/voting/choose_area.html",
        {"page": page, "form": form, "breadcrumb_current": _("Vote")},
    )


def ballot_review(request, page, voter_class=OnlineVoter):
    """`vote/review/` (route "vote_review"; "code_review" for code voters): the pending choices and totals,
    with "Change" (back to the form, choices kept) and "Cast my ballot" (then the receipt)."""
    voter = voter_class(request, page)
    if refusal := voter.refusal():
        return refusal
    budget_round = page.budget_round
    pending = _pending(request, budget_round, voter.pending_key)
    form_url = _url(page, voter.routes["form"])
    if pending is None:
        return redirect(form_url)
    area = Area.objects.filter(pk=pending["area"]).first() if pending.get("area") else None
    back = form_url + (f"?area={area.code}" if area else "")
    if request.method == "POST" and "change" in request.POST:
        return redirect(back)
    choices = {int(idea): points for idea, points in pending["choices"].items()}
    rules = rules_for(budget_round, area)
    ideas = list(ballot_ideas(budget_round, area).order_by("title"))
    errors = []
    if request.method == "POST":
        try:
            ballot = voter.cast(choices, area)
        except VoteRefused as refused:
            errors = refused.messages
        else:
            titles = [idea.title for idea in _ordered(ideas, choices, rules)]
            request.session.pop(voter.pending_key, None)
            # Shown once on the done page, then forgotten: the session should not keep a link to the ballot.
            request.session[RECEIPT] = {"round": budget_round.pk, "reference": ballot.reference}
            voter.after_cast(ballot, titles)
            return redirect(_url(page, voter.routes["done"]))
    chosen = _ordered(ideas, choices, rules)
    context = {
        "page": page,
        "rules": rules,
        "method": rules.method,
        "area": area,
        "chosen": [(idea, choices[idea.pk]) for idea in chosen],
        "basket": _basket(rules, ideas, choices),
        "errors": errors,
        "back_url": back,
        "breadcrumb_current": _("Check your ballot"),
    }
    return TemplateResponse(request, "ideas/voting/review.html", context, status=400 if errors else 200)


def _ordered(ideas, choices, rules):
    """The chosen ideas, by place on ranking ballots, else by title."""
    chosen = [idea for idea in ideas if idea.pk in choices]
    if rules.method == "ranking":
        chosen.sort(key=lambda idea: choices[idea.pk])
    return chosen


def _send_receipt(user, profile, page, reference, titles):
    """E-mail the receipt to the voter once the vote is committed, in their language; nothing of it is stored."""
    language = profile.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "name": profile.display_name,
            "reference": reference,
            "titles": titles,
            "round_title": page.title,
        }
        subject = " ".join(render_to_string("ideas/emails/ballot_receipt_subject.txt", context).split())
        body = render_to_string("ideas/emails/ballot_receipt.txt", context)
    email = user.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))


def ballot_done(request, page, by_code=False):
    """`vote/done/` (route "vote_done"; "code_done" for code voters): thanks, and the receipt reference shown
    once."""
    if not by_code and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    receipt = request.session.get(RECEIPT)
    reference = None
    if receipt and receipt.get("round") == page.budget_round.pk:
        reference = receipt["reference"]
        del request.session[RECEIPT]
    return TemplateResponse(
        request,
        "ideas/voting/done.html",
        {
            "page": page,
            "reference": reference,
            "by_code": by_code,
            "vote_url": _url(page, "vote"),
            "breadcrumb_current": _("Vote"),
        },
    )


def _client_address(request):
    return request.META.get("REMOTE_ADDR", "")


def vote_with_code(request, page):
    """`vote/code/` (route "vote_with_code"): a person with a one-time voting code types it in; a usable code
    opens the ballot (`vote/code/ballot/`). Wrong codes are counted per address and refused for a while after
    CODE_ATTEMPTS tries, so codes cannot be guessed in bulk."""
    budget_round = page.budget_round
    if not phase_allows(budget_round.current_phase(), Feature.VOTE):
        return _refuse(request, page, _("Voting is not open now."))
    form = VotingCodeForm(request.POST or None)
    attempts_key = f"voting-code-attempts:{budget_round.pk}:{_client_address(request)}"
    if request.method == "POST" and form.is_valid():
        attempts = cache.get(attempts_key, 0)
        code = form.cleaned_data["code"]
        if attempts >= CODE_ATTEMPTS:
            form.add_error("code", _("Too many wrong codes. Please try again in an hour."))
        elif codes.is_usable(budget_round, code):
            request.session[CODE] = {"round": budget_round.pk, "code": code}
            request.session.pop(CODE_PENDING, None)
            return redirect(_url(page, "code_ballot"))
        else:
            cache.set(attempts_key, attempts + 1, CODE_ATTEMPTS_WINDOW)
            form.add_error("code", _("This voting code is not valid, or it has already been used."))
    return TemplateResponse(
        request,
        "ideas/voting/code.html",
        {"page": page, "form": form, "breadcrumb_current": _("Vote with a code")},
        status=400 if form.errors else 200,
    )


def confirm_residency(request, page):
    """`residency/` (route "confirm_residency"): a personal code checked against the census list
    (eligibility.confirm_from_census); only its keyed hash is kept. Success goes back to the ballot."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_verified_resident(request.user):
        return _refuse(request, page, _("Please log in with a verified e-mail address."))
    form = ResidencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        profile, _created = ResidentProfile.objects.get_or_create(
            user=request.user, defaults={"display_name": request.user.get_username()}
        )
        try:
            confirm_from_census(profile, form.cleaned_data["personal_code"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error("personal_code", message)
        else:
            return redirect(_url(page, "vote"))
    return TemplateResponse(
        request,
        "ideas/voting/residency.html",
        {"page": page, "form": form, "breadcrumb_current": _("Confirm your residency")},
        status=400 if form.errors else 200,
    )
