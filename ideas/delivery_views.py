"""The public delivery pages: what became of the funded ideas.

- `round_delivery`: one round (route `delivery/` of BudgetRoundPage, ideas/models/rounds.py);
- `delivery_overview`: every round (DeliveryPage's "" route, ideas/models/delivery_page.py), with `?round=<id>`;
- `round_summary`: the funded ideas' count and green impact of one round, for the round page
  (ideas/templatetags/delivery_tags.py, templates/ideas/includes/delivery_round_summary.html).

Both pages render templates/ideas/delivery/delivery.html: the funded ideas by delivery status (`?state=`), as a
list and a map, what is late and by how many days (the delivery and its milestones), money spent against money
allocated, and the green impact promised against delivered. Everything is read in a fixed number of queries
(ideas/delivery.funded_ideas) and summed in Python over that one list, so the page costs the same however many
ideas were funded. Nothing here writes: staff change deliveries through ideas/delivery.py.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ideas.delivery import FUNDED, funded_ideas
from ideas.models import BudgetRoundPage, Category, Delivery, Idea
from ideas.models.delivery import DELIVERED_PREFIX, IMPACT_FIELDS
from ideas.models.rounds import localized_names

# The order of the status groups on the page: work under way first, what is finished last.
STATE_ORDER = [
    Delivery.State.DELAYED,
    Delivery.State.IN_PROGRESS,
    Delivery.State.PLANNED,
    Delivery.State.COMPLETED,
    Delivery.State.CANCELLED,
]

# The green impact measures with their public names and units, in the order of IMPACT_FIELDS.
IMPACT_LABELS = {
    "trees_planted": (gettext_lazy("Trees planted"), ""),
    "area_greened_m2": (gettext_lazy("Area greened or unsealed"), "m²"),
    "path_length_m": (gettext_lazy("Cycle or foot path"), "m"),
    "co2_tonnes_per_year": (gettext_lazy("CO₂ saved"), gettext_lazy("t/year")),
}


@dataclass
class ImpactRow:
    """One green-impact measure: promised (the ideas' figures) against delivered (the deliveries' figures).
    `delivered` is None while nothing was recorded; `recorded` counts the ideas with a delivered figure."""

    name: str
    label: str
    unit: str
    promised: Decimal | None = None
    delivered: Decimal | None = None
    recorded: int = 0

    @property
    def shown(self):
        return self.promised is not None or self.delivered is not None


@dataclass
class DeliveryRow:
    """A funded idea as the delivery page shows it. `delivery` is None for an idea funded before deliveries were
    followed: it counts as planned, with the idea's cost to the public budget as its allocation."""

    idea: Idea
    delivery: Delivery | None
    url: str | None
    state: str
    state_label: str
    days_late: int
    late_milestones: list = field(default_factory=list)
    allocated: Decimal = Decimal(0)
    final_cost: Decimal | None = None
    overrun: Decimal | None = None
    round_title: str = ""


def _today():
    return timezone.localdate()


def impact_rows(pairs):
    """Totals of the green impact over (idea, delivery or None) pairs, as ImpactRow objects (shown ones only)."""
    rows = []
    for name in IMPACT_FIELDS:
        label, unit = IMPACT_LABELS[name]
        row = ImpactRow(name, label, unit)
        for idea, delivery in pairs:
            # A cancelled idea will deliver nothing: its promise is no longer counted.
            if delivery is not None and delivery.state == Delivery.State.CANCELLED:
                continue
            promised = getattr(idea, name)
            if promised is not None:
                row.promised = (row.promised or 0) + promised
            delivered = getattr(delivery, DELIVERED_PREFIX + name) if delivery is not None else None
            if delivered is not None:
                row.delivered = (row.delivered or 0) + delivered
                row.recorded += 1
        if row.shown:
            rows.append(row)
    return rows


def delivery_row(idea, delivery, url, today=None):
    """The DeliveryRow of one funded idea and its delivery (None if it has none yet), from what was already
    fetched (no query)."""
    today = today or _today()
    if delivery is None:
        return DeliveryRow(
            idea=idea,
            delivery=None,
            url=url,
            state=Delivery.State.PLANNED,
            state_label=Delivery.State.PLANNED.label,
            days_late=0,
            allocated=idea.net_cost or Decimal(0),
        )
    late_milestones = [
        (milestone, milestone.days_late(today))
        for milestone in delivery.milestones.all()
        if milestone.is_overdue(today)
    ]
    return DeliveryRow(
        idea=idea,
        delivery=delivery,
        url=url,
        state=delivery.state,
        state_label=delivery.get_state_display(),
        days_late=delivery.days_late(today),
        late_milestones=late_milestones,
        allocated=delivery.allocated,
        final_cost=delivery.final_cost,
        overrun=delivery.overrun,
    )


def _round_pages(round_ids):
    """{round id: its page} in the active language, else any language's page, in one query."""
    language = (get_language() or "lv").split("-")[0]
    pages = {}
    for page in (
        BudgetRoundPage.objects.live()
        .filter(budget_round_id__in=round_ids)
        .select_related("locale")
        .order_by("pk")
    ):
        current = pages.get(page.budget_round_id)
        if current is None or (
            page.locale.language_code == language and current.locale.language_code != language
        ):
            pages[page.budget_round_id] = page
    return pages


def _map_point(row, category_names, round_title):
    idea = row.idea
    return {
        "lat": float(idea.latitude),
        "lng": float(idea.longitude),
        "title": idea.title,
        "url": row.url or "",
        "status": row.state_label,
        # The marker's sign and colour (static/js/ideas-map.js): a star for funded ideas, a cross once cancelled.
        "status_code": "rejected" if row.state == Delivery.State.CANCELLED else idea.status,
        "category": " · ".join(
            filter(
                None,
                [category_names.get(idea.category.translation_key, "") if idea.category else "", round_title],
            )
        ),
    }


def _chosen_state(request):
    wanted = request.GET.get("state", "")
    if wanted and wanted not in Delivery.State.values:
        messages.warning(
            request, _("There is no delivery status “%(state)s”: all are shown.") % {"state": wanted}
        )
        return ""
    return wanted


def _render(request, page, ideas, *, round_pages, overview, budget_round=None, rounds=(), chosen_round=None):
    """The delivery page over the funded ideas `ideas` (a funded_ideas() queryset, read once here)."""
    today = _today()
    ideas = list(ideas)
    category_names = localized_names(Category) if ideas else {}
    rows = []
    for idea in ideas:
        round_page = round_pages.get(idea.round_id)
        # An idea funded before deliveries were followed has no delivery row.
        delivery = getattr(idea, "delivery", None)
        row = delivery_row(idea, delivery, round_page.idea_url(idea) if round_page else None, today)
        row.round_title = round_page.title if round_page else idea.round.name
        rows.append(row)

    state_counts = dict.fromkeys(STATE_ORDER, 0)
    for row in rows:
        state_counts[row.state] += 1
    chosen_state = _chosen_state(request)
    shown = [row for row in rows if not chosen_state or row.state == chosen_state]

    groups = [
        {"state": state, "label": state.label, "rows": [row for row in shown if row.state == state]}
        for state in STATE_ORDER
    ]
    late = sorted((row for row in shown if row.days_late), key=lambda row: -row.days_late)
    late_milestones = sorted(
        ((row, milestone, days) for row in shown for milestone, days in row.late_milestones),
        key=lambda item: -item[2],
    )
    spent_rows = [row for row in shown if row.final_cost is not None]
    money = {
        # A cancelled idea's allocation went back to the budget.
        "allocated": sum(
            (row.allocated for row in shown if row.state != Delivery.State.CANCELLED), Decimal(0)
        ),
        "spent": sum((row.final_cost for row in spent_rows), Decimal(0)),
        # Spending set against the allocations of the same ideas: unfinished ideas have spent nothing yet.
        "allocated_of_spent": sum((row.allocated for row in spent_rows), Decimal(0)),
        "with_final_cost": len(spent_rows),
        "overrun_count": sum(1 for row in shown if row.overrun),
    }
    located = [row for row in shown if row.idea.has_location]
    context = {
        "page": page,
        "overview": overview,
        "budget_round": budget_round,
        "rounds": rounds,
        "chosen_round": chosen_round,
        "chosen_state": chosen_state,
        "states": [(state, state.label, state_counts[state]) for state in STATE_ORDER],
        "funded_count": len(rows),
        "rows": shown,
        "groups": [group for group in groups if group["rows"]],
        "late": late,
        "late_milestones": late_milestones,
        "money": money,
        "impact": impact_rows([(row.idea, row.delivery) for row in shown]),
        "map_points": [
            _map_point(row, category_names, row.round_title if overview else "") for row in located
        ],
        "today": today,
        "breadcrumb_current": None if overview else _("What became of the funded ideas"),
    }
    return TemplateResponse(request, "ideas/delivery/delivery.html", context)


def round_delivery(request, page):
    """`delivery/` of a BudgetRoundPage: the funded ideas of this round and how their delivery goes."""
    budget_round = page.budget_round
    return _render(
        request,
        page,
        funded_ideas(budget_round),
        round_pages={budget_round.pk: page},
        overview=False,
        budget_round=budget_round,
    )


def delivery_overview(request, page):
    """The DeliveryPage: the funded ideas of every round (or of `?round=<id>`) and how their delivery goes."""
    round_ids = list(
        Idea.objects.filter(status__in=FUNDED).order_by().values_list("round_id", flat=True).distinct()
    )
    round_pages = _round_pages(round_ids)
    rounds = sorted(
        ((round_id, round_pages[round_id].title) for round_id in round_ids if round_id in round_pages),
        key=lambda choice: choice[1],
    )
    chosen_round = None
    wanted = request.GET.get("round", "")
    if wanted:
        try:
            chosen_round = int(wanted)
        except ValueError:
            chosen_round = None
        if chosen_round not in round_pages:
            messages.warning(request, _("There is no such round with funded ideas: all rounds are shown."))
            chosen_round = None
    ideas = funded_ideas()
    if chosen_round is not None:
        ideas = ideas.filter(round_id=chosen_round)
    return _render(
        request,
        page,
        ideas,
        round_pages=round_pages,
        overview=True,
        rounds=rounds,
        chosen_round=chosen_round,
    )


def idea_delivery(idea):
    """The "Delivery" section of a funded idea's page (ideas/views.py _render_detail): its delivery with milestones
    (each with how late it is or was), public updates newest first with their photos, and the green impact promised
    against delivered, in four queries however many milestones, updates and photos there are. None for an idea
    that was not funded."""
    from django.db.models import Prefetch

    from ideas.models import DeliveryUpdate, Milestone

    if idea.status not in FUNDED:
        return None
    delivery = (
        Delivery.objects.filter(idea=idea)
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("planned_date", "pk")),
            Prefetch(
                "updates",
                queryset=DeliveryUpdate.objects.order_by("-created_at", "-pk").prefetch_related("photos"),
            ),
        )
        .first()
    )
    today = _today()
    milestones = []
    if delivery is not None:
        for milestone in delivery.milestones.all():
            milestones.append(
                {
                    "milestone": milestone,
                    "days_late": milestone.days_late(today),
                    # Not reached and overdue: late now. Reached after its date: it was late.
                    "overdue": milestone.is_overdue(today),
                }
            )
    return {
        "row": delivery_row(idea, delivery, None, today),
        "delivery": delivery,
        "milestones": milestones,
        "updates": list(delivery.updates.all()) if delivery is not None else [],
        "impact": impact_rows([(idea, delivery)]),
    }


def round_summary(budget_round):
    """The funded ideas of a round for its page: how many, and their green impact promised and delivered
    (ImpactRow objects), in one aggregate query; None when nothing is funded."""
    sums = {"funded": Count("pk")}
    for name in IMPACT_FIELDS:
        sums[f"promised_{name}"] = Sum(name, filter=~Q(delivery__state=Delivery.State.CANCELLED))
        sums[f"delivered_{name}"] = Sum(f"delivery__{DELIVERED_PREFIX}{name}")
        sums[f"recorded_{name}"] = Count(
            "pk", filter=Q(**{f"delivery__{DELIVERED_PREFIX}{name}__isnull": False})
        )
    totals = Idea.objects.filter(round=budget_round, status__in=FUNDED).aggregate(**sums)
    if not totals["funded"]:
        return None
    rows = []
    for name in IMPACT_FIELDS:
        label, unit = IMPACT_LABELS[name]
        row = ImpactRow(
            name,
            label,
            unit,
            promised=totals[f"promised_{name}"],
            delivered=totals[f"delivered_{name}"],
            recorded=totals[f"recorded_{name}"],
        )
        if row.shown:
            rows.append(row)
    return {"funded": totals["funded"], "impact": rows}
