"""The partners page: businesses that back residents' ideas, a page per partner, the CSR reports, business
sign-up and "my organisation". One page per language under the home page; its routes hand over to
ideas/partners/views.py (partners, sign-up, representatives) and ideas/partners/reports.py (CSR reports)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


class PartnersPage(RoutablePageMixin, Page):
    """Lists verified partners; routes below it serve the partner pages, reports and the business pages."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = []

    # Routes: fixed paths before the partner's slug. Views are imported late: they import the models.
    @path("")
    def partners_view(self, request):
        from ideas.partners import views

        return views.partner_list(request, self)

    @path("join/", name="join")
    def join_view(self, request):
        from ideas.partners import views

        return views.join(request, self)

    @path("mine/", name="mine")
    def mine_view(self, request):
        from ideas.partners import views

        return views.mine(request, self)

    @path("mine/<int:organisation_id>/edit/", name="edit_organisation")
    def edit_view(self, request, organisation_id):
        from ideas.partners import views

        return views.edit(request, self, organisation_id)

    @path("pledges/<int:pledge_id>/withdraw/", name="withdraw_pledge")
    def withdraw_view(self, request, pledge_id):
        from ideas.partners import views

        return views.withdraw(request, self, pledge_id)

    @path("csr/", name="csr_summary")
    @path("csr/<int:year>/", name="csr_summary_year")
    def csr_summary_view(self, request, year=None):
        from ideas.partners import reports

        return reports.yearly_summary(request, self, year)

    @path("rounds/<int:round_id>/report/", name="round_report")
    @path("rounds/<int:round_id>/report/<str:fmt>/", name="round_report_file")
    def round_report_view(self, request, round_id, fmt=None):
        from ideas.partners import reports

        return reports.round_report(request, self, round_id, fmt)

    @path("<slug:slug>/", name="partner")
    def partner_view(self, request, slug):
        from ideas.partners import views

        return views.partner_detail(request, self, slug)

    @path("<slug:slug>/report/", name="partner_report")
    @path("<slug:slug>/report/<str:fmt>/", name="partner_report_file")
    def partner_report_view(self, request, slug, fmt=None):
        from ideas.partners import reports

        return reports.organisation_report(request, self, slug, fmt)

    class Meta:
        verbose_name = _("partners page")
        verbose_name_plural = _("partners pages")
