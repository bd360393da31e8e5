"""The home page: one per language at the root of the site (the Latvian one is the site root)."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from home.blocks import FeaturedLinkBlock
from ideas.models import BudgetRoundPage, DeliveryPage

from .events import EventIndexPage, EventPage
from .news import NewsIndexPage, NewsPage


class HomePage(Page):
    """Hero, introduction, featured links, the latest news and upcoming events of one language."""

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

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The locale's id, not self.locale: reading the Locale row would cost a query.
        context["latest_news"] = NewsPage.listing(self.locale_id)[:3]
        context["upcoming_events"] = EventPage.listing(self.locale_id).filter(start__gte=timezone.now())[:3]
        # Both index pages in one query.
        indexes = list(self.get_children().live().exact_type(NewsIndexPage, EventIndexPage))
        news_type, event_type = (
            ContentType.objects.get_for_model(m) for m in (NewsIndexPage, EventIndexPage)
        )
        context["news_index"] = next((p for p in indexes if p.content_type_id == news_type.pk), None)
        context["event_index"] = next((p for p in indexes if p.content_type_id == event_type.pk), None)
        # The newest round by its dates, whichever page was made first.
        context["round_page"] = (
            BudgetRoundPage.objects.live()
            .child_of(self)
            .select_related("budget_round")
            .order_by("-budget_round__submission_starts", "-pk")
            .first()
        )
        # What became of the funded ideas (ideas/delivery_views.py), when that page is live in this language.
        context["delivery_page"] = DeliveryPage.objects.live().filter(locale_id=self.locale_id).first()
        return context

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")
