"""Loads the demo municipality (pages in Latvian and English, snippets, settings, users). Idempotent.

What already exists is left as it is, so running it again never overwrites an editor's changes.
"""

import datetime
import io
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, Site
from wagtail.rich_text import RichText

from home import demo_content as content
from home.models import (
    ContactPage,
    Department,
    EventIndexPage,
    EventPage,
    FormField,
    HomePage,
    NewsIndexPage,
    NewsPage,
    ProjectPage,
    ProjectPartner,
    ProjectPhase,
    ProjectRelatedNews,
    SiteSettings,
    SiteText,
    StandardPage,
)
from ideas.demo import load_participation

IMAGE_COLOURS = {
    "park": ((46, 125, 50), (165, 214, 167)),
    "network": ((21, 101, 192), (129, 212, 250)),
    "workshop": ((239, 108, 0), (255, 224, 130)),
    "hero": ((27, 94, 32), (200, 230, 201)),
}
IMAGE_TITLES = {
    "park": "Parks / Park",
    "network": "Sadarbība / Cooperation",
    "workshop": "Darbnīca / Workshop",
    "hero": "Ķekavas novads / Ķekava Municipality",
}


def stream(blocks):
    """StreamField value from (type, value) pairs; paragraphs given as HTML become RichText."""
    return [(kind, RichText(value) if kind == "paragraph" else value) for kind, value in blocks]


class Command(BaseCommand):
    help = "Create the demo municipality's pages, texts and users (Latvian and English). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--no-users", action="store_true", help="Do not create the demo users.")

    @transaction.atomic
    def handle(self, *args, **options):
        self.lv = Locale.objects.get_or_create(language_code="lv")[0]
        self.en = Locale.objects.get_or_create(language_code="en")[0]
        if Locale.get_default().pk != self.lv.pk:
            raise CommandError("The default language must be Latvian (LANGUAGE_CODE = 'lv').")
        self.images = {key: self.get_image(key) for key in IMAGE_COLOURS}
        departments = self.load_departments()
        self.load_site_text()
        home = self.load_home()
        about = self.upsert(home, StandardPage, content.ABOUT, body=True, show_in_menus=True)
        news_index = self.upsert(home, NewsIndexPage, content.NEWS_INDEX, show_in_menus=True)
        event_index = self.upsert(home, EventIndexPage, content.EVENT_INDEX, show_in_menus=True)
        news = self.load_news(news_index, departments)
        self.load_events(event_index)
        self.load_project(home, news.get("cities4csr"))
        self.load_contact(home)
        accessibility = self.upsert(home, StandardPage, content.ACCESSIBILITY, body=True)
        self.load_settings(home, accessibility)
        self.link_home(home, about, news_index)
        users = [] if options["no_users"] else self.load_users()
        load_participation(home, self.lv, self.en)
        self.report(users)

    # Pages -------------------------------------------------------------------------------------------------

    def upsert(self, parent, model, texts, body=False, show_in_menus=False, **fields):
        """The page under `parent` with the Latvian slug, created in both languages when missing."""
        page = model.objects.child_of(parent).filter(slug=texts["lv"]["slug"]).first()
        if page is None:
            values = self.page_values(texts["lv"], body)
            page = model(show_in_menus=show_in_menus, locale=self.lv, **values, **fields)
            parent.add_child(instance=page)
            page.save_revision().publish()
        self.translate(page, texts["en"], body)
        return page

    def page_values(self, texts, body):
        values = {
            key: value
            for key, value in texts.items()
            if key not in ("body", "tags", "fields", "partners", "phases")
        }
        if body:
            values["body"] = stream(texts["body"])
        return values

    def translate(self, page, texts, body=False, apply=None):
        """The English translation of a page, created from a copy of the Latvian one when missing."""
        translation = page.get_translation_or_none(self.en)
        if translation is not None:
            return translation.specific
        translation = page.copy_for_translation(self.en).specific
        for key, value in self.page_values(texts, body).items():
            setattr(translation, key, value)
        if apply:
            apply(translation)
        translation.save()
        translation.save_revision().publish()
        return translation

    def load_home(self):
        home = HomePage.objects.filter(locale=self.lv, depth=2).first()
        if home is None:
            root = Page.get_first_root_node()
            home = HomePage(
                slug="sakums", locale=self.lv, hero_image=self.images["hero"], **self.home_values("lv")
            )
            root.add_child(instance=home)
            home.save_revision().publish()
            site = Site.objects.filter(is_default_site=True).first()
            if site is None:
                site = Site.objects.create(is_default_site=True, root_page=home, hostname="localhost")
            old_root = site.root_page
            Site.objects.filter(pk=site.pk).update(
                root_page=home, site_name=content.SITE_TEXT["lv"]["site_name"]
            )
            # Wagtail's migrations create a placeholder welcome page; the new home page replaces it.
            if (
                old_root.pk != home.pk
                and old_root.specific_class is Page
                and not old_root.get_children().exists()
            ):
                old_root.delete()
        self.point_site_at_base_url(home)
        self.translate(home, {**self.home_values("en"), "slug": "home"})
        return home

    def point_site_at_base_url(self, home):
        """Full URLs (e-mails, sitemap, feeds) use the Site's host and port: keep them on the served address."""
        base_url = urlsplit(settings.WAGTAILADMIN_BASE_URL)
        Site.objects.filter(root_page=home).update(
            hostname=base_url.hostname or "localhost",
            port=base_url.port or (443 if base_url.scheme == "https" else 80),
        )

    def home_values(self, language):
        return dict(content.HOME[language])

    def link_home(self, home, about, news_index):
        """Hero button and featured links, added once both languages exist."""
        for page in (home, home.get_translation(self.en).specific):
            if page.hero_cta_page_id:
                continue
            page.hero_cta_page = about
            page.featured_links = [
                ("link", {"title": title, "description": "", "page": target})
                for title, target in self.featured_links(page.locale, about, news_index)
            ]
            page.save_revision().publish()

    def featured_links(self, locale, about, news_index):
        contact = ContactPage.objects.filter(locale=self.lv).first()
        events = EventIndexPage.objects.filter(locale=self.lv).first()
        project = ProjectPage.objects.filter(locale=self.lv).first()
        if locale.pk == self.lv.pk:
            titles = ["Jaunumi", "Pasākumi", "Cities4CSR", "Kontakti"]
        else:
            titles = ["News", "Events", "Cities4CSR", "Contact"]
        return [
            (title, target)
            for title, target in zip(titles, [news_index, events, project, contact], strict=True)
            if target
        ]

    def load_news(self, news_index, departments):
        created = {}
        for item in content.NEWS:
            date = item.get("date") or timezone.localdate() - datetime.timedelta(days=item["days_ago"])
            texts = {
                language: {
                    **item[language],
                    "date": date,
                    "department": departments[item["department"]][language],
                    "image": self.images[item["image"]],
                    "image_alt": "",
                    "body": [("paragraph", html) for html in item[language]["body"]],
                }
                for language in ("lv", "en")
            }
            page = NewsPage.objects.child_of(news_index).filter(slug=texts["lv"]["slug"]).first()
            if page is None:
                page = NewsPage(locale=self.lv, **self.page_values(texts["lv"], body=True))
                news_index.add_child(instance=page)
                page.tags.add(*texts["lv"]["tags"])
                page.save_revision().publish()
            english_tags = texts["en"]["tags"]

            def set_tags(translation, tags=english_tags):
                translation.tags.set(tags, clear=True)

            self.translate(page, texts["en"], body=True, apply=set_tags)
            created[item["key"]] = page
        return created

    def load_events(self, event_index):
        today = timezone.localdate()
        for item in content.EVENTS:
            day = today + datetime.timedelta(days=item["days_ahead"])
            start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(item["hour"])))
            common = {
                "kind": item["kind"],
                "audience": item["audience"],
                "capacity": item["capacity"],
                "start": start,
                "end": start + datetime.timedelta(hours=item["hours"]),
            }
            texts = {language: {**item[language], **common} for language in ("lv", "en")}
            self.upsert(event_index, EventPage, texts)

    def load_project(self, home, related_news):
        texts = content.PROJECT
        page = ProjectPage.objects.child_of(home).filter(slug=texts["lv"]["slug"]).first()
        if page is None:
            page = ProjectPage(
                locale=self.lv,
                period_start=datetime.date(2020, 5, 1),
                period_end=datetime.date(2022, 8, 31),
                contact_email="attistiba@kekava.example",
                **self.page_values(texts["lv"], body=True),
            )
            page.partners = [
                ProjectPartner(name=name, city=city, country=country, role=role, locale=self.lv)
                for name, city, country, role in texts["lv"]["partners"]
            ]
            page.phases = [
                ProjectPhase(title=title, start_date=start, end_date=end, description=text, locale=self.lv)
                for title, start, end, text in texts["lv"]["phases"]
            ]
            if related_news:
                page.related_news = [ProjectRelatedNews(news_page=related_news)]
            home.add_child(instance=page)
            page.save_revision().publish()

        def translate_children(translation):
            # Assigning the lists makes modelcluster save the changed children with the page.
            partners = list(translation.partners.all())
            for partner, (name, city, country, _role) in zip(partners, texts["en"]["partners"], strict=True):
                partner.name, partner.city, partner.country = name, city, country
            translation.partners = partners
            phases = list(translation.phases.all())
            for phase, (title, _start, _end, text) in zip(phases, texts["en"]["phases"], strict=True):
                phase.title, phase.description = title, text
            translation.phases = phases
            english_news = related_news.get_translation_or_none(self.en) if related_news else None
            translation.related_news = [ProjectRelatedNews(news_page=english_news)] if english_news else []

        self.translate(page, texts["en"], body=True, apply=translate_children)

    def load_contact(self, home):
        texts = content.CONTACT
        page = ContactPage.objects.child_of(home).filter(slug=texts["lv"]["slug"]).first()
        if page is None:
            values = {key: value for key, value in texts["lv"].items() if key != "fields"}
            page = ContactPage(
                locale=self.lv, to_address=settings.STAFF_NOTIFICATION_EMAIL, show_in_menus=True, **values
            )
            page.form_fields = [
                FormField(label=label, field_type=field_type, required=True, locale=self.lv)
                for label, field_type in texts["lv"]["fields"]
            ]
            home.add_child(instance=page)
            page.save_revision().publish()

        def translate_fields(translation):
            fields = list(translation.form_fields.all())
            for field, (label, _type) in zip(fields, texts["en"]["fields"], strict=True):
                field.label = label
            translation.form_fields = fields

        self.translate(page, texts["en"], apply=translate_fields)

    # Snippets, settings, users -----------------------------------------------------------------------------

    def load_departments(self):
        departments = {}
        for item in content.DEPARTMENTS:
            latvian = Department.objects.filter(locale=self.lv, name=item["lv"]).first()
            if latvian is None:
                latvian = Department.objects.create(locale=self.lv, name=item["lv"], email=item["email"])
            english = latvian.get_translation_or_none(self.en)
            if english is None:
                english = latvian.copy_for_translation(self.en)
                english.name = item["en"]
                english.save()
            departments[item["key"]] = {"lv": latvian, "en": english}
        return departments

    def load_site_text(self):
        latvian = SiteText.objects.filter(locale=self.lv).first()
        if latvian is None:
            latvian = SiteText.objects.create(locale=self.lv, **content.SITE_TEXT["lv"])
        if latvian.get_translation_or_none(self.en) is None:
            english = latvian.copy_for_translation(self.en)
            for key, value in content.SITE_TEXT["en"].items():
                setattr(english, key, value)
            english.save()

    def load_settings(self, home, accessibility):
        site = Site.objects.get(root_page=home)
        site_settings = SiteSettings.for_site(site)
        if not site_settings.email:
            site_settings.phone = "+371 67 000 000"
            site_settings.email = "info@kekava.example"
            site_settings.address = "Ķekava, LV-2123"
            site_settings.facebook_url = "https://www.facebook.com/"
            site_settings.accessibility_page = accessibility
            site_settings.save()

    def load_users(self):
        if not settings.DEMO_USERS_ALLOWED:
            self.stdout.write(self.style.WARNING("Demo users are not created with these settings."))
            return []
        user_model = get_user_model()
        for username, password, group, is_superuser, email in content.DEMO_USERS:
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={
                    "email": email,
                    "is_superuser": is_superuser,
                    "is_staff": is_superuser,
                    "first_name": username.capitalize(),
                },
            )
            if created:
                user.set_password(password)
                user.save()
            if group:
                user.groups.add(Group.objects.get(name=group))
        return content.DEMO_USERS

    def get_image(self, key):
        """A generated picture (no downloads): a two-colour landscape, stored once in the image library."""
        image_model = get_image_model()
        title = IMAGE_TITLES[key]
        existing = image_model.objects.filter(title=title).first()
        if existing:
            return existing
        dark, light = IMAGE_COLOURS[key]
        picture = PILImage.new("RGB", (1600, 900), light)
        draw = ImageDraw.Draw(picture)
        for band in range(6):
            top = 450 + band * 75
            draw.rectangle([0, top, 1600, top + 75], fill=tuple(int(c * (1 - band * 0.08)) for c in dark))
        for x in range(100, 1600, 260):
            draw.ellipse([x, 280, x + 180, 460], fill=dark)
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=80)
        return image_model.objects.create(title=title, file=ImageFile(buffer, name=f"demo-{key}.jpg"))

    def report(self, users):
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready: {Page.objects.filter(depth__gte=2).count()} pages in Latvian and English."
            )
        )
        if users:
            self.stdout.write("Demo logins (development only) at /admin/:")
            for username, password, group, is_superuser, _email in users:
                role = "administrator" if is_superuser else (group or "resident (no admin access)")
                self.stdout.write(f"  {username:<10} {password:<22} {role}")
