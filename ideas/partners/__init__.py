"""Businesses backing residents' ideas (corporate social responsibility).

- organisations.py: sign-up, verification and representatives (services);
- pledges.py: pledges and declared interests, their state machine, conflict rules and co-funding (services);
- views.py, urls in the PartnersPage routes: the public partners pages, sign-up and "my organisation";
- reports.py: CSR reports per organisation, per round and per year.
"""

# Audit-log actions of this package, with their labels (registered in ideas/wagtail_hooks.py).
from django.utils.translation import gettext_lazy as _

PARTNER_ACTIONS = {
    "ideas.organisation.register": _("Register an organisation"),
    "ideas.organisation.change": _("Change an organisation"),
    "ideas.organisation.verified": _("Verify an organisation"),
    "ideas.organisation.rejected": _("Refuse to verify an organisation"),
    "ideas.organisation.suspended": _("Suspend an organisation"),
    "ideas.pledge.offered": _("Offer a pledge"),
    "ideas.pledge.confirmed": _("Confirm a pledge"),
    "ideas.pledge.declined": _("Decline a pledge"),
    "ideas.pledge.withdrawn": _("Withdraw a pledge"),
    "ideas.pledge.fulfilled": _("Mark a pledge fulfilled"),
    "ideas.interest.declared": _("Declare an interest in an idea"),
    "ideas.interest.reviewed": _("Review a declared interest"),
    "ideas.tax_revenue.entered": _("Enter tax revenue"),
    "ideas.workshop.outcome": _("Record a workshop's outcome"),
    "ideas.workshop.attendance": _("Record workshop attendance"),
    "ideas.workshop.idea": _("Enter an idea at a workshop"),
    "ideas.workshop.code": _("Hand out a voting code at a workshop"),
}
