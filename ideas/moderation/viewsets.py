"""The admin viewsets of participation, grouped in one "Participation" menu (registered in
ideas/wagtail_hooks.py): the ideas queue, comments, reports, and the snippets staff edit (rounds, areas,
categories, reason templates; the translatable ones get wagtail-localize's translate actions)."""

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, LocaleColumn
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views import chooser as snippet_chooser
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from ideas.models import Area, BudgetRound, Category, Comment, Idea, ReasonTemplate, Report
from ideas.moderation import comments, ideas, rounds, voting
from ideas.phases import Phase
from ideas.templatetags.kopa_format import money

PHASE_LABELS = {
    Phase.UPCOMING: _("Upcoming"),
    Phase.SUBMISSION: _("Submission"),
    Phase.REVIEW: _("Review"),
    Phase.SUPPORT: _("Support"),
    Phase.VOTING: _("Voting"),
    Phase.RESULTS: _("Results"),
    Phase.IMPLEMENTATION: _("Implementation"),
}


class ModeratorsOnly:
    """Wagtail's chooser views ask only for admin access: an editor could read the title of any idea, a
    resident's private draft too, by its id. Ideas are the moderators' (ideas.view_moderation_queue)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("ideas.view_moderation_queue"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class IdeaChooserViewSet(snippet_chooser.SnippetChooserViewSet):
    """The idea chooser (nothing in the project uses it; Wagtail registers one per snippet), for moderators."""

    choose_view_class = type("ChooseView", (ModeratorsOnly, snippet_chooser.ChooseView), {})
    choose_results_view_class = type(
        "ChooseResultsView", (ModeratorsOnly, snippet_chooser.ChooseResultsView), {}
    )
    chosen_view_class = type("ChosenView", (ModeratorsOnly, snippet_chooser.SnippetChosenView), {})
    chosen_multiple_view_class = type(
        "ChosenMultipleView", (ModeratorsOnly, snippet_chooser.SnippetChosenMultipleView), {}
    )
    create_view_class = type("CreateView", (ModeratorsOnly, snippet_chooser.SnippetCreateView), {})


class IdeaViewSet(SnippetViewSet):
    """Ideas queue, moderation pages, exports; a snippet viewset for the bulk actions (ParticipationGroup)."""

    model = Idea
    icon = "tasks"
    menu_label = _("Ideas")
    index_view_class = ideas.IdeaIndexView
    index_template_name = "ideas/admin/idea_index.html"
    copy_view_enabled = False
    # Residents save ideas often (edits, merges); nothing in the admin needs their references indexed.
    add_to_reference_index = False
    search_fields = ["title", "summary", "description", "address"]
    search_backend_name = None  # Idea is not in the search index; the ORM searches the fields above.
    list_per_page = 50
    # Never the author's e-mail address: the export goes to people outside moderation.
    list_export = [
        "pk",
        "round",
        "title",
        "category",
        "area",
        "get_status_display",
        "estimated_cost",
        "official_cost",
        "support_total",
        "created_at",
        "published_at",
        "author_name",
    ]
    export_headings = {
        "pk": _("ID"),
        "get_status_display": _("Status"),
        "support_total": _("Supports"),
        "author_name": _("Author"),
    }
    export_filename = "ideas"
    chooser_viewset_class = IdeaChooserViewSet

    @property
    def edit_view(self):
        return self.construct_view(ideas.IdeaModerationView)

    def get_permissions_to_register(self):
        # Access comes from the Moderators group (ideas/rules.py); model permissions would mean nothing here.
        return Permission.objects.none()


class ModerationModelViewSet(ModelViewSet):
    """Base of CommentViewSet and ReportViewSet: listing, a page per object, audit history, POST actions."""

    add_to_reference_index = False
    copy_view_enabled = False
    page_view_class = None
    actions = {}  # URL name -> view class of a POST-only action on one object

    def get_permissions_to_register(self):
        # Access comes from the Moderators group (ideas/rules.py); model permissions would mean nothing here.
        return Permission.objects.none()

    @property
    def edit_view(self):
        return self.construct_view(self.page_view_class)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", self.edit_view, name="edit"),
            path("<int:pk>/history/", self.history_view, name="history"),
            path("<int:pk>/history/results/", self.history_results_view, name="history_results"),
            *(
                path(f"<int:pk>/{name}/", self.construct_view(view_class), name=name)
                for name, view_class in self.actions.items()
            ),
        ]


class CommentViewSet(ModerationModelViewSet):
    """Comments with filters and hide/unhide actions (ParticipationGroup)."""

    model = Comment
    name = "ideas_comment"
    url_prefix = "participation/comments"
    icon = "comment"
    menu_label = _("Comments")
    index_view_class = comments.CommentIndexView
    page_view_class = comments.CommentPageView
    actions = {"hide": comments.HideCommentView, "unhide": comments.UnhideCommentView}
    search_fields = ["text"]
    list_per_page = 50


class ReportViewSet(ModerationModelViewSet):
    """Residents' reports about ideas and comments, and their resolve action (ParticipationGroup)."""

    model = Report
    name = "ideas_report"
    url_prefix = "participation/reports"
    icon = "warning"
    menu_label = _("Reports")
    index_view_class = comments.ReportIndexView
    page_view_class = comments.ReportPageView
    actions = {"resolve": comments.ResolveReportView}
    search_fields = ["reason"]
    list_per_page = 50


class BudgetRoundViewSet(SnippetViewSet):
    """Budget rounds with their current phase and inline area budgets (ParticipationGroup)."""

    model = BudgetRound
    icon = "date"
    menu_label = _("Budget rounds")
    list_display = [
        "name",
        Column("phase", label=_("Current phase"), accessor=lambda r: PHASE_LABELS[r.current_phase()]),
        # Formatted like every other amount on the site ("18 000 €"), not the raw "18000.00".
        Column(
            "total_budget",
            label=_("Total budget"),
            accessor=lambda r: money(r.total_budget),
            sort_key="total_budget",
        ),
        DateColumn("submission_starts", label=_("Submission starts"), sort_key="submission_starts"),
        DateColumn("voting_starts", label=_("Voting starts"), sort_key="voting_starts"),
    ]
    search_fields = ["name"]
    search_backend_name = None
    copy_view_enabled = False


class AreaViewSet(SnippetViewSet):
    """Areas of the municipality, translated with wagtail-localize (ParticipationGroup)."""

    model = Area
    icon = "site"
    menu_label = _("Areas")
    list_display = ["name", "code", LocaleColumn()]


class CategoryViewSet(SnippetViewSet):
    """Categories of ideas, translated with wagtail-localize (ParticipationGroup)."""

    model = Category
    icon = "tag"
    menu_label = _("Categories")
    list_display = ["name", "code", LocaleColumn()]


class ReasonTemplateViewSet(SnippetViewSet):
    """Standard reasons for rejections and requests for changes, translated (ParticipationGroup)."""

    model = ReasonTemplate
    icon = "doc-full"
    menu_label = _("Reason templates")
    list_display = ["title", "kind", LocaleColumn()]
    list_filter = ["kind"]
    search_fields = ["title", "text"]
    search_backend_name = None


class VotingDeskMenuItem(MenuItem):
    """Shown to those the rules let use the voting desk."""

    def is_shown(self, request):
        return request.user.has_perm("ideas.view_voting_desk")


class VotingDeskViewSet(ViewSet):
    """The voting desk (ideas/moderation/voting.py): codes, paper ballots, census list, closing and counting
    (ParticipationGroup)."""

    name = voting.DESK
    url_prefix = "participation/voting"
    icon = "mail"
    menu_label = _("Voting desk")
    menu_item_class = VotingDeskMenuItem

    def get_urlpatterns(self):
        return [
            path("", voting.DeskIndexView.as_view(), name="index"),
            path("census/", voting.CensusView.as_view(), name="census"),
            path("<int:pk>/", voting.RoundDeskView.as_view(), name="round"),
            path("<int:pk>/keys/", voting.KeysView.as_view(), name="keys"),
            path("<int:pk>/exceptions/", voting.OverrideView.as_view(), name="exceptions"),
            path("<int:pk>/codes/", voting.CodesView.as_view(), name="codes"),
            path("<int:pk>/paper/", voting.PaperView.as_view(), name="paper"),
            path("<int:pk>/count/", voting.CountView.as_view(), name="count"),
            path("<int:pk>/count/<int:job_pk>/", voting.CountJobView.as_view(), name="job"),
            path("<int:pk>/count/<int:job_pk>/publish/", voting.CountJobView.as_view(), name="publish"),
            path("<int:pk>/ballot/", voting.BallotView.as_view(), name="ballot"),
            path("<int:pk>/open/", voting.OpenVotingView.as_view(), name="open"),
            path("<int:pk>/close/", voting.CloseVotingView.as_view(), name="close"),
            path("<int:pk>/implementation/", voting.ImplementationView.as_view(), name="implementation"),
        ]


class NewRoundMenuItem(MenuItem):
    """Shown to those the rules let create a round."""

    def is_shown(self, request):
        return request.user.has_perm("ideas.create_round")


class NewRoundViewSet(ViewSet):
    """ "New budget round": the round and its page in both languages in one step (ideas/moderation/rounds.py;
    ParticipationGroup)."""

    name = "new_round"
    url_prefix = "participation/new-round"
    icon = "plus"
    menu_label = _("New budget round")
    menu_item_class = NewRoundMenuItem

    def get_urlpatterns(self):
        return [path("", rounds.NewRoundView.as_view(), name="index")]


class ParticipationGroup(SnippetViewSetGroup):
    """The "Participation" admin menu with every viewset above (ideas/wagtail_hooks.py)."""

    items = (
        IdeaViewSet,
        CommentViewSet,
        ReportViewSet,
        BudgetRoundViewSet,
        NewRoundViewSet,
        AreaViewSet,
        CategoryViewSet,
        ReasonTemplateViewSet,
        VotingDeskViewSet,
    )
    menu_label = _("Participation")
    menu_icon = "group"
    menu_order = 250
