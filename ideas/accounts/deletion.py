"""Deleting a resident's account (GDPR art. 17), called by the "delete my account" view in
ideas/accounts/views.py.

What goes and what stays:
- the user row goes, and with it (CASCADE) the profile, e-mail addresses, supports and follows;
- ideas, comments and reports stay without an author (SET_NULL): they are part of the public record of
  the budget round, and their pages show "former resident";
- event registrations made with the account's addresses are kept for the organisers' head count but lose
  the name and address; upcoming ones are cancelled, and a freed place goes to the waiting list.
"""

from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from home.models import EventRegistration
from home.registrations import cancel
from ideas.accounts.export import email_addresses, registrations_of

ERASED_NAME = "—"


def delete_account(user):
    """Delete `user` as described above, all or nothing. Returns how many registrations were anonymised."""
    with transaction.atomic():
        registrations = registrations_of(email_addresses(user))
        own = set(registrations.values_list("pk", flat=True))
        upcoming = registrations.filter(event__start__gt=timezone.now()).exclude(
            status=EventRegistration.Status.CANCELLED
        )
        for registration in upcoming:
            # No "cancelled" e-mail: the address is about to be erased.
            cancel(registration, tell_registrant=False, exclude_from_promotion=own)
        # "deleted-<id>@invalid": unique per row (an active registration's address is unique per event) and
        # on a reserved top-level domain, so no e-mail can ever reach anyone.
        anonymised = registrations.update(
            name=ERASED_NAME,
            email=Concat(Value("deleted-"), Cast("pk", CharField()), Value("@invalid")),
        )
        user.delete()
    return anonymised
