"""Areas, categories and budget rounds, and the page that places a round in the site.

Area, Category and BudgetRound are edited as snippets (ideas/wagtail_hooks.py); BudgetRoundPage serves the
ideas list, idea pages and the submission form through its routes (ideas/views.py).
"""

import itertools

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Locale, Orderable, Page, TranslatableMixin
from wagtail.search import index

from ideas.phases import Phase, phase_at

PHASE_LABELS = {
    Phase.UPCOMING: _("Starts soon"),
    Phase.SUBMISSION: _("Submitting ideas"),
    Phase.REVIEW: _("Checking ideas"),
    Phase.SUPPORT: _("Supporting ideas"),
    Phase.VOTING: _("Voting"),
    Phase.RESULTS: _("Results"),
    Phase.IMPLEMENTATION: _("Implementation"),
}


class LocalizedNameMixin:
    """Ideas point at the default-language row of a translatable snippet; this gives its name in the active
    language with one query per request for all rows (see localized_names)."""

    def localized_name(self):
        return localized_names(type(self)).get(self.translation_key, self.name)


def localized_names(model):
    """translation_key -> name in the active language (falling back to the default language)."""
    active = Locale.get_active()
    names = {}
    for key, locale_id, name in model.objects.values_list("translation_key", "locale_id", "name").order_by(
        "locale_id"
    ):
        if key not in names or locale_id == active.pk:
            names[key] = name
    return names


class Area(LocalizedNameMixin, TranslatableMixin, index.Indexed, models.Model):
    """A planning unit of the municipality (a town or a parish); ideas and budgets are per area."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(
        _("code"), max_length=40, help_text=_("Short identifier, the same in every language.")
    )

    panels = [FieldPanel("name"), FieldPanel("code")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    def __str__(self):
        return self.name

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["name"]


class Category(LocalizedNameMixin, TranslatableMixin, index.Indexed, models.Model):
    """A theme of ideas: green mobility, greenery and nature, recreation and sport, environment, community."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(
        _("code"), max_length=40, help_text=_("Short identifier, the same in every language.")
    )
    description = models.CharField(_("description"), max_length=250, blank=True)

    panels = [FieldPanel("name"), FieldPanel("code"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    def __str__(self):
        return self.name

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]


class CountingRule(models.TextChoices):
    """The counting rules staff may choose for a round (ideas/counting/run.py counts each of them)."""

    GREEDY = "greedy", _("Most votes first, skipping ideas that no longer fit the budget (greedy)")
    GREEDY_THRESHOLD = "greedy-threshold", _("Greedy, only ideas with at least the round's minimum votes")
    GREEDY_NO_SKIP = "greedy-no-skip", _("Most votes first, stopping at the first idea that does not fit")
    EQUAL_SHARES = "equalshares", _("Method of Equal Shares")
    EQUAL_SHARES_ADD1 = "equalshares/add1", _("Method of Equal Shares, completed with add1")
    EQUAL_SHARES_ADD1_COMPARISON = (
        "equalshares/add1-comparison",
        _("Method of Equal Shares, completed with add1, with the comparison step"),
    )


class BudgetRound(ClusterableModel):
    """One participatory-budget round: its money, its phases by date, and its rules for ideas."""

    name = models.CharField(
        _("name"), max_length=150, help_text=_("For staff; residents see the round page.")
    )
    total_budget = models.DecimalField(_("total budget (EUR)"), max_digits=12, decimal_places=2)
    max_cost_per_idea = models.DecimalField(
        _("maximum cost of one idea (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    submission_starts = models.DateTimeField(_("submission starts"))
    review_starts = models.DateTimeField(_("review starts"), help_text=_("Submission closes at this moment."))
    support_starts = models.DateTimeField(
        _("support starts"),
        null=True,
        blank=True,
        help_text=_("Leave empty for a round without a support phase."),
    )
    voting_starts = models.DateTimeField(_("voting starts"))
    results_published = models.DateTimeField(_("results published"))
    implementation_starts = models.DateTimeField(_("implementation starts"))

    class BallotScope(models.TextChoices):
        ROUND = "round", _("One ballot for the whole round")
        AREA = "area", _("One ballot in each area")

    ballot_scope = models.CharField(
        _("ballots"), max_length=10, choices=BallotScope.choices, default=BallotScope.ROUND
    )
    ballots_changeable = models.BooleanField(
        _("voters may change their ballot"), default=True, help_text=_("Until voting closes.")
    )
    minimum_voting_age = models.PositiveSmallIntegerField(_("minimum voting age"), default=16)
    minimum_votes = models.PositiveIntegerField(
        _("votes an idea needs to be funded"),
        default=1,
        help_text=_(
            "Ideas with fewer votes (or points) are never funded, even when money is left. 0: no minimum."
        ),
    )
    minimum_supports = models.PositiveIntegerField(
        _("supports needed"), default=0, help_text=_("Supports an idea needs in the support phase to go on.")
    )
    counting_rule = models.CharField(
        _("counting rule"),
        max_length=40,
        choices=CountingRule.choices,
        default=CountingRule.EQUAL_SHARES_ADD1,
        help_text=_("Shown to residents before voting opens; it cannot change once voting has opened."),
    )
    voting_opened_at = models.DateTimeField(_("voting opened at"), null=True, blank=True, editable=False)
    voting_closed_at = models.DateTimeField(_("voting closed at"), null=True, blank=True, editable=False)
    # The election commission's key pair (ideas/voting/sealing.py): the public half seals every ballot, the
    # private half is shown once at the key ceremony and never stored here. Set at the voting desk.
    counting_public_key = models.CharField(
        _("counting public key"), max_length=64, blank=True, editable=False
    )
    ballot_box_opened_at = models.DateTimeField(
        _("ballot box opened at"), null=True, blank=True, editable=False
    )

    panels = [
        FieldPanel("name"),
        MultiFieldPanel(
            [FieldPanel("total_budget"), FieldPanel("max_cost_per_idea"), FieldPanel("minimum_supports")],
            heading=_("Budget"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("ballot_scope"),
                FieldPanel("ballots_changeable"),
                FieldPanel("minimum_voting_age"),
                FieldPanel("minimum_votes"),
                FieldPanel("counting_rule"),
            ],
            heading=_("Voting"),
        ),
        InlinePanel(
            "ballot_rules",
            label=_("Ballot rules"),
            heading=_("Ballot rules"),
            help_text=_(
                "Without rules, voters choose ideas within the budget. Rules without an area hold for every area."
            ),
        ),
        InlinePanel("area_budgets", label=_("Budget per area"), heading=_("Budget per area")),
        InlinePanel(
            "polling_places",
            label=_("Polling place"),
            heading=_("Polling places"),
            help_text=_("Where residents vote on paper; paper ballots are reconciled per place."),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("submission_starts"), FieldPanel("review_starts")]),
                FieldRowPanel([FieldPanel("support_starts"), FieldPanel("voting_starts")]),
                FieldRowPanel([FieldPanel("results_published"), FieldPanel("implementation_starts")]),
            ],
            heading=_("Phases"),
        ),
    ]

    @staticmethod
    def phase_dates_fields():
        """The names of the date fields of the phases, in order."""
        return (
            "submission_starts",
            "review_starts",
            "support_starts",
            "voting_starts",
            "results_published",
            "implementation_starts",
        )

    def voting_has_opened(self):
        """Whether voting opened as stored: opened at the desk, or its date has come (the counting rule is then
        fixed)."""
        if self.pk is None:
            return False
        stored = type(self).objects.filter(pk=self.pk).first()
        if stored is None:
            return False
        return bool(stored.voting_opened_at) or stored.current_phase() in (
            Phase.VOTING,
            Phase.RESULTS,
            Phase.IMPLEMENTATION,
        )

    def phase_dates(self):
        return {
            Phase.SUBMISSION: self.submission_starts,
            Phase.REVIEW: self.review_starts,
            Phase.SUPPORT: self.support_starts,
            Phase.VOTING: self.voting_starts,
            Phase.RESULTS: self.results_published,
            Phase.IMPLEMENTATION: self.implementation_starts,
        }

    def current_phase(self, moment=None):
        return phase_at(moment or timezone.now(), self.phase_dates())

    def current_phase_label(self):
        return PHASE_LABELS[self.current_phase()]

    def phase_end(self, phase):
        """When a phase ends: the start of the next phase that exists."""
        dates = [(p, start) for p, start in self.phase_dates().items() if start is not None]
        for (current, _start), (_next, next_start) in itertools.pairwise(dates):
            if current == phase:
                return next_start
        return None

    def clean(self):
        super().clean()
        starts = [start for start in self.phase_dates().values() if start is not None]
        if starts != sorted(starts):
            raise ValidationError(
                _("The phases must follow each other in order: each one starts after the last.")
            )
        if self.max_cost_per_idea and self.total_budget and self.max_cost_per_idea > self.total_budget:
            raise ValidationError(
                {"max_cost_per_idea": _("One idea cannot cost more than the whole budget.")}
            )
        if self.pk and self.voting_has_opened():
            stored_rule = (
                type(self).objects.filter(pk=self.pk).values_list("counting_rule", flat=True).first()
            )
            if stored_rule and stored_rule != self.counting_rule:
                raise ValidationError(
                    {
                        "counting_rule": _(
                            "Voting has opened: the counting rule residents were told about cannot change any more."
                        )
                    }
                )

    def __str__(self):
        return self.name

    class Meta:
        verbose_name = _("budget round")
        verbose_name_plural = _("budget rounds")
        ordering = ["-submission_starts"]


class AreaBudget(Orderable):
    """The part of a round's budget reserved for one area."""

    round = ParentalKey(BudgetRound, on_delete=models.CASCADE, related_name="area_budgets")
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)

    panels = [FieldPanel("area"), FieldPanel("amount")]

    class Meta(Orderable.Meta):
        verbose_name = _("area budget")
        verbose_name_plural = _("area budgets")
        constraints = [
            models.UniqueConstraint(fields=["round", "area"], name="one_budget_per_area_and_round")
        ]


class BudgetRoundPage(RoutablePageMixin, Page):
    """Places a budget round in the site with a translated introduction; its routes list the round's ideas,
    show each idea, and take new ones (see ideas/views.py)."""

    budget_round = models.ForeignKey(
        BudgetRound, verbose_name=_("budget round"), on_delete=models.PROTECT, related_name="pages"
    )
    intro = RichTextField(_("introduction"), features=["bold", "italic", "link", "ul", "ol", "h3"])

    content_panels = [*Page.content_panels, FieldPanel("budget_round"), FieldPanel("intro")]

    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = []

    # Routes: each hands over to a view in ideas/views.py (imported late: views import the models).
    @path("")
    def ideas_view(self, request):
        from ideas import views

        return views.idea_list(request, self)

    @path("new/", name="new_idea")
    def new_idea_view(self, request):
        from ideas import views

        return views.idea_create(request, self)

    @path("mine/", name="my_ideas")
    def my_ideas_view(self, request):
        from ideas import views

        return views.my_ideas(request, self)

    @path("<int:idea_id>/", name="idea")
    def idea_view(self, request, idea_id):
        from ideas import views

        return views.idea_detail(request, self, idea_id)

    @path("<int:idea_id>/<slug:action>/", name="idea_action")
    def idea_action_view(self, request, idea_id, action):
        from ideas import views

        return views.idea_action(request, self, idea_id, action)

    @path("comments/<int:comment_id>/report/", name="report_comment")
    def report_comment_view(self, request, comment_id):
        from ideas import views

        return views.report_comment(request, self, comment_id)

    # The online ballot: each hands over to a view in ideas/voting/views.py.
    @path("vote/", name="vote")
    def vote_view(self, request):
        from ideas.voting import views

        return views.ballot_form(request, self)

    @path("vote/review/", name="vote_review")
    def vote_review_view(self, request):
        from ideas.voting import views

        return views.ballot_form(request, self)

    @path("vote/done/", name="vote_done")
    def vote_done_view(self, request):
        from ideas.voting import views

        return views.ballot_done(request, self)

    @path("vote/code/", name="vote_with_code")
    def vote_with_code_view(self, request):
        from ideas.voting import views

        return views.vote_with_code(request, self)

    @path("vote/code/ballot/", name="code_ballot")
    def code_ballot_view(self, request):
        from ideas.voting import views

        return views.ballot_form(request, self, voter_class=views.CodeVoter)

    @path("vote/code/review/", name="code_review")
    def code_review_view(self, request):
        from ideas.voting import views

        return views.ballot_form(request, self, voter_class=views.CodeVoter)

    @path("vote/code/done/", name="code_done")
    def code_done_view(self, request):
        from ideas.voting import views

        return views.ballot_done(request, self, by_code=True)

    @path("residency/", name="confirm_residency")
    def confirm_residency_view(self, request):
        from ideas.voting import identity_views

        return identity_views.residency(request, self)

    @path("results/", name="results")
    def results_view(self, request):
        from ideas.voting import results_page

        return results_page.results(request, self)

    @path("delivery/", name="delivery")
    def delivery_view(self, request):
        from ideas import delivery_views

        return delivery_views.round_delivery(request, self)

    @classmethod
    def route_related(cls, remaining):
        """What home/chrome.route fetches with this page for the route of the URL parts `remaining`: the round,
        which every view reads first; for the results page nothing (None), as its stored body needs no more than
        the tree's row of the page (ideas/voting/results_page.py)."""
        return None if list(remaining) == ["results"] else ("budget_round",)

    def idea_url(self, idea, action=None):
        if action:
            return self.url + self.reverse_subpage("idea_action", args=[idea.pk, action])
        return self.url + self.reverse_subpage("idea", args=[idea.pk])

    class Meta:
        verbose_name = _("budget round page")
        verbose_name_plural = _("budget round pages")
