"""The home page: one per language at the root of the site (the Latvian one is the site root)."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.search import index

from home import chrome
from home.blocks import FeaturedLinkBlock
from home.listing import LISTING_RENDITION
from ideas.models import BudgetRoundPage, DeliveryPage

from .events import EventIndexPage, EventPage
from .news import NewsIndexPage, NewsPage

# The hero image's rendition in templates/home/home_page.html.
HERO_RENDITION = "fill-1600x600"


class HomePage(Page):
    """Hero, introduction, featured links, the latest news and upcoming events of one language.

    Its route (below) finds every page of the site with the site chrome in one query (home/chrome.py).
    """

    hero_heading = models.CharField(_("hero heading"), max_length=120)
    hero_text = models.TextField(_("hero text"), blank=True, max_length=400)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_cta_text = models.CharField(_("hero button text"), max_length=60, blank=True)
    hero_cta_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("hero button page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    featured_links = StreamField(
        [("link", FeaturedLinkBlock())], verbose_name=_("featured links"), blank=True, max_num=6
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("hero_heading"),
                FieldPanel("hero_text"),
                FieldPanel("hero_image"),
                FieldPanel("hero_cta_text"),
                FieldPanel("hero_cta_page"),
            ],
            heading=_("Hero"),
        ),
        FieldPanel("intro"),
        FieldPanel("featured_links"),
    ]

    search_fields = [*Page.search_fields, index.SearchField("hero_text"), index.SearchField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "home.StandardPage",
        "home.NewsIndexPage",
        "home.EventIndexPage",
        "home.ProjectPage",
        "home.ContactPage",
        "ideas.BudgetRoundPage",
        "ideas.PartnersPage",
        "ideas.DeliveryPage",
    ]

    def route(self, request, path_components):
        # Wagtail routes every request of this language through its home page: the whole way down and the site
        # chrome in one query, the same page as Wagtail's walk (home/chrome.py route).
        return chrome.route(self, request, path_components)

    def chrome_page_ids(self):
        """The pages the hero button and the featured links point to: the route reads their translations with the
        site chrome, so that templates/home/home_page.html links them without a query (kopa_tags.home_links)."""
        ids = [self.hero_cta_page_id]
        ids += [block["value"].get("page") for block in self.featured_links.raw_data if block.get("value")]
        return [pk for pk in ids if pk]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        page_chrome = chrome.for_request(request, self)
        # Public pages only (home/chrome.py public: no query for the view restrictions); cards read no body.
        news = chrome.public(NewsPage.objects.live().filter(locale_id=self.locale_id))
        context["latest_news"] = list(
            news.select_related("department").defer_streamfields().order_by("-date", "-pk")[:3]
        )
        events = chrome.public(
            EventPage.objects.live().filter(locale_id=self.locale_id, start__gte=timezone.now())
        )
        context["upcoming_events"] = list(events.defer_streamfields().order_by("start", "pk")[:3])
        self._attach_images(context["latest_news"] + context["upcoming_events"])
        # The index, round and delivery pages are children of this home page: among the chrome's rows.
        children = [row for row in page_chrome.children(self) if row.live]
        types = ContentType.objects.get_for_models(
            NewsIndexPage, EventIndexPage, BudgetRoundPage, DeliveryPage
        )

        def first_of(model):
            return next((row for row in children if row.content_type_id == types[model].pk), None)

        context["news_index"] = first_of(NewsIndexPage)
        context["event_index"] = first_of(EventIndexPage)
        # The newest round by its dates, whichever page was made first.
        context["round_page"] = (
            BudgetRoundPage.objects.live()
            .child_of(self)
            .select_related("budget_round")
            .order_by("-budget_round__submission_starts", "-pk")
            .first()
            if first_of(BudgetRoundPage)
            else None
        )
        # What became of the funded ideas (ideas/delivery_views.py), when that page is live in this language.
        context["delivery_page"] = first_of(DeliveryPage)
        return context

    def _attach_images(self, cards):
        """The hero image and the cards' images with their renditions, in two queries however many there are."""
        wanted = {self.hero_image_id, *(card.image_id for card in cards)} - {None}
        if not wanted:
            return
        images = (
            get_image_model().objects.prefetch_renditions(HERO_RENDITION, LISTING_RENDITION).in_bulk(wanted)
        )
        if self.hero_image_id in images:
            self.hero_image = images[self.hero_image_id]
        for card in cards:
            if card.image_id in images:
                card.image = images[card.image_id]

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")
