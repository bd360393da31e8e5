"""The delivery page: what became of the funded ideas of every round, one page per language under the home page.
Each round page also has its own delivery route (BudgetRoundPage `delivery/`); both hand over to
ideas/delivery_views.py."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


class DeliveryPage(RoutablePageMixin, Page):
    """Funded ideas of all rounds by delivery status, with what is late, money spent and green impact."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    @path("")
    def delivery_view(self, request):
        from ideas import delivery_views

        return delivery_views.delivery_overview(request, self)

    class Meta:
        verbose_name = _("delivery page")
        verbose_name_plural = _("delivery pages")
