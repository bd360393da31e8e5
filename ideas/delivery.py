"""Delivering funded ideas, one front door per step. Each checks `ideas.manage_delivery`, writes a DeliveryEvent
into the idea's public history and an entry into Wagtail's audit log, and e-mails the author and the followers in
their language once the change is committed (ideas/notifications.delivery_changed).

The admin (ideas/moderation/delivery.py), the demo (ideas/demo_delivery.py) and the tests all call these; `user=None`
is the system itself (the demo loader, a command).

- `start_delivery`: the delivery row of a funded idea, with the public money the vote allocated to it;
- `update_delivery`: state, progress, planned completion, final cost (an overrun needs a reason), cancellation
  (needs a reason); completing it also moves the idea to "completed";
- `add_milestone` / `reach_milestone`; `post_update` (text and photos, cleaned like residents' photos);
- `record_delivered_impact`: what was actually built, set against what the idea promised.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ideas.images import clean_image
from ideas.models import Delivery, DeliveryEvent, DeliveryPhoto, DeliveryUpdate, Idea, Milestone, StatusChange
from ideas.models.delivery import DELIVERED_PREFIX, IMPACT_FIELDS
from ideas.services import change_status
from ideas.statuses import Status

# Ideas whose delivery is followed: funded ones.
FUNDED = frozenset({Status.SELECTED, Status.IN_IMPLEMENTATION, Status.COMPLETED})
EDITABLE_FIELDS = [
    "state",
    "progress",
    "planned_completion",
    "completed_on",
    "final_cost",
    "overrun_reason",
    "cancel_reason",
]
MAX_PHOTOS_PER_UPDATE = 6


def _check(user, idea):
    if user is not None and not user.has_perm("ideas.manage_delivery", idea):
        raise PermissionDenied


def _record(idea, user, kind, data, action):
    """The public history entry, the audit entry and, after the commit, the e-mails."""
    event = DeliveryEvent.objects.create(idea=idea, kind=kind, data=data)
    log(instance=idea, action=action, user=user, data={"kind": kind, **data})
    transaction.on_commit(lambda: _notify(event.pk))
    return event


def _notify(event_id):
    from ideas import notifications

    notifications.delivery_changed.enqueue(event_id)


def start_delivery(idea, user=None):
    """The idea's delivery, made on first use with the money the vote allocated (its cost less confirmed
    co-funding). Only funded ideas have one."""
    _check(user, idea)
    if idea.status not in FUNDED:
        raise ValidationError(
            _("Only funded ideas are delivered: “%(title)s” was not funded.") % {"title": idea.title}
        )
    delivery, created = Delivery.objects.get_or_create(idea=idea, defaults={"allocated": idea.net_cost or 0})
    if created:
        log(
            instance=idea,
            action="ideas.delivery.start",
            user=user,
            data={"allocated": str(delivery.allocated)},
        )
    return delivery


@transaction.atomic
def update_delivery(idea, user, **changes):
    """Change the delivery's own fields (EDITABLE_FIELDS). Raises ValidationError with a message per field."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not delivery fields: {sorted(unknown)}")
    delivery = start_delivery(idea, user)
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.state == Delivery.State.COMPLETED and changes.get("state", delivery.state) != delivery.state:
        # The idea is "completed" too, and an idea's status never goes back: what happens later is an update.
        raise ValidationError(
            {
                "state": _(
                    "A completed delivery stays completed. Post an update to tell residents what changed."
                )
            }
        )
    before = {name: getattr(delivery, name) for name in EDITABLE_FIELDS}
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(delivery, name, value)
    if delivery.state == Delivery.State.COMPLETED:
        delivery.progress = 100
        if delivery.completed_on is None:
            delivery.completed_on = datetime.date.today()
    if delivery.state != Delivery.State.CANCELLED:
        delivery.cancel_reason = ""
    delivery.full_clean(exclude=["idea"])
    delivery.save()

    changed = {name for name in EDITABLE_FIELDS if getattr(delivery, name) != before[name]}
    if "state" in changed:
        _record(
            idea,
            user,
            DeliveryEvent.Kind.STATE,
            {"state": delivery.state, "reason": delivery.cancel_reason},
            "ideas.delivery.state",
        )
        _move_idea_with(delivery, idea, user)
    if "progress" in changed and delivery.state != Delivery.State.COMPLETED:
        _record(
            idea,
            user,
            DeliveryEvent.Kind.PROGRESS,
            {"progress": delivery.progress},
            "ideas.delivery.progress",
        )
    if "planned_completion" in changed and delivery.planned_completion:
        _record(
            idea,
            user,
            DeliveryEvent.Kind.SCHEDULE,
            {"date": delivery.planned_completion.isoformat()},
            "ideas.delivery.schedule",
        )
    if "final_cost" in changed and delivery.final_cost is not None:
        _record(
            idea,
            user,
            DeliveryEvent.Kind.COST,
            {"cost": str(delivery.final_cost), "reason": delivery.overrun_reason},
            "ideas.delivery.cost",
        )
    return delivery


def _move_idea_with(delivery, idea, user):
    """The idea's status follows its delivery: work under way is "in implementation", done is "completed"."""
    idea.refresh_from_db(fields=["status"])
    steps = []
    under_way = (Delivery.State.IN_PROGRESS, Delivery.State.DELAYED, Delivery.State.COMPLETED)
    if delivery.state in under_way and idea.status == Status.SELECTED:
        steps.append(Status.IN_IMPLEMENTATION)
    if delivery.state == Delivery.State.COMPLETED and idea.status != Status.COMPLETED:
        steps.append(Status.COMPLETED)
    for status in steps:
        idea = change_status(idea, status, user=user, role=StatusChange.Role.STAFF)


@transaction.atomic
def add_milestone(idea, user, *, title, planned_date):
    delivery = start_delivery(idea, user)
    milestone = Milestone(delivery=delivery, title=(title or "").strip(), planned_date=planned_date)
    milestone.full_clean()
    milestone.save()
    _record(
        idea,
        user,
        DeliveryEvent.Kind.MILESTONE_ADDED,
        {"title": milestone.title, "date": milestone.planned_date.isoformat()},
        "ideas.delivery.milestone",
    )
    return milestone


@transaction.atomic
def reach_milestone(milestone, user, *, actual_date=None):
    idea = milestone.delivery.idea
    _check(user, idea)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.actual_date is not None:
        raise ValidationError(_("This milestone was already reached."))
    milestone.actual_date = actual_date or datetime.date.today()
    milestone.save(update_fields=["actual_date"])
    _record(
        idea,
        user,
        DeliveryEvent.Kind.MILESTONE_REACHED,
        {
            "title": milestone.title,
            "date": milestone.actual_date.isoformat(),
            "days_late": milestone.days_late(),
        },
        "ideas.delivery.milestone_reached",
    )
    return milestone


@transaction.atomic
def post_update(idea, user, *, text, photos=()):
    """A public update. `photos` are (uploaded file, description) pairs; each is checked and re-encoded first,
    so a bad photo refuses the whole update and nothing is saved."""
    delivery = start_delivery(idea, user)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what happened: residents will read it.")})
    if len(photos) > MAX_PHOTOS_PER_UPDATE:
        raise ValidationError(
            {"photos": _("At most %(count)s photos per update.") % {"count": MAX_PHOTOS_PER_UPDATE}}
        )
    cleaned = []
    for uploaded, alt_text in photos:
        alt_text = (alt_text or "").strip()
        if not alt_text:
            raise ValidationError({"photos": _("Describe each photo for people who cannot see it.")})
        cleaned.append((clean_image(uploaded), alt_text))
    update = DeliveryUpdate(delivery=delivery, text=text, posted_by=user)
    update.full_clean(exclude=["delivery"])
    update.save()
    for content, alt_text in cleaned:
        photo = DeliveryPhoto(update=update, alt_text=alt_text[:250])
        photo.file.save(content.name, content, save=False)
        photo.save()
    _record(
        idea,
        user,
        DeliveryEvent.Kind.UPDATE,
        {"update": update.pk, "photos": len(cleaned)},
        "ideas.delivery.update",
    )
    return update


@transaction.atomic
def record_delivered_impact(idea, user, **values):
    """What was built: the delivered counterparts of the idea's promised impact (trees_planted, area_greened_m2,
    path_length_m, co2_tonnes_per_year; None clears one)."""
    unknown = set(values) - set(IMPACT_FIELDS)
    if unknown:
        raise ValueError(f"not impact fields: {sorted(unknown)}")
    delivery = start_delivery(idea, user)
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    for name, value in values.items():
        setattr(delivery, DELIVERED_PREFIX + name, value)
    delivery.full_clean(exclude=["idea"])
    delivery.save()
    _record(
        idea,
        user,
        DeliveryEvent.Kind.IMPACT,
        {name: (None if value is None else str(value)) for name, value in values.items()},
        "ideas.delivery.impact",
    )
    return delivery


def funded_ideas(budget_round=None):
    """Funded ideas with their delivery, milestones and round, in a fixed number of queries."""
    from django.db.models import Prefetch

    ideas = Idea.objects.filter(status__in=FUNDED)
    if budget_round is not None:
        ideas = ideas.filter(round=budget_round)
    return (
        ideas.select_related("round", "category", "area", "delivery", "responsible_department")
        .prefetch_related(
            Prefetch("delivery__milestones", queryset=Milestone.objects.order_by("planned_date", "pk"))
        )
        .order_by("round__submission_starts", "title", "pk")
    )


def describe_event(event):
    """The sentence of a delivery event in the active language, and its public reason (may be empty)."""
    from ideas.templatetags.kopa_format import day as long_date
    from ideas.templatetags.kopa_format import money

    data = event.data
    kind = DeliveryEvent.Kind(event.kind)

    def day(value):
        return long_date(datetime.date.fromisoformat(value)) if value else ""

    if kind == DeliveryEvent.Kind.STATE:
        return _("Delivery: %(state)s") % {"state": Delivery.State(data["state"]).label}, data.get(
            "reason", ""
        )
    if kind == DeliveryEvent.Kind.PROGRESS:
        return _("Delivery progress: %(progress)s %%") % {"progress": data["progress"]}, ""
    if kind == DeliveryEvent.Kind.SCHEDULE:
        return _("Completion planned for %(date)s") % {"date": day(data["date"])}, ""
    if kind == DeliveryEvent.Kind.MILESTONE_ADDED:
        return _("Milestone “%(title)s” planned for %(date)s") % {
            "title": data["title"],
            "date": day(data["date"]),
        }, ""
    if kind == DeliveryEvent.Kind.MILESTONE_REACHED:
        return _("Milestone “%(title)s” reached on %(date)s") % {
            "title": data["title"],
            "date": day(data["date"]),
        }, ""
    if kind == DeliveryEvent.Kind.UPDATE:
        return _("Update posted"), ""
    if kind == DeliveryEvent.Kind.COST:
        from decimal import Decimal

        return _("Final cost: %(cost)s") % {"cost": money(Decimal(data["cost"]))}, data.get("reason", "")
    return _("Delivered green impact recorded"), ""
