"""Filtering and ordering the public list of ideas, with plain GET parameters.

Wired in two places, which must stay alike:
- the API: ideas/api/views.py, IdeaViewSet (`filterset_class`, through django-filter's DjangoFilterBackend;
  an invalid value is a 400 response naming the parameter);
- the residents' list on a round page: ideas/views.py (`IdeaFilter(request.GET, queryset, seed=...)`; an invalid
  value is left out of the filtering and `filterset.errors` says why).

Parameters: `category` and `area` (codes, the same in every language), `status` (one public status; without it
the listed ones, see ideas/statuses.py), `impact` (a green impact the idea promises: `trees` planted, `area`
greened or unsealed, a cycle or foot `path`, `co2` saved; only ideas whose figure for it is above 0), `q` (words
searched in title, summary, description and address; every word must match), `round` (id), `ordering` (newest,
most_supported, random) and `seed` (a visitor's number that keeps a random order the same while they page through
the list).
"""

import django_filters
from django import forms
from django.conf import settings
from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, Q, TextChoices
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from ideas.models import Area, BudgetRound, Category, Idea
from ideas.statuses import LISTED, PUBLIC, Status

# Random order: key = ((pk mod P) * multiplier + offset) mod P. P is prime and the multiplier never 0 mod P, so
# the keys of different ideas differ and every seed gives its own permutation. Integer arithmetic only, which
# SQLite and PostgreSQL evaluate alike; every intermediate value stays below 2**63.
_PRIME = 2_147_483_647  # 2**31 - 1
MAX_SEED = _PRIME - 1
MAX_SEARCH_WORDS = 10


class Ordering(TextChoices):
    """The orders a list of ideas can be shown in."""

    NEWEST = "newest", _("Newest first")
    MOST_SUPPORTED = "most_supported", _("Most supported first")
    RANDOM = "random", _("Random")


class Impact(TextChoices):
    """The green impacts an idea can promise, each with the Idea field that holds its figure (IMPACT_FIELD)."""

    TREES = "trees", _("trees planted")
    AREA = "area", _("area greened or unsealed")
    PATH = "path", _("cycle or foot path")
    CO2 = "co2", _("CO₂ saved")


IMPACT_FIELD = {
    Impact.TREES: "trees_planted",
    Impact.AREA: "area_greened_m2",
    Impact.PATH: "path_length_m",
    Impact.CO2: "co2_tonnes_per_year",
}


def random_key(seed):
    """An integer expression that orders ideas pseudo-randomly, the same way for the same seed."""
    seed = int(seed or 0) % MAX_SEED
    # Knuth's multiplicative hash spreads even small seeds over the whole range, so neighbouring ids wrap
    # around P many times and land far apart.
    multiplier = 1 + (seed * 2_654_435_761 + 1_013_904_223) % MAX_SEED  # 1 .. P-1
    offset = (seed * 40_503 + 12_345) % _PRIME
    return ExpressionWrapper(
        ((F("pk") % _PRIME) * multiplier + offset) % _PRIME, output_field=BigIntegerField()
    )


def order_ideas(queryset, ordering, seed=0):
    """Order ideas by one of `Ordering` (empty: newest); `seed` matters only for the random order."""
    newest = [F("published_at").desc(nulls_last=True), "-created_at", "-pk"]
    ordering = Ordering(ordering or Ordering.NEWEST)
    if ordering == Ordering.MOST_SUPPORTED:
        if "support_total" not in queryset.query.annotations:
            queryset = queryset.annotate(support_total=Count("supports", distinct=True))
        return queryset.order_by(F("support_total").desc(), *newest)
    if ordering == Ordering.RANDOM:
        return queryset.alias(random_key=random_key(seed)).order_by("random_key", "pk")
    return queryset.order_by(*newest)


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A number filter that accepts whole numbers only."""

    field_class = forms.IntegerField


# The largest id a client may name (64-bit database integers; ids start at 1): a bigger number is refused as a
# value, never sent to the database. Also the API's (ideas/api/schema.py, ideas/api/partners.py).
MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class RoundFilter(django_filters.ModelChoiceFilter):
    """A budget round by its id (`?round=`), for every list that has one (ideas here; results, deliveries and
    workshops in ideas/api/): a round that does not exist is a 400 naming the parameter."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Budget round (its id)"))
        kwargs.setdefault("queryset", BudgetRound.objects.all())
        kwargs.setdefault(
            "error_messages", {"invalid_choice": _("There is no budget round with the id “%(value)s”.")}
        )
        super().__init__(*args, **kwargs)


def _default_locale_rows(model):
    # Ideas point at the row of the default language; the code is the same in every language.
    return model.objects.filter(locale__language_code=settings.LANGUAGE_CODE)


class IdeaFilter(django_filters.FilterSet):
    """The public list of ideas filtered by category, area, status, promised green impact, words and round, in a
    chosen order."""

    category = django_filters.ModelChoiceFilter(
        label=_("Category (its code, for example green-mobility)"),
        queryset=_default_locale_rows(Category),
        to_field_name="code",
        error_messages={"invalid_choice": _("There is no category with the code “%(value)s”.")},
    )
    area = django_filters.ModelChoiceFilter(
        label=_("Area (its code, for example kekava)"),
        queryset=_default_locale_rows(Area),
        to_field_name="code",
        error_messages={"invalid_choice": _("There is no area with the code “%(value)s”.")},
    )
    status = django_filters.ChoiceFilter(
        label=_("Status (without it: the ideas still in the running and the finished ones)"),
        choices=[(status.value, status.label) for status in Status if status in PUBLIC],
        error_messages={"invalid_choice": _("“%(value)s” is not a status of a public idea.")},
    )
    impact = django_filters.ChoiceFilter(
        label=_("Green impact the idea promises: trees, area, path or co2"),
        choices=Impact.choices,
        method="promises",
        error_messages={
            "invalid_choice": _("“%(value)s” is not a green impact; use trees, area, path or co2.")
        },
    )
    q = django_filters.CharFilter(
        label=_("Words to search for in the title, summary, description and address"),
        method="search",
        max_length=200,
    )
    round = RoundFilter()
    ordering = django_filters.ChoiceFilter(
        label=_("Order: newest, most_supported or random"),
        choices=Ordering.choices,
        method="unchanged",
        error_messages={
            "invalid_choice": _("“%(value)s” is not a known order; use newest, most_supported or random.")
        },
    )
    seed = IntegerFilter(
        label=_("Your number for the random order: the same number gives the same order"),
        method="unchanged",
        min_value=0,
        max_value=MAX_SEED,
    )

    class Meta:
        model = Idea
        fields = ["category", "area", "status", "impact", "q", "round", "ordering", "seed"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, seed=None, ordering=None):
        """`seed` and `ordering` are the defaults when the parameters are missing (the web keeps a seed per
        visitor in the session). The filterset is always bound, so the listed statuses always apply."""
        super().__init__(data if data is not None else {}, queryset, request=request, prefix=prefix)
        self.default_seed = seed or 0
        self.default_ordering = ordering or Ordering.NEWEST

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        if not data.get("status"):
            queryset = queryset.filter(status__in=LISTED)
        queryset = super().filter_queryset(queryset)
        seed = data.get("seed")
        return order_ideas(
            queryset,
            data.get("ordering") or self.default_ordering,
            self.default_seed if seed is None else seed,
        )

    def promises(self, queryset, name, value):
        # No type hint on `value`: drf-spectacular then documents the parameter with its choices.
        return queryset.filter(**{f"{IMPACT_FIELD[value]}__gt": 0})

    def search(self, queryset, name, value):
        for word in value.split()[:MAX_SEARCH_WORDS]:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(description__icontains=word)
                | Q(address__icontains=word)
            )
        return queryset

    def unchanged(self, queryset, name, value):
        # `ordering` and `seed` are applied together in filter_queryset.
        return queryset
