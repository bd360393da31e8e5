"""Event registration rules: confirmation by e-mail, places, waiting list, duplicates, speed limits,
cancellation and promotion from the list.

Registering on the website makes a PENDING registration and e-mails one signed link (`confirmation_token`,
valid CONFIRMATION_MAX_AGE); only `confirm` makes it take a place, or a waiting-list position in the order of
confirmation, so addresses nobody reads never fill an event. A logged-in resident registering with one of
their verified addresses (allauth EmailAddress) is confirmed at once. Registering the same address again sends
no second link within RESEND_AFTER. Each registration counts against the client address's and the e-mail
address's budgets (ideas/limits.py ACTION_LIMITS["registration"]). Every change of places locks the event row,
so simultaneous confirmations never give away more places than there are (PostgreSQL).

EventPage's routes (home/models/events.py) call the three views at the bottom; e-mails go out through
home/tasks.py after commit.
"""

import datetime

import rules
from allauth.account.models import EmailAddress
from django import forms
from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from home import page_cache
from home.models import EventPage, EventRegistration
from home.tasks import send_registration_email
from ideas import limits

# How long a confirmation link works; unconfirmed registrations whose newest link is older are deleted.
CONFIRMATION_MAX_AGE = datetime.timedelta(hours=48)
# No second confirmation e-mail to one address for one event within this time.
RESEND_AFTER = datetime.timedelta(minutes=15)
SALT = "home.registrations.confirm"


def _signer():
    # "/" between the parts: Wagtail serves only path segments of letters, digits, "_" and "-" (the parts of a
    # signed value are made of those), so the token travels as three segments (the `path` route of EventPage).
    return signing.TimestampSigner(salt=SALT, sep="/")


Status = EventRegistration.Status


class RegistrationError(Exception):
    """A registration the rules refuse; the message is shown to the resident."""


Limited = limits.Limited


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    consent = forms.BooleanField(
        label=_("I agree that the municipality uses my name and e-mail to organise this event."),
        error_messages={"required": _("Please agree so that we can register you.")},
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Please enter your name."))
        return name

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


def initial_for(user):
    """The form's starting values for a logged-in resident: their name and account address."""
    if not user.is_authenticated:
        return {}
    profile = getattr(user, "resident_profile", None)
    return {"name": profile.display_name if profile else "", "email": user.email}


@rules.predicate
def owns_verified_address(user, email):
    """`user` is logged in and has confirmed `email` for their account: no confirmation link is needed."""
    if user is None or not user.is_authenticated or not user.is_active or not email:
        return False
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def confirmation_token(registration):
    """The signed, dated token of a registration's confirmation link (checked by `registration_for_token`)."""
    return _signer().sign_object(registration.pk)


class LinkProblem(Exception):
    """A confirmation link that cannot be used: `kind` is "invalid" (tampered, cut, for another event) or
    "expired"."""

    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind


def registration_for_token(token, event):
    """The registration a confirmation link of `event` (either language) is for, or LinkProblem.

    A used link finds its registration whatever its age, so that its owner learns they are registered rather
    than that the link expired."""
    try:
        pk = _signer().unsign_object(token)
    except signing.BadSignature:
        raise LinkProblem("invalid") from None
    registration = None
    if isinstance(pk, int):
        registration = EventRegistration.objects.filter(pk=pk, event=event.registration_event).first()
    if registration is not None and registration.status != Status.PENDING:
        return registration
    try:
        _signer().unsign_object(token, max_age=CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkProblem("expired") from None
    if registration is None:
        raise LinkProblem("invalid")
    return registration


def purge_unconfirmed(now=None):
    """Delete unconfirmed registrations whose newest link has expired: they never took anything, and an
    address nobody confirmed is not kept."""
    cutoff = (now or timezone.now()) - CONFIRMATION_MAX_AGE
    stale = Q(link_sent_at__lt=cutoff) | Q(link_sent_at__isnull=True, created_at__lt=cutoff)
    EventRegistration.objects.filter(stale, status=Status.PENDING).delete()


def _check_open(event, now):
    if not event.registration_enabled:
        raise RegistrationError(_("This event does not take registrations."))
    if now >= event.start:
        raise RegistrationError(_("Registration has closed: the event has already started."))


def _take_place(event, registration, now):
    """Give a PENDING registration a place, or else a waiting-list position; the caller holds the event's lock."""
    confirmed = event.registrations.filter(status=Status.CONFIRMED).count()
    has_place = event.capacity is None or confirmed < event.capacity
    registration.status = Status.CONFIRMED if has_place else Status.WAITING
    registration.confirmed_at = now
    registration.save(update_fields=["status", "confirmed_at", "user"])
    page_cache.purge()  # places left changed (registrations are quiet for the cache: home/page_cache.py)
    kind = "confirmed" if has_place else "waiting"
    transaction.on_commit(lambda: send_registration_email.enqueue(registration.pk, kind))


def _send_link(registration, now):
    registration.link_sent_at = now
    registration.save(update_fields=["link_sent_at"])
    transaction.on_commit(lambda: send_registration_email.enqueue(registration.pk, "confirm"))


def register(event, name, email, language, user=None, address=None):
    """Register a person for an event. Returns the registration: PENDING with a confirmation link on its way,
    or, for a logged-in `user` who verified `email`, CONFIRMED (a place was free) or WAITING.

    `user` is the account of a logged-in registrant (kept on the registration, so that an idea staff enter for
    them at a workshop is theirs: ideas/workshops.py); `address` the client's (ideas.limits.client_address).
    Raises RegistrationError (closed, already registered, a link sent moments ago) or Limited.
    """
    user = user if user is not None and user.is_authenticated else None
    verified = owns_verified_address(user, email)
    # Counted per e-mail address only when a link goes to it: a verified address cannot be someone else's.
    email_budget = None if verified else f"email:{email.lower()}"
    purge_unconfirmed()
    with transaction.atomic():
        # Serialises registrations for one event on PostgreSQL, so capacity is never exceeded.
        target = EventPage.objects.select_for_update().get(pk=event.registration_event.pk)
        now = timezone.now()
        _check_open(target, now)
        # The address pays before any answer that depends on the e-mail address, so that asking "is this address
        # registered?" over and over is limited like registering; the e-mail's own budget counts sent links.
        limits.take("registration", address=address)
        existing = target.registrations.exclude(status=Status.CANCELLED).filter(email__iexact=email).first()
        if existing is not None and existing.status != Status.PENDING:
            raise RegistrationError(
                _(
                    "This e-mail address is already registered for this event. Check your inbox for the "
                    "confirmation, which also has a link to cancel."
                )
            )
        if (
            existing is not None
            and not verified
            and existing.link_sent_at
            and now - existing.link_sent_at < RESEND_AFTER
        ):
            minutes = int(RESEND_AFTER.total_seconds() // 60)
            raise RegistrationError(
                ngettext(
                    "We have just sent a link to confirm this registration to this e-mail address. Please look "
                    "for it in your inbox and in the spam folder; a new link can be sent after %(minutes)d minute.",
                    "We have just sent a link to confirm this registration to this e-mail address. Please look "
                    "for it in your inbox and in the spam folder; a new link can be sent after %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes}
            )
        limits.take("registration", account=email_budget)
        registration = existing
        if registration is not None and (registration.name, registration.language) != (name, language):
            # The newest registrant's name counts: an earlier, unconfirmed one may have been typed by someone else.
            registration.name, registration.language = name, language
            registration.save(update_fields=["name", "language"])
        if registration is None:
            try:
                with transaction.atomic():
                    registration = EventRegistration.objects.create(
                        event=target,
                        name=name,
                        email=email,
                        language=language,
                        user=user,
                        status=Status.PENDING,
                    )
            except IntegrityError as error:
                raise RegistrationError(
                    _("This e-mail address is already registered for this event.")
                ) from error
        if verified:
            registration.user = registration.user or user
            _take_place(target, registration, now)
        else:
            _send_link(registration, now)
    return registration


def confirm(registration):
    """The registrant opened their link: a PENDING registration takes a place if one is still free, otherwise
    the next waiting-list position (the event may have filled since they registered). Returns False, changing
    nothing, when the registration is no longer PENDING (a link used twice, or two confirmations at once: the
    event's lock lets one through). Raises RegistrationError once registration has closed."""
    with transaction.atomic():
        target = EventPage.objects.select_for_update().get(pk=registration.event_id)
        registration.refresh_from_db()
        if registration.status != Status.PENDING:
            return False
        now = timezone.now()
        _check_open(target, now)
        _take_place(target, registration, now)
    return True


def cancel(registration, *, tell_registrant=True, exclude_from_promotion=()):
    """Cancel a registration; a freed place goes to the first person on the waiting list (first confirmed).

    Account deletion cancels without the e-mail (the address is being erased) and never promotes another
    registration of the same person (`exclude_from_promotion`), which is being cancelled too.
    """
    with transaction.atomic():
        EventPage.objects.select_for_update().get(pk=registration.event_id)
        registration.refresh_from_db()
        if registration.status == Status.CANCELLED:
            return None
        freed_place = registration.status == Status.CONFIRMED
        was_pending = registration.status == Status.PENDING
        registration.status = Status.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
        page_cache.purge()
        if tell_registrant and not was_pending:
            transaction.on_commit(lambda: send_registration_email.enqueue(registration.pk, "cancelled"))
        promoted = None
        if freed_place:
            promoted = (
                EventRegistration.objects.filter(event_id=registration.event_id, status=Status.WAITING)
                .exclude(pk__in=exclude_from_promotion)
                .order_by("confirmed_at", "pk")
                .first()
            )
            if promoted:
                promoted.status = Status.CONFIRMED
                promoted.save(update_fields=["status"])
                transaction.on_commit(lambda: send_registration_email.enqueue(promoted.pk, "promoted"))
    return promoted


def register_view(request, page):
    if request.method != "POST":
        return redirect(page.url)
    form = RegistrationForm(request.POST)
    limited = None
    if form.is_valid():
        try:
            registration = register(
                page,
                form.cleaned_data["name"],
                form.cleaned_data["email"],
                get_language(),
                user=request.user,
                address=limits.client_address(request),
            )
        except Limited as error:
            limited = error
            form.add_error(None, error.message)
        except RegistrationError as error:
            form.add_error(None, str(error))
        else:
            if registration.status == Status.PENDING:
                hours = int(CONFIRMATION_MAX_AGE.total_seconds() // 3600)
                messages.info(
                    request,
                    ngettext(
                        "Almost done: we have sent an e-mail to %(email)s. Open the link in it within %(hours)d "
                        "hour to confirm your registration; until then no place is kept for you.",
                        "Almost done: we have sent an e-mail to %(email)s. Open the link in it within %(hours)d "
                        "hours to confirm your registration; until then no place is kept for you.",
                        hours,
                    )
                    % {"email": registration.email, "hours": hours},
                )
            elif registration.status == Status.CONFIRMED:
                messages.success(
                    request, _("You are registered. We have sent a confirmation to your e-mail.")
                )
            else:
                messages.info(
                    request,
                    _(
                        "The event is full, so you are on the waiting list. We will e-mail you if a place frees up."
                    ),
                )
            return redirect(page.url)
    response = page.render(request, context_overrides={"form": form})
    response.status_code = 400
    if limited is not None:
        response.status_code = 429
        response["Retry-After"] = str(limited.retry_after)
    return response


def confirm_view(request, page, token):
    """The link in the confirmation e-mail: a page with one button (GET), which confirms (POST). A GET alone
    changes nothing, so mail scanners that open links do not confirm for the registrant."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    context = {"page": page, "hours": int(CONFIRMATION_MAX_AGE.total_seconds() // 3600)}
    try:
        registration = registration_for_token(token, page)
    except LinkProblem as problem:
        context["state"] = problem.kind
        return _confirmation_page(request, context, status=410 if problem.kind == "expired" else 400)
    context["registration"] = registration
    if registration.status == Status.PENDING and request.method == "POST":
        try:
            confirmed = confirm(registration)
        except RegistrationError as error:
            context.update(state="closed", message=str(error))
            return _confirmation_page(request, context, status=400)
        if confirmed:
            if registration.status == Status.CONFIRMED:
                messages.success(
                    request,
                    _(
                        "Thank you, your registration is confirmed and a place is yours. We have e-mailed you "
                        "the details and a link to cancel."
                    ),
                )
            else:
                messages.info(
                    request,
                    _(
                        "Thank you for confirming. Meanwhile all places were taken, so you are on the waiting "
                        "list: if a place frees up, it goes to the first person on the list and we will e-mail you."
                    ),
                )
            return redirect(page.url)
    context["state"] = "confirm" if registration.status == Status.PENDING else "used"
    if registration.status in EventRegistration.HOLDING:
        context["cancel_url"] = page.url + page.reverse_subpage(
            "cancel_registration", args=[registration.token]
        )
    return _confirmation_page(request, context)


def _confirmation_page(request, context, status=200):
    response = TemplateResponse(request, "home/event_confirm_registration.html", context, status=status)
    add_never_cache_headers(response)  # it may show the registrant's name and cancel link
    return response


def cancel_view(request, page, token):
    registration = EventRegistration.objects.filter(token=token, event=page.registration_event).first()
    if registration is None:
        raise Http404(_("This cancellation link is not valid."))
    if request.method == "POST":
        cancel(registration)
        messages.success(request, _("Your registration has been cancelled."))
        return redirect(page.url)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    response = TemplateResponse(
        request, "home/event_cancel_registration.html", {"page": page, "registration": registration}
    )
    add_never_cache_headers(response)
    return response
