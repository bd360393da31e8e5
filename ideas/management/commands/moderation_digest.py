"""`manage.py moderation_digest`: e-mail each moderator what waits for moderation. Run daily from cron."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.core.management.base import BaseCommand
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from ideas.models import Idea, Report
from ideas.rules import MODERATORS_GROUP
from ideas.statuses import AWAITING_MODERATION


class Command(BaseCommand):
    """`manage.py moderation_digest`: the moderators' daily e-mail of what waits (run from cron)."""

    help = "E-mail the moderators a summary of the ideas and reports that wait for them."

    def handle(self, *args, **options):
        ideas = list(
            Idea.objects.filter(status__in=AWAITING_MODERATION)
            .select_related("round")
            .order_by("round__submission_starts", "submitted_at", "pk")
        )
        reports = Report.objects.filter(resolved_at__isnull=True)
        open_report_count = reports.count()
        if not ideas and not open_report_count:
            self.stdout.write("Nothing waits for moderation; no e-mail sent.")
            return

        moderators = (
            get_user_model()
            .objects.filter(groups__name=MODERATORS_GROUP, is_active=True)
            .exclude(email="")
            .select_related("resident_profile")
            .distinct()
        )
        context = self.summary(ideas, reports, open_report_count)
        messages = [self.message(moderator, context) for moderator in moderators]
        if messages:
            get_connection().send_messages(messages)
        self.stdout.write(
            f"Sent the moderation digest ({len(ideas)} ideas, {open_report_count} reports) "
            f"to {len(messages)} moderators."
        )

    def summary(self, ideas, reports, open_report_count):
        now = timezone.now()
        base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        rounds = {}
        for idea in ideas:
            since = idea.submitted_at or idea.created_at
            entry = rounds.setdefault(idea.round_id, {"name": idea.round.name, "ideas": []})
            entry["ideas"].append(
                {
                    "title": idea.title,
                    "since": since,
                    "url": base + reverse("wagtailsnippets_ideas_idea:edit", args=[idea.pk]),
                }
            )
        oldest = [idea["since"] for entry in rounds.values() for idea in entry["ideas"]]
        if first_report := reports.order_by("created_at").first():
            oldest.append(first_report.created_at)
        return {
            "rounds": list(rounds.values()),
            "waiting_count": len(ideas),
            "open_report_count": open_report_count,
            "oldest_days": (now - min(oldest)).days if oldest else None,
            "queue_url": base + reverse("wagtailsnippets_ideas_idea:list") + "?status=submitted",
            "reports_url": base + reverse("ideas_report:index"),
        }

    def message(self, moderator, context):
        profile = getattr(moderator, "resident_profile", None)
        language = profile.preferred_language if profile else settings.LANGUAGE_CODE
        with translation.override(language):
            context = {**context, "name": profile.display_name if profile else moderator.first_name}
            subject = " ".join(
                render_to_string("ideas/emails/moderation_digest_subject.txt", context).split()
            )
            body = render_to_string("ideas/emails/moderation_digest.txt", context)
        return EmailMessage(subject, body, None, [moderator.email])
