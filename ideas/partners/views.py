"""The public partners pages and the business pages, served through PartnersPage's routes
(ideas/models/partners_page.py): the list of verified partners, a page per partner, business sign-up ("join"),
"my organisation" with its pledges, editing an organisation and withdrawing a pledge.

Every change goes through the services in ideas/partners/organisations.py and pledges.py; the views only turn
their `Refused` / `LoginRequired` / `Invalid` into pages, messages and form errors. The idea page's pledge and
"declare an interest" actions live with the other idea actions in ideas/views.py and use the helpers at the end
of this module (partner links, the idea's public history with its pledge changes).
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Prefetch, Q, Sum
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from home.listing import paginate
from ideas.delivery import describe_event
from ideas.models import (
    BudgetRoundPage,
    DeclaredInterest,
    DeliveryEvent,
    Organisation,
    Pledge,
    PledgeChange,
    StatusChange,
)
from ideas.models.partners_page import PartnersPage
from ideas.participation import Invalid, LoginRequired, Refused
from ideas.partners.forms import OrganisationForm, WithdrawForm, add_service_errors
from ideas.partners.organisations import (
    PUBLIC_FIELDS,
    change_organisation,
    organisations_of,
    register_organisation,
)
from ideas.partners.pledges import withdraw_pledge
from ideas.rules import is_verified_resident
from ideas.statuses import PUBLIC
from ideas.text import formats

PARTNERS_PER_PAGE = 20


def _subpage_url(page, name, *args):
    return page.url + page.reverse_subpage(name, args=args)


def _refuse(request, page, reason, status=403, verify_email=False):
    """A page that says why something is not possible, with the way back to the partners page (and, when the
    e-mail address is what is missing, the way to verify it)."""
    return TemplateResponse(
        request,
        "ideas/partners/not_allowed.html",
        {"page": page, "reason": reason, "verify_email": verify_email},
        status=status,
    )


def _active_language():
    return (get_language() or "lv").split("-")[0]


def _idea_urls(ideas):
    """Each idea's address under its round's page in the active language (or any language when there is no
    translation), with one query for all the rounds' pages."""
    round_ids = {idea.round_id for idea in ideas}
    pages = {}
    language = _active_language()
    for round_page in (
        BudgetRoundPage.objects.live().filter(budget_round_id__in=round_ids).select_related("locale")
    ):
        current = pages.get(round_page.budget_round_id)
        if current is None or round_page.locale.language_code == language:
            pages[round_page.budget_round_id] = round_page
    return {
        idea.pk: pages[idea.round_id].idea_url(idea) if idea.round_id in pages else None for idea in ideas
    }


# The partners list and a partner's page -------------------------------------------------------------------


def partner_list(request, page):
    """Verified partners with the ideas they back and their confirmed money, 20 a page."""
    counted = Q(pledges__state__in=Pledge.COUNTED, pledges__idea__status__in=PUBLIC)
    organisations = (
        Organisation.objects.filter(state=Organisation.State.VERIFIED)
        .annotate(
            ideas_backed=Count("pledges__idea", filter=counted, distinct=True),
            money_total=Sum("pledges__amount", filter=counted & Q(pledges__kind=Pledge.Kind.MONEY)),
        )
        .order_by("name", "pk")
    )
    return TemplateResponse(
        request,
        "ideas/partners/partner_list.html",
        {
            "page": page,
            "partners": paginate(request, organisations, PARTNERS_PER_PAGE),
            "represents": request.user.is_authenticated and organisations_of(request.user).exists(),
        },
    )


def _may_see_unverified(user, organisation):
    return user.has_perm("ideas.view_own_organisation", organisation) or user.has_perm(
        "ideas.verify_organisation", organisation
    )


def partner_detail(request, page, slug):
    """One partner: its details and the ideas it backs with each pledge. An organisation staff have not
    verified is shown only to its representatives and to moderators, with a notice; others get 404."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None or (
        not organisation.is_verified and not _may_see_unverified(request.user, organisation)
    ):
        raise Http404(_("There is no such partner."))
    pledges = list(
        Pledge.objects.filter(organisation=organisation, idea__status__in=PUBLIC)
        .select_related("idea")
        .order_by("idea__title", "idea_id", "-created_at", "-pk")
    )
    urls = _idea_urls([pledge.idea for pledge in pledges])
    backed = []
    for pledge in pledges:
        if not backed or backed[-1]["idea"].pk != pledge.idea_id:
            backed.append({"idea": pledge.idea, "url": urls.get(pledge.idea_id), "pledges": []})
        backed[-1]["pledges"].append(pledge)
    return TemplateResponse(
        request,
        "ideas/partners/partner_detail.html",
        {
            "page": page,
            "organisation": organisation,
            "breadcrumb_current": organisation.name,
            "backed": backed,
            "is_representative": request.user.has_perm("ideas.view_own_organisation", organisation),
        },
    )


# Sign-up, "my organisation", editing ----------------------------------------------------------------------


def _verify_email_first(request, page):
    return _refuse(
        request,
        page,
        _(
            "Please verify your e-mail address first: we sent you a link when you registered. You can send it "
            "again from your e-mail settings."
        ),
        verify_email=True,
    )


def join(request, page):
    """A resident registers a business they act for; staff verify it before it may pledge."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_verified_resident(request.user):
        return _verify_email_first(request, page)
    if request.method == "POST":
        form = OrganisationForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                organisation = register_organisation(
                    request.user, logo=form.cleaned_data["logo"], **form.service_fields()
                )
            except LoginRequired:
                return redirect_to_login(request.get_full_path())
            except Refused as refusal:
                form.add_error(None, refusal.message)
            except Invalid as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Thank you! %(name)s is registered. Staff will check it and verify it, usually within a "
                        "few working days; until then it cannot back ideas. We will show the result here."
                    )
                    % {"name": organisation.name},
                )
                return redirect(_subpage_url(page, "mine"))
        messages.error(request, _("Please correct the errors below."))
    else:
        form = OrganisationForm(
            initial={"contact_email": request.user.email, "contact_name": request.user.get_full_name()}
        )
    return TemplateResponse(
        request,
        "ideas/partners/organisation_form.html",
        {
            "page": page,
            "form": form,
            "sign_up": True,
            "breadcrumb_current": _("Register your business"),
            "logo_lost": request.method == "POST" and bool(request.FILES.get("logo")),
        },
        status=400 if request.method == "POST" else 200,
    )


def _voting_opened(budget_round, cache):
    if budget_round.pk not in cache:
        cache[budget_round.pk] = budget_round.voting_has_opened()
    return cache[budget_round.pk]


def _render_mine(request, page, failed=None, status=200):
    """The person's organisations and their pledges; `failed` maps a pledge id to its withdraw form that came
    back with an error, so that the reason typed is not lost."""
    failed = failed or {}
    user = request.user
    organisations = list(
        organisations_of(user).prefetch_related(
            Prefetch(
                "pledges",
                queryset=Pledge.objects.select_related("idea__round").prefetch_related("history"),
            ),
            Prefetch("declared_interests", queryset=DeclaredInterest.objects.select_related("idea")),
        )
    )
    pledges = [pledge for organisation in organisations for pledge in organisation.pledges.all()]
    urls = _idea_urls([pledge.idea for pledge in pledges])
    opened = {}
    for pledge in pledges:
        pledge.idea_url = urls.get(pledge.idea_id)
        active = pledge.state in (Pledge.State.OFFERED, Pledge.State.CONFIRMED)
        pledge.locked = (
            active
            and pledge.is_money
            and pledge.state == Pledge.State.CONFIRMED
            and _voting_opened(pledge.idea.round, opened)
        )
        pledge.can_withdraw = active and user.has_perm("ideas.withdraw_pledge", pledge)
        pledge.withdraw_form = failed.get(pledge.pk) or WithdrawForm(pledge=pledge)
    for organisation in organisations:
        organisation.can_edit = user.has_perm("ideas.change_own_organisation", organisation)
        organisation.partner_url = _subpage_url(page, "partner", organisation.slug)
        organisation.edit_url = _subpage_url(page, "edit_organisation", organisation.pk)
        interest_urls = _idea_urls([interest.idea for interest in organisation.declared_interests.all()])
        for interest in organisation.declared_interests.all():
            interest.idea_url = interest_urls.get(interest.idea_id)
    return TemplateResponse(
        request,
        "ideas/partners/mine.html",
        {
            "page": page,
            "organisations": organisations,
            "failed": failed,
            "breadcrumb_current": _("My organisation"),
        },
        status=status,
    )


def mine(request, page):
    """ "My organisation": state and staff's reason, pledges with their history and a withdraw button."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _render_mine(request, page)


def edit(request, page, organisation_id):
    """A representative changes the organisation's public details (change_organisation)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    organisation = organisations_of(request.user).filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404(_("You do not act for such an organisation."))
    if not request.user.has_perm("ideas.change_own_organisation", organisation):
        return _verify_email_first(request, page)
    name, was_verified = organisation.name, organisation.is_verified
    if request.method == "POST":
        form = OrganisationForm(request.POST, request.FILES, sign_up=False)
        if form.is_valid():
            try:
                organisation = change_organisation(
                    request.user, organisation, logo=form.cleaned_data["logo"], **form.service_fields()
                )
            except LoginRequired:
                return redirect_to_login(request.get_full_path())
            except Refused as refusal:
                form.add_error(None, refusal.message)
            except Invalid as error:
                add_service_errors(form, error)
            else:
                if was_verified and not organisation.is_verified:
                    messages.success(
                        request,
                        _(
                            "Your changes are saved. Because the name or registration number changed, staff "
                            "will verify the organisation again; until then it cannot back ideas."
                        ),
                    )
                else:
                    messages.success(request, _("Your changes are saved."))
                return redirect(_subpage_url(page, "mine"))
        messages.error(request, _("Please correct the errors below."))
    else:
        form = OrganisationForm(
            initial={field: getattr(organisation, field) for field in PUBLIC_FIELDS},
            sign_up=False,
        )
    return TemplateResponse(
        request,
        "ideas/partners/organisation_form.html",
        {
            "page": page,
            "form": form,
            "sign_up": False,
            "organisation_name": name,
            "current_logo": organisation.logo if organisation.logo else None,
            "was_verified": was_verified,
            "breadcrumb_current": name,
            "logo_lost": request.method == "POST" and bool(request.FILES.get("logo")),
        },
        status=400 if request.method == "POST" else 200,
    )


def withdraw(request, page, pledge_id):
    """Withdraw one of the person's organisations' pledges (POST only); refusals are shown on "my
    organisation" beside the pledge, with the reason typed kept."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.is_authenticated:
        return redirect_to_login(_subpage_url(page, "mine"))
    pledge = (
        Pledge.objects.select_related("organisation", "idea__round")
        .filter(pk=pledge_id, organisation__memberships__user=request.user)
        .first()
    )
    if pledge is None:
        raise Http404(_("There is no such pledge of your organisation."))
    form = WithdrawForm(request.POST, pledge=pledge)
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return _render_mine(request, page, failed={pledge.pk: form}, status=400)
    try:
        withdraw_pledge(request.user, pledge, form.cleaned_data["reason"])
    except LoginRequired:
        return redirect_to_login(_subpage_url(page, "mine"))
    except Refused as refusal:
        form.add_error(None, refusal.message)
        messages.error(request, refusal.message)
        return _render_mine(request, page, failed={pledge.pk: form}, status=403)
    except Invalid as error:
        add_service_errors(form, error)
        return _render_mine(request, page, failed={pledge.pk: form}, status=400)
    messages.success(
        request,
        _("The pledge of %(organisation)s on “%(idea)s” is withdrawn.")
        % {"organisation": pledge.organisation.name, "idea": pledge.idea.title},
    )
    return redirect(_subpage_url(page, "mine") + f"#pledge-{pledge.pk}")


# Helpers for the idea page (ideas/views.py) ----------------------------------------------------------------


def partners_page():
    """The live partners page in the active language (or any language when it has no translation), or None."""
    pages = PartnersPage.objects.live().public().select_related("locale")
    chosen = None
    for candidate in pages:
        if chosen is None or candidate.locale.language_code == _active_language():
            chosen = candidate
    return chosen


def partner_url(page, organisation):
    """The address of a partner's page, or None without a partners page or while the organisation is not
    verified (its page is not public then)."""
    if page is None or not organisation.is_verified:
        return None
    return _subpage_url(page, "partner", organisation.slug)


def pledge_value(pledge):
    """What a pledge gives, in words: "3 000 €", "value 2 400 €" or "40 hours" (in the active language)."""
    language = _active_language()
    if pledge.kind == Pledge.Kind.VOLUNTEERING:
        return ngettext("%(hours)s hour", "%(hours)s hours", pledge.hours) % {
            "hours": formats.number(pledge.hours, language)
        }
    if pledge.kind == Pledge.Kind.IN_KIND:
        return _("value %(amount)s") % {"amount": formats.money(pledge.amount, language)}
    return formats.money(pledge.amount, language)


@dataclass
class HistoryEntry:
    """One line of an idea's public history: a status change or a step of one of its pledges."""

    created_at: datetime
    who: str
    what: str
    reason: str
    kind: str  # "status" or "pledge"


# What each step of a pledge says in the idea's history, after the organisation's name.
PLEDGE_STEPS = {
    Pledge.State.OFFERED: gettext_lazy("offered a pledge (%(kind)s, %(value)s)"),
    Pledge.State.CONFIRMED: gettext_lazy("pledge confirmed by the municipality (%(kind)s, %(value)s)"),
    Pledge.State.FULFILLED: gettext_lazy("pledge fulfilled (%(kind)s, %(value)s)"),
    Pledge.State.WITHDRAWN: gettext_lazy("withdrew its pledge (%(kind)s, %(value)s)"),
    Pledge.State.DECLINED: gettext_lazy("pledge declined by the municipality (%(kind)s, %(value)s)"),
}


def idea_history(idea):
    """The idea's public history: its status changes, every change of its pledges (who: the organisation) and
    its delivery steps, oldest first, in three queries."""
    entries = [
        HistoryEntry(
            change.created_at,
            change.get_role_display(),
            change.get_to_status_display(),
            change.reason,
            "status",
        )
        for change in StatusChange.objects.filter(idea=idea)
    ]
    for change in PledgeChange.objects.filter(pledge__idea=idea).select_related("pledge__organisation"):
        pledge = change.pledge
        what = str(PLEDGE_STEPS[Pledge.State(change.to_state)]) % {
            "kind": pledge.get_kind_display().lower(),
            "value": pledge_value(pledge),
        }
        entries.append(
            HistoryEntry(change.created_at, pledge.organisation.name, what, change.reason, "pledge")
        )
    for event in DeliveryEvent.objects.filter(idea=idea):
        what, reason = describe_event(event)
        entries.append(
            HistoryEntry(event.created_at, str(StatusChange.Role.STAFF.label), what, reason, "delivery")
        )
    # Stable: at the same moment a status change comes before a pledge step.
    entries.sort(key=lambda entry: entry.created_at)
    return entries
