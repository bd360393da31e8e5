from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    """Participation: budget rounds, ideas, ballots, counting, moderation and the API (built in later issues)."""

    name = "ideas"
    verbose_name = _("Participation")

    def ready(self):
        # The eID receivers (user_signed_up, social_account_added) link a person once an account exists.
        # Latvian cases in Wagtail's "pirms 2 mēnešiem" (ideas/l10n.py).
        from ideas import l10n
        from ideas.accounts import adapter  # noqa: F401

        l10n.install()
