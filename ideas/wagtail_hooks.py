"""Wagtail admin registration of participation: log actions (more to come)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from ideas.statuses import Status


@hooks.register("register_log_actions")
def register_idea_log_actions(actions):
    for status in Status:
        actions.register_action(
            f"ideas.status.{status.value}",
            _("Idea status: %(status)s") % {"status": status.label},
            _("Idea status changed to “%(status)s”") % {"status": status.label},
        )
