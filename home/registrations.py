"""Event registration rules: places, waiting list, duplicates, cancellation and promotion from the list.

EventPage's routes call the two views at the bottom; e-mails go out through home/tasks.py after commit.
"""

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from home.models import EventPage, EventRegistration
from home.tasks import send_registration_email


class RegistrationError(Exception):
    """A registration the rules refuse; the message is shown to the resident."""


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


def register(event, name, email, language, user=None):
    """Register a person for an event: a place if one is free, else the waiting list. `user` is the account of
    a logged-in registrant (kept on the registration, so that an idea staff enter for them at a workshop is
    theirs: ideas/workshops.py); None for someone registering without logging in."""
    with transaction.atomic():
        # Serialises registrations for one event on PostgreSQL, so capacity is never exceeded.
        target = EventPage.objects.select_for_update().get(pk=event.registration_event.pk)
        if not target.registration_enabled:
            raise RegistrationError(_("This event does not take registrations."))
        if timezone.now() >= target.start:
            raise RegistrationError(_("Registration has closed: the event has already started."))
        active = target.registrations.exclude(status=EventRegistration.Status.CANCELLED)
        if active.filter(email__iexact=email).exists():
            raise RegistrationError(
                _(
                    "This e-mail address is already registered for this event. Check your inbox for the "
                    "confirmation, which also has a link to cancel."
                )
            )
        confirmed = active.filter(status=EventRegistration.Status.CONFIRMED).count()
        has_place = target.capacity is None or confirmed < target.capacity
        try:
            with transaction.atomic():
                registration = EventRegistration.objects.create(
                    event=target,
                    name=name,
                    email=email,
                    language=language,
                    user=user if user is not None and user.is_authenticated else None,
                    status=EventRegistration.Status.CONFIRMED
                    if has_place
                    else EventRegistration.Status.WAITING,
                )
        except IntegrityError as error:
            raise RegistrationError(_("This e-mail address is already registered for this event.")) from error
        kind = "confirmed" if has_place else "waiting"
        transaction.on_commit(lambda: send_registration_email.enqueue(registration.pk, kind))
    return registration


def cancel(registration, *, tell_registrant=True, exclude_from_promotion=()):
    """Cancel a registration; a freed place goes to the first person on the waiting list.

    Account deletion cancels without the e-mail (the address is being erased) and never promotes another
    registration of the same person (`exclude_from_promotion`), which is being cancelled too.
    """
    with transaction.atomic():
        EventPage.objects.select_for_update().get(pk=registration.event_id)
        registration.refresh_from_db()
        if registration.status == EventRegistration.Status.CANCELLED:
            return None
        freed_place = registration.status == EventRegistration.Status.CONFIRMED
        registration.status = EventRegistration.Status.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
        if tell_registrant:
            transaction.on_commit(lambda: send_registration_email.enqueue(registration.pk, "cancelled"))
        promoted = None
        if freed_place:
            promoted = (
                EventRegistration.objects.filter(
                    event_id=registration.event_id, status=EventRegistration.Status.WAITING
                )
                .exclude(pk__in=exclude_from_promotion)
                .order_by("created_at", "pk")
                .first()
            )
            if promoted:
                promoted.status = EventRegistration.Status.CONFIRMED
                promoted.save(update_fields=["status"])
                transaction.on_commit(lambda: send_registration_email.enqueue(promoted.pk, "promoted"))
    return promoted


def register_view(request, page):
    if request.method != "POST":
        return redirect(page.url)
    form = RegistrationForm(request.POST)
    if form.is_valid():
        try:
            registration = register(
                page,
                form.cleaned_data["name"],
                form.cleaned_data["email"],
                get_language(),
                user=request.user,
            )
        except RegistrationError as error:
            form.add_error(None, str(error))
        else:
            if registration.status == EventRegistration.Status.CONFIRMED:
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
    return TemplateResponse(
        request, "home/event_cancel_registration.html", {"page": page, "registration": registration}
    )
