"""Site search over the live public pages of the active language and the public ideas of every round, matching
Latvian word forms on PostgreSQL and SQLite alike.

Neither database stems Latvian (PostgreSQL 15 has no Latvian Snowball dictionary, SQLite's FTS5 only folds case
and diacritics), so the query is expanded instead of the index: each word becomes "any of its forms"
(ideas/text/latvian.py word_forms: "seniori" → senioriem, senioru, seniors, …) and every word must match. The
index stays as Wagtail's database backend builds it (ideas are in it through Idea.search_fields, public ones only).
Used by home/views.py search.
"""

from django.utils.functional import cached_property
from wagtail.models import Locale, Page
from wagtail.search.query import And, Or, PlainText

from ideas.models import BudgetRoundPage, Idea
from ideas.statuses import PUBLIC
from ideas.text.latvian import word_forms, words

MAX_WORDS = 8
# Enough for a municipality's site; pages come first, then ideas, in one list that is paginated.
MAX_RESULTS_OF_EACH = 200


def latvian_query(text):
    """The Wagtail search query for `text`: every word, in any of its Latvian forms; None when it has no words."""
    parts = []
    for word in words(text)[:MAX_WORDS]:
        forms = word_forms(word)
        parts.append(PlainText(forms[0]) if len(forms) == 1 else Or([PlainText(form) for form in forms]))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)


class Result:
    """One search hit for templates/home/search.html, a page or an idea; its link and text are only looked up
    for the results on the page shown."""

    def __init__(self, obj, kind):
        self.obj, self.kind = obj, kind

    @property
    def title(self):
        return self.obj.title

    @cached_property
    def url(self):
        return self.obj.url if self.kind == "page" else self.obj.get_absolute_url()

    @property
    def text(self):
        if self.kind == "idea":
            return self.obj.summary
        for name in ("search_description", "lead", "intro"):
            value = getattr(self.obj, name, "")
            if value:
                return str(value)
        return ""

    @property
    def label(self):
        return self.obj.get_status_display() if self.kind == "idea" else ""


def search(text):
    """Pages, then public ideas of rounds with a live page, matching `text` (see the module's docstring)."""
    query = latvian_query(text)
    if query is None:
        return []
    pages = Page.objects.live().public().filter(locale=Locale.get_active()).specific()
    results = [Result(page, "page") for page in pages.search(query)[:MAX_RESULTS_OF_EACH]]
    shown_rounds = BudgetRoundPage.objects.live().public().values_list("budget_round_id", flat=True)
    ideas = Idea.objects.filter(status__in=PUBLIC, round__in=list(shown_rounds)).search(query)
    results += [Result(idea, "idea") for idea in ideas[:MAX_RESULTS_OF_EACH]]
    return results
