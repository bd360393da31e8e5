"""Background tasks of the website (django-tasks): e-mails to people who register for events."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task
from wagtail.models import Locale

SUBJECTS = {
    "confirm": "home/emails/registration_confirm_subject.txt",
    "confirmed": "home/emails/registration_confirmed_subject.txt",
    "waiting": "home/emails/registration_waiting_subject.txt",
    "promoted": "home/emails/registration_promoted_subject.txt",
    "cancelled": "home/emails/registration_cancelled_subject.txt",
}


@task()
def send_registration_email(registration_id, kind):
    """E-mail a registrant, in the language they registered in, about their registration. "confirm" carries
    the signed link that makes a website registration take its place (home/registrations.py)."""
    from home.models import EventRegistration
    from home.registrations import CONFIRMATION_MAX_AGE, confirmation_token

    registration = EventRegistration.objects.select_related("event").get(pk=registration_id)
    event = registration.event
    locale = Locale.objects.filter(language_code=registration.language).first()
    localized_event = (event.get_translation_or_none(locale) if locale else None) or event
    if not localized_event.live:
        localized_event = event
    with translation.override(registration.language):
        cancel_url = localized_event.get_full_url() + localized_event.reverse_subpage(
            "cancel_registration", args=[registration.token]
        )
        context = {"registration": registration, "event": localized_event, "cancel_url": cancel_url}
        if kind == "confirm":
            context["confirm_url"] = localized_event.get_full_url() + localized_event.reverse_subpage(
                "confirm_registration", args=[confirmation_token(registration)]
            )
            context["hours"] = int(CONFIRMATION_MAX_AGE.total_seconds() // 3600)
        subject = " ".join(render_to_string(SUBJECTS[kind], context).split())
        body = render_to_string(f"home/emails/registration_{kind}.txt", context)
    send_mail(subject, body, None, [registration.email])
