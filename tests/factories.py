"""Factories for test data: users with groups, and news and event pages added under an index page."""

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from home.models import (
    ContactPage,
    EventIndexPage,
    EventPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    ProjectPage,
    StandardPage,
)

PAGE_TYPES = [
    HomePage,
    StandardPage,
    NewsIndexPage,
    NewsPage,
    EventIndexPage,
    EventPage,
    ProjectPage,
    ContactPage,
]


class UserFactory(factory.django.DjangoModelFactory):
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")
    password = factory.django.Password("correct horse battery staple")

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    @factory.post_generation
    def groups(self, create, names, **kwargs):
        for name in names or []:
            self.groups.add(Group.objects.get(name=name))


_slug_numbers = itertools.count()


def add_news(index, count, title=None, date=None, **fields):
    """Publish `count` news items under a news index page, a day apart unless `date` is given."""
    pages = []
    for number in range(count):
        page = NewsPage(
            title=title or f"Test news {number}",
            slug=f"test-news-{next(_slug_numbers)}",
            lead=f"Lead of test news {number}.",
            date=date or datetime.date(2024, 1, 1) + datetime.timedelta(days=number),
            locale=index.locale,
            **fields,
        )
        index.add_child(instance=page)
        page.save_revision().publish()
        pages.append(page)
    return pages


def add_event(index, slug="test-event", days_ahead=7, capacity=None, **fields):
    start = timezone.now() + datetime.timedelta(days=days_ahead)
    page = EventPage(
        title=fields.pop("title", "Test event"),
        slug=slug,
        start=start,
        end=start + datetime.timedelta(hours=2),
        venue_name="Test hall",
        venue_address="Ķekava, LV-2123",
        capacity=capacity,
        locale=index.locale,
        **fields,
    )
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


def translate_page(page, locale, **fields):
    """Publish a copy of `page` in another language with the given fields changed."""
    translation = page.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    translation.refresh_from_db()
    return translation


# Participation -------------------------------------------------------------------------------------------


def verified_resident(username, **fields):
    """A resident whose e-mail address allauth has verified (the condition for taking part)."""
    from allauth.account.models import EmailAddress

    user = UserFactory(username=username, **fields)
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def round_in_phase(phase, name=None, **fields):
    """A budget round whose dates put it in `phase` now; each phase lasts ten days around today."""
    from decimal import Decimal

    from ideas.models import BudgetRound
    from ideas.phases import Phase

    order = [Phase.SUBMISSION, Phase.REVIEW, Phase.SUPPORT, Phase.VOTING, Phase.RESULTS, Phase.IMPLEMENTATION]
    now = timezone.now()
    # The current phase started 5 days ago; the others are spaced 10 days apart around it.
    offset = order.index(phase) if phase in order else -1
    starts = {p: now + datetime.timedelta(days=10 * (i - offset) - 5) for i, p in enumerate(order)}
    values = {
        "name": name or f"Round in {phase}",
        "total_budget": Decimal("100000"),
        "max_cost_per_idea": Decimal("30000"),
        "submission_starts": starts[Phase.SUBMISSION],
        "review_starts": starts[Phase.REVIEW],
        "support_starts": starts[Phase.SUPPORT],
        "voting_starts": starts[Phase.VOTING],
        "results_published": starts[Phase.RESULTS],
        "implementation_starts": starts[Phase.IMPLEMENTATION],
    }
    values.update(fields)
    return BudgetRound.objects.create(**values)


def make_idea(budget_round, author=None, status="published", **fields):
    """An idea in any status, placed directly (the lifecycle itself is tested in test_services)."""
    from decimal import Decimal

    from ideas.models import Area, Category, Idea

    values = {
        "title": "More trees on the school street",
        "summary": "Plant a row of lindens along the street to the school.",
        "description": "The street is hot in summer and has no shade.",
        "category": Category.objects.filter(locale__language_code="lv").first(),
        "area": Area.objects.filter(locale__language_code="lv").first(),
        "estimated_cost": Decimal("12000"),
    }
    values.update(fields)
    return Idea.objects.create(round=budget_round, author=author, status=status, **values)
