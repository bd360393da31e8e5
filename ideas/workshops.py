"""Budget think-tank workshops: one front door for what staff record about them, and the read-only views of
their outcomes that the public pages, the admin and the API share.

A workshop is a home.EventPage of kind "workshop" with `budget_round` set. Everything is stored against the
default-language original of the event (EventPage.registration_event), so that the Latvian and English pages
share one list of registrations, one set of notes, ideas and codes.

The services (record_outcome, set_attendance, enter_idea_for_attendee, hand_out_code_at_workshop) are called by
the admin (ideas/moderation/workshops.py), the API and the demo loader (ideas/demo_workshops.py). Each asks
django-rules for `ideas.record_workshop` (user=None is the system itself, e.g. the demo loader), writes Wagtail's
audit log (actions in ideas/partners/__init__.py: PARTNER_ACTIONS) and raises Refused / LoginRequired / Invalid
(ideas/participation.py) with the message for staff.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Func, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from home import page_cache
from home.models import EventPage, EventRegistration
from ideas.models import BudgetRoundPage, Idea, StatusChange, VotingCode, WorkshopOutcome
from ideas.models.ideas import REQUIRED_TO_SUBMIT, RESIDENT_FIELDS
from ideas.participation import Invalid, LoginRequired, Refused
from ideas.phases import Phase
from ideas.services import change_status
from ideas.statuses import Status
from ideas.voting import codes, keys

PERMISSION = "ideas.record_workshop"
NOTES_MAX_LENGTH = WorkshopOutcome._meta.get_field("notes").max_length
CREDIT_MAX_LENGTH = Idea._meta.get_field("credited_to").max_length
# What staff may write about an idea entered for an attendee: a resident's own fields, and its language.
IDEA_FIELDS = frozenset(RESIDENT_FIELDS) | {"language"}
# Once voting is over a handed-out code could never vote: the hand-out is refused then.
VOTING_OVER = frozenset({Phase.RESULTS, Phase.IMPLEMENTATION})


# Which event ----------------------------------------------------------------------------------------------


def original_of(event):
    """The default-language original of an event page (either language version may be passed)."""
    return event.specific.registration_event


def is_workshop(event):
    """Whether the event is a budget think-tank workshop: kind "workshop" and linked to a round."""
    return event.kind == EventPage.Kind.WORKSHOP and event.budget_round_id is not None


def workshops():
    """Every workshop's default-language original (live or not), newest first: the admin's list."""
    return (
        EventPage.objects.filter(
            kind=EventPage.Kind.WORKSHOP,
            budget_round__isnull=False,
            locale__language_code=settings.LANGUAGE_CODE,
        )
        .select_related("budget_round")
        .order_by("-start", "-pk")
    )


def round_workshops(budget_round, locale):
    """The live workshop pages of a round in one language, in date order: the round page's list."""
    return (
        EventPage.objects.live()
        .filter(kind=EventPage.Kind.WORKSHOP, budget_round=budget_round, locale=locale)
        .order_by("start", "pk")
    )


def round_page_for(event):
    """The round's live page in the event's language (else in any language), for the link on the event page."""
    if event.budget_round_id is None:
        return None
    pages = BudgetRoundPage.objects.live().filter(budget_round_id=event.budget_round_id)
    return pages.filter(locale_id=event.locale_id).first() or pages.first()


def translation_for(event, language_code):
    """The live version of a workshop in one language (else None): where an idea's credit links to."""
    return (
        EventPage.objects.live()
        .filter(translation_key=event.translation_key, locale__language_code=language_code)
        .first()
    )


# What a workshop produced ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a workshop produced, counted on its original: for the public pages, the admin and the API.

    `ideas` holds every idea entered there for staff (`public_only=False`), else only public ones. Who received
    a voting code is never part of it: only how many."""

    notes: str = ""
    registrations: int = 0
    attended: int = 0
    codes_handed_out: int = 0
    ideas: list = field(default_factory=list)

    @property
    def is_empty(self):
        return not (self.notes or self.attended or self.codes_handed_out or self.ideas)


def outcome_of(event, *, public_only=True):
    """The Outcome of a workshop (either language version may be passed)."""
    original = original_of(event)
    registrations = original.registrations.filter(status__in=EventRegistration.HOLDING)
    ideas = Idea.objects.filter(workshop=original).select_related("round").order_by("created_at", "pk")
    if public_only:
        ideas = ideas.public()
    return Outcome(
        notes=WorkshopOutcome.objects.filter(event=original).values_list("notes", flat=True).first() or "",
        registrations=registrations.count(),
        attended=registrations.filter(attended=True).count(),
        codes_handed_out=VotingCode.objects.filter(workshop=original).count(),
        ideas=list(ideas),
    )


@dataclass
class Summary:
    """The line the round page shows under a workshop that has started: what `outcome_of` counts, read for all the
    round's workshops in the workshop list's own query (round_workshop_summaries)."""

    has_notes: bool = False
    attended: int = 0
    codes_handed_out: int = 0
    idea_count: int = 0

    @property
    def is_empty(self):
        return not (self.has_notes or self.attended or self.codes_handed_out or self.idea_count)


def _count(queryset):
    """A subquery counting the rows of `queryset` (COUNT without GROUP BY), 0 for none."""
    counted = queryset.order_by().annotate(total=Func(F("pk"), function="COUNT")).values("total")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def round_workshop_summaries(budget_round, locale_id):
    """The round page's workshops (round_workshops) with, once each has started, its Summary: [(event, Summary or
    None)], in one query however many workshops there are. Counted on each workshop's default-language original,
    as outcome_of does (EventPage.registration_event)."""
    original = (
        EventPage.objects.filter(
            translation_key=OuterRef("translation_key"), locale__language_code=settings.LANGUAGE_CODE
        )
        .order_by("pk")
        .values("pk")[:1]
    )
    events = (
        round_workshops(budget_round, locale_id)
        .annotate(original_pk=Coalesce(Subquery(original), F("pk"), output_field=IntegerField()))
        .annotate(
            summary_notes=Subquery(
                WorkshopOutcome.objects.filter(event_id=OuterRef("original_pk"))
                .order_by("pk")
                .values("notes")[:1]
            ),
            summary_attended=_count(
                EventRegistration.objects.filter(event_id=OuterRef("original_pk"), attended=True).filter(
                    status__in=EventRegistration.HOLDING
                )
            ),
            summary_codes=_count(VotingCode.objects.filter(workshop_id=OuterRef("original_pk"))),
            summary_ideas=_count(Idea.objects.filter(workshop_id=OuterRef("original_pk")).public()),
        )
    )
    now = timezone.now()
    return [
        (
            event,
            Summary(
                has_notes=bool(event.summary_notes),
                attended=event.summary_attended,
                codes_handed_out=event.summary_codes,
                idea_count=event.summary_ideas,
            )
            if now >= event.start
            else None,
        )
        for event in events
    ]


# Permission and preconditions ------------------------------------------------------------------------------


def _require(user):
    """Refuse unless `user` records workshops (moderators); None is the system itself."""
    if user is None or user.has_perm(PERMISSION):
        return
    if not user.is_authenticated:
        raise LoginRequired(_("Please log in first."))
    raise Refused(_("Only moderators record what happened at a workshop."))


def _workshop(user, event):
    """Check the permission, then return the event's original, refusing anything that is not a workshop that
    has started (outcomes are recorded at or after the workshop)."""
    _require(user)
    original = original_of(event)
    if not is_workshop(original):
        raise Refused(
            _(
                "This event is not a budget think-tank workshop. Make it of kind “Workshop” and choose its "
                "budget round on the event page first."
            )
        )
    if timezone.now() < original.start:
        raise Refused(_("Outcomes can be recorded once the workshop has started."))
    return original


def _clean_text(value, name, max_length):
    """Text from a form or the API without NUL bytes and outer spaces, or Invalid naming the field."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid({name: [_("Enter text.")]})
    value = value.replace("\x00", "").strip()
    if len(value) > max_length:
        raise Invalid({name: [_("Please keep it to %(limit)d characters at most.") % {"limit": max_length}]})
    return value


# Services -------------------------------------------------------------------------------------------------


def record_outcome(user, event, notes):
    """Store the workshop's notes (replacing earlier ones); returns the WorkshopOutcome."""
    original = _workshop(user, event)
    notes = _clean_text(notes, "notes", NOTES_MAX_LENGTH)
    with transaction.atomic():
        outcome, _created = WorkshopOutcome.objects.select_for_update().get_or_create(event=original)
        outcome.notes = notes
        outcome.recorded_by = user
        outcome.save()
        log(instance=original, action="ideas.workshop.outcome", user=user, title=original.title)
    return outcome


def set_attendance(user, event, attended_registration_ids):
    """Mark exactly these registrations of the workshop as attended (the others as not); returns how many
    attended. Cancelled registrations and another event's registrations are refused."""
    original = _workshop(user, event)
    try:
        wanted = {int(pk) for pk in attended_registration_ids or ()}
    except (TypeError, ValueError) as error:
        raise Invalid({"attended": [_("Choose attendees from the workshop's registrations.")]}) from error
    with transaction.atomic():
        registrations = original.registrations.select_for_update().filter(
            status__in=EventRegistration.HOLDING
        )
        known = set(registrations.values_list("pk", flat=True))
        if not wanted <= known:
            raise Invalid(
                {"attended": [_("Some of the chosen people are not registered for this workshop.")]}
            )
        registrations.filter(pk__in=wanted).update(attended=True)
        registrations.exclude(pk__in=wanted).update(attended=False)
        # Updates send no post_save (and registrations are quiet for the page cache): the workshop's public
        # attendance count is renewed here.
        page_cache.purge()
        log(
            instance=original,
            action="ideas.workshop.attendance",
            user=user,
            title=original.title,
            data={"attended": len(wanted), "registered": len(known)},
        )
    return len(wanted)


def enter_idea_for_attendee(user, event, registration, *, consent, credited_to, **idea_fields):
    """Staff enter an idea an attendee proposed at the workshop, with the attendee's recorded consent, credited
    to them by the name they agreed to. The idea joins the workshop's round and is submitted through
    ideas/services.change_status (public history), so moderators publish or send it back as usual. Its author
    is the attendee's account when they registered logged in. Returns the idea."""
    original = _workshop(user, event)
    if consent is not True:
        raise Invalid(
            {
                "consent": [
                    _(
                        "Ask the attendee first: an idea can only be entered for them with their consent to "
                        "publish it under their name."
                    )
                ]
            }
        )
    if not isinstance(registration, EventRegistration) or registration.event_id != original.pk:
        raise Invalid({"registration": [_("Choose someone who registered for this workshop.")]})
    registration.refresh_from_db(fields=["attended", "status", "user"])
    if not registration.attended or registration.status not in EventRegistration.HOLDING:
        raise Invalid(
            {
                "registration": [
                    _("%(name)s is not marked as attending. Record the attendance first.")
                    % {"name": registration.name}
                ]
            }
        )
    credited_to = _clean_text(credited_to, "credited_to", CREDIT_MAX_LENGTH)
    if not credited_to:
        raise Invalid({"credited_to": [_("Enter the name the attendee agreed to be credited with.")]})
    budget_round = original.budget_round
    if original.start >= budget_round.review_starts:
        raise Refused(
            _(
                "This workshop took place after the round stopped taking ideas, so ideas from it cannot be "
                "entered in this round."
            )
        )
    unknown = set(idea_fields) - IDEA_FIELDS
    if unknown:
        raise TypeError(f"not an idea field: {', '.join(sorted(unknown))}")
    for name in ("title", "summary", "description", "address"):
        if name in idea_fields:
            limit = Idea._meta.get_field(name).max_length
            idea_fields[name] = _clean_text(idea_fields[name], name, limit)
    idea_fields.setdefault("language", registration.language or settings.LANGUAGE_CODE)
    idea = Idea(
        round=budget_round,
        author=registration.user,
        workshop=original,
        credited_to=credited_to,
        entered_by=user,
        consent_recorded_at=timezone.now(),
        **idea_fields,
    )
    try:
        idea.full_clean()
    except ValidationError as error:
        raise Invalid(error.message_dict) from error
    # Checked here too (change_status would refuse later): the error then names the field that is missing.
    missing = {
        name: [_("Fill this in: the idea is submitted at once.")]
        for name in REQUIRED_TO_SUBMIT
        if getattr(idea, f"{name}_id" if name in ("category", "area") else name) in (None, "")
    }
    if missing:
        raise Invalid(missing)
    with transaction.atomic():
        idea.save()
        log(
            instance=idea,
            action="ideas.workshop.idea",
            user=user,
            title=idea.title,
            data={"workshop": original.pk, "registration": registration.pk},
        )
        try:
            idea = change_status(idea, Status.SUBMITTED, user=user, role=StatusChange.Role.STAFF)
        except ValidationError as error:
            # Nothing of a half-entered idea stays: the form keeps what staff typed.
            raise Invalid({"__all__": error.messages}) from error
    return idea


def hand_out_code_at_workshop(user, event, code, personal_code):
    """Hand a one-time voting code to an identified attendee: ideas/voting/codes.hand_out checks who may vote
    (census list and age, or a staff exception), then the code is recorded as handed out at this workshop, in
    the same transaction. Neither the code nor the person goes into the log. Returns the VotingCode."""
    original = _workshop(user, event)
    budget_round = original.budget_round
    if budget_round.current_phase() in VOTING_OVER:
        raise Refused(_("Voting in this round is over, so voting codes can no longer be handed out."))
    if not isinstance(code, str) or not code.strip() or "\x00" in code:
        raise Invalid({"code": [_("Enter the voting code printed on the slip.")]})
    if not isinstance(personal_code, str):
        raise Invalid({"personal_code": [_("A personal code has 11 digits, for example 010203-12345.")]})
    with transaction.atomic():
        codes.hand_out(budget_round, code, personal_code, user=user)
        voting_code = VotingCode.objects.select_for_update().get(
            round=budget_round, code_hash=keys.code_hash(code)
        )
        voting_code.workshop = original
        voting_code.save(update_fields=["workshop"])
        log(
            instance=original,
            action="ideas.workshop.code",
            user=user,
            title=original.title,
            data={"round": budget_round.pk, "batch": voting_code.batch},
        )
    return voting_code
