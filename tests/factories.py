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
