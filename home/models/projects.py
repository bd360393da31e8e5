"""Cooperation projects (such as the CSR network the municipality joined) with partners, phases and news."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index

from home.blocks import BodyBlock


class ProjectPage(Page):
    """A cooperation project: programme and funding, period, budget, partners, phases, contact, related news."""

    intro = models.TextField(_("introduction"), max_length=600)
    programme = models.CharField(_("programme"), max_length=200, help_text=_("For example URBACT III."))
    funding = models.CharField(
        _("funding"), max_length=250, blank=True, help_text=_("Who finances the project and how.")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    budget = models.DecimalField(_("budget (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldPanel("programme"),
                FieldPanel("funding"),
                FieldRowPanel([FieldPanel("period_start"), FieldPanel("period_end")]),
                FieldPanel("budget"),
            ],
            heading=_("Programme and funding"),
        ),
        InlinePanel("partners", label=_("Partners"), heading=_("Partners")),
        InlinePanel("phases", label=_("Phases"), heading=_("Phases")),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("contact_name"), FieldPanel("contact_email"), FieldPanel("contact_phone")],
            heading=_("Contact"),
        ),
        InlinePanel("related_news", label=_("Related news"), heading=_("Related news")),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("programme"),
        index.SearchField("body"),
        index.RelatedFields("partners", [index.SearchField("name"), index.SearchField("city")]),
    ]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.StandardPage"]

    def clean(self):
        super().clean()
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["news_items"] = [
            item.news_page for item in self.related_news.select_related("news_page") if item.news_page.live
        ]
        return context

    class Meta:
        verbose_name = _("cooperation project")
        verbose_name_plural = _("cooperation projects")


class ProjectPartner(TranslatableMixin, Orderable):
    """A partner organisation of a project, in the order editors give."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead partner")
        PARTNER = "partner", _("Partner")

    page = ParentalKey(ProjectPage, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=100)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PARTNER)

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("city"), FieldPanel("country")]),
        FieldPanel("role"),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("project partner")
        verbose_name_plural = _("project partners")


class ProjectPhase(TranslatableMixin, Orderable):
    """A phase of a project with its dates."""

    page = ParentalKey(ProjectPage, on_delete=models.CASCADE, related_name="phases")
    title = models.CharField(_("title"), max_length=200)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    description = models.TextField(_("description"), blank=True)

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
        FieldPanel("description"),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("project phase")
        verbose_name_plural = _("project phases")


class ProjectRelatedNews(Orderable):
    """A news item linked from a project page."""

    page = ParentalKey(ProjectPage, on_delete=models.CASCADE, related_name="related_news")
    news_page = models.ForeignKey(
        "home.NewsPage", verbose_name=_("news item"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("news_page")]

    class Meta(Orderable.Meta):
        verbose_name = _("related news item")
        verbose_name_plural = _("related news")
