"""How allauth fits the site: e-mails carry the site's name, logging out returns to the home page of the
language the resident was using."""

from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.urls import reverse

from home.models import SiteText


def localized_home_url():
    """The home page of the active language ("/" for Latvian, "/en/" for English)."""
    return reverse("wagtail_serve", args=[""])


class AccountAdapter(DefaultAccountAdapter):
    """The site's allauth adapter, wired by ACCOUNT_ADAPTER in config/settings/base.py."""

    def send_mail(self, template_prefix, email, context):
        # allauth renders e-mails in the request's language, so links and text follow the page the resident
        # used. Without django.contrib.sites its "site" would be the bare host name; greet with the site's
        # name in that language instead.
        super().send_mail(template_prefix, email, {"current_site": self._site(), **context})

    def get_logout_redirect_url(self, request):
        return localized_home_url()

    def _site(self):
        text = SiteText.for_active_locale()
        request = allauth_context.request
        domain = request.get_host() if request is not None else settings.WAGTAILADMIN_BASE_URL.split("//")[-1]
        return SimpleNamespace(name=text.site_name if text else settings.WAGTAIL_SITE_NAME, domain=domain)


def user_display(user):
    """How allauth names a user in its pages and e-mails: the display name, never the generated username."""
    profile = getattr(user, "resident_profile", None)
    return profile.display_name if profile else user.email
