"""Residents' pages of a budget round, served through BudgetRoundPage's routes: the ideas list and map, an
idea's page, submitting and editing ideas, comments, support, follow and reports, and a business's pledge and
declared interest (the services in ideas/partners/pledges.py; forms in ideas/partners/forms.py).

Every permission comes from ideas/rules.py through `user.has_perm`; status changes go through
ideas/services.py; support, follow, comments and reports go through ideas/participation.py, which checks and
records them (the views here only turn its refusals into pages). Its speed limits (ideas/limits.py
ACTION_LIMITS) answer HTTP 429 with Retry-After and the message to wait, keeping what was typed in a form.
"""

import random

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from home import chrome
from home.listing import paginate
from ideas import l10n, participation
from ideas.delivery_views import idea_delivery
from ideas.filters import IdeaFilter
from ideas.forms import CommentForm, IdeaForm, IdeaImageFormSet, ReportForm
from ideas.limits import client_address
from ideas.models import (
    Area,
    Category,
    Comment,
    Follow,
    Idea,
    Organisation,
    PartnersPage,
    Pledge,
    StatusChange,
    Support,
)
from ideas.partners import pledges
from ideas.partners.forms import InterestForm, PledgeForm, add_service_errors
from ideas.partners.organisations import organisations_of
from ideas.partners.views import idea_history, partner_url, partners_page
from ideas.phases import Feature, Phase, phase_allows
from ideas.rules import PLEDGEABLE, is_verified_resident
from ideas.services import change_status
from ideas.statuses import PUBLIC, Status

IDEAS_PER_PAGE = 12


def _refuse(request, page, reason, status=403):
    """A page that says why an action is not possible now, instead of a bare error."""
    response = TemplateResponse(request, "ideas/not_allowed.html", {"page": page, "reason": reason})
    response.status_code = status
    return response


def _why_not(user, phase_allows_it):
    """The most useful explanation of a refusal for the resident."""
    if not user.is_authenticated:
        return _("Please log in first.")
    if not is_verified_resident(user):
        return _("Please verify your e-mail address first: we sent you a link when you registered.")
    if not phase_allows_it:
        return _("This is not possible in the current phase of the round.")
    return _("You cannot do this with this idea.")


def _visitor_seed(request):
    # Random order that stays the same for one visitor while they page through the list.
    if "ideas_seed" not in request.session:
        request.session["ideas_seed"] = random.randint(1, 1_000_000)
    return request.session["ideas_seed"]


def idea_list(request, page):
    budget_round = page.budget_round
    ideas = Idea.objects.filter(round=budget_round).for_listing()
    # Only a random order needs the visitor's seed (kept in their session, so pages of the list agree).
    seed = _visitor_seed(request) if request.GET.get("ordering") == "random" else 0
    idea_filter = IdeaFilter(request.GET, queryset=ideas, seed=seed)
    ideas = idea_filter.qs
    for errors in idea_filter.errors.values():
        # Bad values are left out of the filtering; say so rather than silently showing something else.
        messages.warning(request, " ".join(errors))
    sort = idea_filter.form.cleaned_data.get("ordering") or "newest"
    view = "map" if request.GET.get("view") == "map" else "list"
    # Names in the active language and the filters' choices, one query per model for the filters and the cards.
    category_names, category_choices = l10n.names_and_choices(Category)
    area_names, area_choices = l10n.names_and_choices(Area)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "budget_round": budget_round,
        "phase": Phase(budget_round.current_phase()),
        "phase_end": budget_round.phase_end(budget_round.current_phase()),
        "filter": idea_filter,
        "sort": sort,
        "view": view,
        "query_string": query.urlencode(),
        "categories": category_choices,
        "areas": area_choices,
        "statuses": [(status.value, status.label) for status in Status if status in PUBLIC],
        "can_add": request.user.has_perm("ideas.add_idea", budget_round),
        "category_names": category_names,
        "area_names": area_names,
    }
    if view == "map":
        # The map shows every matching idea with a place; the list below it stays paginated.
        located = [idea for idea in ideas if idea.has_location]
        context["map_points"] = [_map_point(page, idea, context) for idea in located]
    ideas_page = paginate(request, ideas, IDEAS_PER_PAGE)
    # The page's cards with their backers counted in the same query: the same slice the paginator took, annotated
    # only here so that counting all matching ideas does not count every idea's backers too.
    bottom = (ideas_page.number - 1) * IDEAS_PER_PAGE
    ideas_page.object_list = ideas.annotate(backer_total=_backer_total())[bottom : bottom + IDEAS_PER_PAGE]
    context["ideas_page"] = ideas_page
    return TemplateResponse(request, "ideas/budget_round_page.html", context)


def _backer_total():
    """How many organisations back an idea with confirmed or fulfilled pledges, for the cards' "Backed by"
    badge: a subquery of the list's own query, so a list page costs the same however many ideas it shows."""
    totals = (
        Pledge.objects.filter(idea=OuterRef("pk"), state__in=Pledge.COUNTED)
        .order_by()
        .values("idea")
        .annotate(total=Count("organisation", distinct=True))
        .values("total")
    )
    return Coalesce(Subquery(totals, output_field=IntegerField()), 0)


def _map_point(page, idea, context):
    return {
        "lat": float(idea.latitude),
        "lng": float(idea.longitude),
        "title": idea.title,
        "url": page.idea_url(idea),
        "status": idea.get_status_display(),
        "category": context["category_names"].get(idea.category.translation_key, ""),
    }


def _get_idea(request, page, idea_id, for_page=False):
    ideas = Idea.objects.filter(round=page.budget_round, pk=idea_id).select_related(
        "category", "area", "round", "author__resident_profile", "merged_into"
    )
    if for_page:
        # What the idea's page shows next to the idea, in the same query (_page_facts).
        supports = (
            Support.objects.filter(idea=OuterRef("pk")).order_by().values("idea").annotate(n=Count("pk"))
        )
        ideas = ideas.annotate(
            page_support_total=Coalesce(Subquery(supports.values("n"), output_field=IntegerField()), 0),
            page_category_name=l10n.localized_name_of("category"),
            page_area_name=l10n.localized_name_of("area"),
            page_has_merged=Exists(Idea.objects.filter(merged_into=OuterRef("pk"), status=Status.MERGED)),
        )
    idea = ideas.first()
    if idea is None or not request.user.has_perm("ideas.view_idea", idea):
        raise Http404(_("This idea does not exist or is not public."))
    return idea


def idea_detail(request, page, idea_id):
    idea = _get_idea(request, page, idea_id, for_page=True)
    if idea.status == Status.MERGED and idea.merged_into_id:
        return redirect(page.idea_url(idea.merged_into), permanent=True)
    return _render_detail(request, page, idea)


def _backing(request, page, idea):
    """The organisations whose confirmed or fulfilled pledges back the idea, each with its partner page and
    those pledges, for the "Backed by" block. The partners page is looked for only when there are pledges."""
    pledges = list(
        Pledge.objects.filter(idea=idea, state__in=Pledge.COUNTED)
        .select_related("organisation")
        .order_by("organisation__name", "organisation_id", "created_at", "pk")
    )
    if not pledges:
        return []
    partners = _partners_page(request, page)
    backing = {}
    for pledge in pledges:
        organisation = pledge.organisation
        if organisation.pk not in backing:
            backing[organisation.pk] = {
                "organisation": organisation,
                "url": partner_url(partners, organisation),
                "pledges": [],
            }
        backing[organisation.pk]["pledges"].append(pledge)
    return list(backing.values())


def _partners_page(request, page):
    """partners_page() without a query when the partners page of the active language is a child of its home page:
    the site chrome read those rows already (home/chrome.py)."""
    page_chrome = chrome.for_request(request, page)
    home = page_chrome.home()
    partners_type = ContentType.objects.get_for_model(PartnersPage)
    if home is not None:
        for row in page_chrome.children(home):
            is_partners = row.content_type_id == partners_type.pk
            if is_partners and row.live and not row.private and row.language == page_chrome.language:
                return row.specific_deferred
    return partners_page()


def _page_facts(idea):
    """(support count, category name, area name, whether ideas were merged into it) for the idea's page: from
    the annotations of _get_idea(for_page=True), else read now (a page shown again after a form was sent)."""
    if hasattr(idea, "page_support_total"):
        return (
            idea.page_support_total,
            idea.page_category_name or "",
            idea.page_area_name or "",
            idea.page_has_merged,
        )
    return (
        idea.supports.count(),
        idea.category.localized_name() if idea.category else "",
        idea.area.localized_name() if idea.area else "",
        True,
    )


def _comments(idea):
    """The idea's top-level comments, oldest first, each with its replies as `thread_replies`, in one query."""
    comments = list(
        Comment.objects.filter(idea=idea)
        .select_related("author__resident_profile")
        .order_by("created_at", "pk")
    )
    top = [comment for comment in comments if comment.parent_id is None]
    replies = {comment.pk: [] for comment in top}
    for comment in comments:
        if comment.parent_id in replies:
            replies[comment.parent_id].append(comment)
    for comment in top:
        comment.thread_replies = replies[comment.pk]
    return top


def _verified_organisations(user):
    """The verified organisations a person acts for: the choices of the pledge and interest forms."""
    return list(organisations_of(user).filter(state=Organisation.State.VERIFIED))


def _business_forms(user, idea, pledge_form=None, interest_form=None):
    """The pledge form and the "declare an interest" form for a verified organisation's representative, each
    only when the rules allow it (ideas.pledge_idea, ideas.declare_interest); None otherwise."""
    can_pledge = user.has_perm("ideas.pledge_idea", idea)
    can_declare = user.has_perm("ideas.declare_interest", idea)
    if not (can_pledge or can_declare):
        return None, None
    organisations = _verified_organisations(user)
    if not organisations:
        return None, None
    if can_pledge and pledge_form is None:
        pledge_form = PledgeForm(organisations=organisations)
    if can_declare and interest_form is None:
        interest_form = InterestForm(organisations=organisations)
    return (pledge_form if can_pledge else None), (interest_form if can_declare else None)


def _render_detail(request, page, idea, comment_form=None, status=200, pledge_form=None, interest_form=None):
    user = request.user
    pledge_form, interest_form = _business_forms(user, idea, pledge_form, interest_form)
    comments = _comments(idea)
    support_count, category_name, area_name, has_merged = _page_facts(idea)
    context = {
        "page": page,
        "idea": idea,
        "breadcrumb_current": idea.title,
        # Status changes and every pledge change, oldest first (ideas/partners/views.py idea_history).
        "history": idea_history(idea),
        "backing": _backing(request, page, idea),
        "pledge_form": pledge_form,
        "interest_form": interest_form,
        "images": idea.images.all(),
        "comments": comments,
        "comment_count": sum(1 + len(c.thread_replies) for c in comments),
        "support_count": support_count,
        "supported": user.is_authenticated and Support.objects.filter(idea=idea, user=user).exists(),
        "following": user.is_authenticated and Follow.objects.filter(idea=idea, user=user).exists(),
        "can": {
            name: user.has_perm(f"ideas.{name}_idea", idea)
            for name in ("change", "submit", "comment", "support", "follow", "report", "moderate")
        },
        "can_hide_comments": user.has_perm("ideas.hide_comment", idea),
        "comment_form": comment_form or CommentForm(),
        # A draft may have neither yet.
        "category_name": category_name,
        "area_name": area_name,
        "merged_ideas": idea.merged_ideas.filter(status=Status.MERGED) if has_merged else [],
        "map_point": {"lat": float(idea.latitude), "lng": float(idea.longitude), "title": idea.title}
        if idea.has_location
        else None,
        # A funded idea's delivery: status, milestones, updates, money and green impact (a fixed four queries).
        "delivery": idea_delivery(idea),
    }
    response = TemplateResponse(request, "ideas/idea_detail.html", context)
    response.status_code = status
    return response


def idea_create(request, page):
    budget_round = page.budget_round
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("ideas.add_idea", budget_round):
        return _refuse(
            request,
            page,
            _why_not(request.user, phase_allows(budget_round.current_phase(), Feature.ADD_IDEA)),
        )
    return _idea_form(request, page, Idea(round=budget_round, author=request.user, language=_language()))


def _language():
    return (get_language() or "lv").split("-")[0]


def _idea_form(request, page, idea):
    if request.method == "POST":
        # Saving a draft needs a title only; submitting (or saving an idea sent back for changes) needs all.
        draft = "submit" not in request.POST and idea.status == Status.DRAFT
        form = IdeaForm(request.POST, instance=idea, budget_round=page.budget_round, draft=draft)
        images = IdeaImageFormSet(request.POST, request.FILES, instance=idea)
        limited = None
        if form.is_valid() and images.is_valid():
            try:
                if idea.pk is None:
                    # A new idea counts against the author's daily budget (edits do not).
                    participation.count_new_idea(request.user, address=client_address(request))
            except participation.Limited as error:
                limited = error
                form.add_error(None, error.message)
            else:
                with transaction.atomic():
                    idea = form.save()
                    images.instance = idea
                    images.save()
                if "submit" in request.POST:
                    return _submit(request, page, idea)
                messages.success(request, _("Your draft is saved. Check the preview, then submit it."))
                return redirect(page.idea_url(idea))
        if limited:
            # The form again with everything typed (photos must be chosen again), to save once the wait is over.
            return _too_fast(_idea_form_page(request, page, form, images, idea, status=400), limited)
        messages.error(request, _("Please correct the errors below."))
    else:
        form = IdeaForm(instance=idea, budget_round=page.budget_round)
        images = IdeaImageFormSet(instance=idea)
    return _idea_form_page(request, page, form, images, idea, status=400 if request.method == "POST" else 200)


def _idea_form_page(request, page, form, images, idea, status):
    return TemplateResponse(
        request,
        "ideas/idea_form.html",
        {"page": page, "form": form, "images": images, "idea": idea, "budget_round": page.budget_round},
        status=status,
    )


def _submit(request, page, idea):
    if not request.user.has_perm("ideas.submit_idea", idea):
        return _refuse(request, page, _("This idea cannot be submitted now."))
    try:
        change_status(idea, Status.SUBMITTED, user=request.user, role=StatusChange.Role.AUTHOR)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Thank you! Your idea is submitted; a moderator will check it and we will e-mail you.")
        )
    return redirect(page.idea_url(idea))


def idea_action(request, page, idea_id, action):
    handlers = {
        "edit": _edit,
        "submit": _submit_view,
        "support": _support,
        "follow": _follow,
        "comment": _comment,
        "report": _report_idea,
        "pledge": _pledge,
        "declare-interest": _declare_interest,
    }
    if action not in handlers:
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(page.idea_url(Idea(pk=idea_id)))
    idea = _get_idea(request, page, idea_id)
    return handlers[action](request, page, idea)


def _edit(request, page, idea):
    if not request.user.has_perm("ideas.change_idea", idea):
        return _refuse(request, page, _("This idea can no longer be edited."))
    return _idea_form(request, page, idea)


def _submit_view(request, page, idea):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return _submit(request, page, idea)


def _refused(request, page, refusal):
    """The website's answer to a refusal from ideas/participation.py."""
    if isinstance(refusal, participation.LoginRequired):
        return redirect_to_login(request.get_full_path())
    if isinstance(refusal, participation.Limited):
        return _too_fast(_refuse(request, page, refusal.message, status=429), refusal)
    return _refuse(request, page, refusal.message)


def _too_fast(response, limited):
    """`response` (a page saying to wait) as the answer to a speed limit: HTTP 429 with Retry-After."""
    response.status_code = 429
    response["Retry-After"] = str(limited.retry_after)
    return response


def _support(request, page, idea):
    """Support or (with `withdraw`) withdraw support: participation.give_support / withdraw_support."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        if request.POST.get("withdraw"):
            if participation.withdraw_support(request.user, idea):
                messages.success(request, _("Your support has been withdrawn."))
        else:
            participation.give_support(request.user, idea, address=client_address(request))
            messages.success(request, _("Thank you for your support!"))
    except (participation.Refused, participation.Limited) as refusal:
        return _refused(request, page, refusal)
    return redirect(page.idea_url(idea))


def _follow(request, page, idea):
    """Follow or (with `unfollow`) stop following: participation.follow / unfollow."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        if request.POST.get("unfollow"):
            participation.unfollow(request.user, idea)
            messages.success(request, _("You no longer follow this idea."))
        else:
            participation.follow(request.user, idea, address=client_address(request))
            messages.success(request, _("You follow this idea: we will e-mail you when its status changes."))
    except (participation.Refused, participation.Limited) as refusal:
        return _refused(request, page, refusal)
    return redirect(page.idea_url(idea))


def _comment(request, page, idea):
    """A comment or reply from the idea page's form: participation.add_comment."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        # Closed comments are said so first, whatever the form holds (as in the API).
        participation.check_comment(request.user, idea)
    except participation.Refused as refusal:
        return _refused(request, page, refusal)
    form = CommentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            comment = participation.add_comment(
                request.user,
                idea,
                data["text"],
                parent=data["parent"],
                official=bool(request.POST.get("official")),
                address=client_address(request),
            )
        except participation.Limited as limited:
            # The page again with the comment as typed, to send once the wait is over.
            form.add_error(None, limited.message)
            messages.error(request, limited.message)
            return _too_fast(_render_detail(request, page, idea, comment_form=form), limited)
        except participation.Refused as refusal:
            return _refused(request, page, refusal)
        except participation.Invalid as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your comment is published."))
            return redirect(page.idea_url(idea) + f"#comment-{comment.pk}")
    return _render_detail(request, page, idea, comment_form=form, status=400)


def _report(request, page, idea, target, target_label):
    """The report form for an idea or a comment: participation.check_report, then participation.report."""
    try:
        participation.check_report(request.user, target)
    except participation.Refused as refusal:
        return _refused(request, page, refusal)
    form = ReportForm(request.POST or None)
    limited = None
    if request.method == "POST" and form.is_valid():
        try:
            participation.report(
                request.user, target, form.cleaned_data["reason"], address=client_address(request)
            )
        except participation.Limited as error:
            # The form again with the reason as typed, to send once the wait is over.
            limited = error
            form.add_error(None, error.message)
        except participation.Refused as refusal:
            return _refused(request, page, refusal)
        except participation.Invalid as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you. A moderator will look at it."))
            return redirect(page.idea_url(idea))
    response = TemplateResponse(
        request,
        "ideas/report_form.html",
        {"page": page, "idea": idea, "form": form, "target_label": target_label},
        status=400 if request.method == "POST" else 200,
    )
    return _too_fast(response, limited) if limited else response


def _report_idea(request, page, idea):
    return _report(request, page, idea, idea, idea.title)


def report_comment(request, page, comment_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    comment = (
        Comment.objects.select_related("idea__round")
        .filter(pk=comment_id, idea__round=page.budget_round)
        .first()
    )
    if comment is None:
        raise Http404
    idea = _get_idea(request, page, comment.idea_id)
    return _report(request, page, idea, comment, comment.text[:80])


def _why_no_pledge(user, idea):
    """Why a person cannot back this idea, most useful reason first."""
    if not is_verified_resident(user):
        return _("Please verify your e-mail address first: we sent you a link when you registered.")
    if idea.status not in PLEDGEABLE or not phase_allows(idea.round.current_phase(), Feature.PLEDGE):
        return _("Pledges are taken before voting opens, on ideas still in the running.")
    return _(
        "Only representatives of a verified organisation can back ideas. Register your business on the "
        "partners page; staff verify it first."
    )


def _pledge(request, page, idea):
    """A verified organisation's representative offers a pledge (pledges.offer_pledge); refusals such as a
    conflict of interest are shown above and beside the form, with everything typed kept."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    user = request.user
    organisations = _verified_organisations(user)
    if not user.has_perm("ideas.pledge_idea", idea) or not organisations:
        return _refuse(request, page, _why_no_pledge(user, idea))
    form = PledgeForm(request.POST, organisations=organisations)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            pledge = pledges.offer_pledge(
                user,
                data["organisation"],
                idea,
                kind=data["kind"],
                amount=data["amount"] or 0,
                hours=data["hours"] or 0,
                description=data["description"],
            )
        except participation.LoginRequired:
            return redirect_to_login(request.get_full_path())
        except participation.Refused as refusal:
            form.add_error(None, refusal.message)
            messages.error(request, refusal.message)
            status = 403
        except participation.Invalid as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Thank you! The pledge of %(organisation)s is offered. Staff will confirm it with you; "
                    "you can follow it under “My organisation” on the partners page."
                )
                % {"organisation": pledge.organisation.name},
            )
            return redirect(page.idea_url(idea) + "#backing-heading")
    if status == 400:
        messages.error(request, _("Please correct the errors in the pledge form below."))
    return _render_detail(request, page, idea, pledge_form=form, status=status)


def _declare_interest(request, page, idea):
    """A verified organisation's representative declares its stake in the idea (pledges.declare_interest); it
    bars the organisation's pledges on it until staff review it."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    user = request.user
    organisations = _verified_organisations(user)
    if not user.has_perm("ideas.declare_interest", idea) or not organisations:
        return _refuse(request, page, _why_no_pledge(user, idea))
    form = InterestForm(request.POST, organisations=organisations)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            pledges.declare_interest(
                user, data["organisation"], idea, kind=data["kind"], description=data["description"]
            )
        except participation.LoginRequired:
            return redirect_to_login(request.get_full_path())
        except participation.Refused as refusal:
            form.add_error(None, refusal.message)
            messages.error(request, refusal.message)
            status = 403
        except participation.Invalid as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Thank you for declaring the interest of %(organisation)s. Until staff review it, the "
                    "organisation cannot back this idea."
                )
                % {"organisation": data["organisation"].name},
            )
            return redirect(page.idea_url(idea) + "#business-heading")
    if status == 400:
        messages.error(request, _("Please correct the errors in the form below."))
    return _render_detail(request, page, idea, interest_form=form, status=status)


def my_ideas(request, page):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    ideas = Idea.objects.filter(round=page.budget_round, author=request.user).select_related(
        "category", "area"
    )
    return TemplateResponse(
        request,
        "ideas/my_ideas.html",
        {"page": page, "ideas": ideas, "can_add": request.user.has_perm("ideas.add_idea", page.budget_round)},
    )
