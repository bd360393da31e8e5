"""Template helpers for budget think-tank workshops (`{% load workshop_tags %}`): used by
templates/home/event_page.html, templates/ideas/includes/round_workshops.html and the idea page's credit line.
They only read; what a workshop produced comes from ideas/workshops.py."""

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ideas import workshops

register = template.Library()


@register.simple_tag
def workshop_facts(page):
    """For an event page that is a workshop: its round's page in the page's language, whether it is over, the
    language of the notes when it differs from the page's, and (once it has started) its public Outcome; None
    for any other event."""
    if not workshops.is_workshop(page):
        return None
    started = timezone.now() >= page.start
    default_language = settings.LANGUAGE_CODE
    return {
        "round_page": workshops.round_page_for(page),
        # Staff write the notes once, in the default language; the other language's page marks them so.
        "notes_language": "" if page.locale.language_code == default_language else default_language,
        "is_over": timezone.now() >= page.end,
        "outcome": workshops.outcome_of(page) if started else None,
    }


@register.simple_tag
def round_workshops(page):
    """The live workshops of a round page's round in the page's language, each with the Summary of its public
    outcome once it has started: [(event, summary or None)], in one query (ideas/workshops.py)."""
    return workshops.round_workshop_summaries(page.budget_round, page.locale_id)


@register.filter
def agenda_items(agenda):
    """A workshop's agenda as its non-empty lines (one item per line)."""
    return [line.strip() for line in (agenda or "").splitlines() if line.strip()]


@register.simple_tag
def workshop_credit(idea):
    """ "Name at the workshop “Title”" for an idea staff entered for an attendee, linking to the workshop's page
    in the active language when it is live; "" for any other idea."""
    if not idea.credited_to or idea.workshop_id is None:
        return ""
    event = idea.workshop
    shown = workshops.translation_for(event, (get_language() or "lv").split("-")[0]) or (
        event if event.live else None
    )
    if shown is not None and shown.url:
        place = format_html('<a href="{}">{}</a>', shown.url, shown.title)
    else:
        place = format_html("{}", event.title)
    return format_html(
        _("{name} at the workshop {workshop}"),
        name=idea.credited_to,
        workshop=format_html("“{}”", place),
    )
