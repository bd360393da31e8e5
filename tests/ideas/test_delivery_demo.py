"""The demo's finished round shows delivery in every state (ideas/demo_delivery.py, loaded once by load_demo in
the test database)."""

import pytest

from home.models import HomePage
from ideas.demo_delivery import load_delivery_demo
from ideas.demo_results import ROUND_NAME
from ideas.models import BudgetRound, Delivery, DeliveryEvent, DeliveryPage, DeliveryPhoto
from ideas.statuses import Status

pytestmark = pytest.mark.django_db


def deliveries():
    return list(Delivery.objects.filter(idea__round__name=ROUND_NAME).select_related("idea"))


def test_every_delivery_state_is_in_the_demo():
    assert {delivery.state for delivery in deliveries()} == set(Delivery.State.values)


def test_one_delivery_is_late_and_one_completed_with_impact_and_photos():
    late = [delivery for delivery in deliveries() if delivery.is_late]
    assert len(late) == 1 and late[0].state == Delivery.State.DELAYED
    [done] = [delivery for delivery in deliveries() if delivery.state == Delivery.State.COMPLETED]
    assert done.idea.status == Status.COMPLETED and done.progress == 100
    assert done.delivered_trees_planted > done.idea.trees_planted > 0
    assert DeliveryPhoto.objects.filter(update__delivery=done).count() >= 2
    # The overrun has its public reason.
    assert done.final_cost > done.allocated and done.overrun_reason


def test_the_delivery_steps_are_in_the_ideas_public_history():
    kinds = set(DeliveryEvent.objects.filter(idea__round__name=ROUND_NAME).values_list("kind", flat=True))
    assert set(DeliveryEvent.Kind.values) <= kinds


def test_loading_the_demo_again_adds_nothing():
    events = DeliveryEvent.objects.count()
    home_lv = HomePage.objects.get(locale__language_code="lv")
    en = HomePage.objects.get(locale__language_code="en").locale
    load_delivery_demo(home_lv, en, BudgetRound.objects.get(name=ROUND_NAME))
    assert DeliveryEvent.objects.count() == events
    assert DeliveryPage.objects.count() == 2
