"""Forms of the moderation pages: reasons (from a template and/or free text), merging, assessment, hiding."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateTimeInput
from wagtail.models import Locale

from home.models import Department
from ideas.models import BudgetRound, Idea, ReasonTemplate
from ideas.statuses import PUBLIC, Status
from ideas.voting import keys

MERGE_TARGETS = PUBLIC - {Status.REJECTED, Status.MERGED}


def reason_templates(kind):
    """Templates of one kind in the moderator's (admin) language, else in the default language."""
    templates = ReasonTemplate.objects.filter(kind=kind)
    in_language = templates.filter(locale=Locale.get_active())
    return in_language if in_language.exists() else templates.filter(locale=Locale.get_default())


class ReasonTemplateChoiceField(forms.ModelChoiceField):
    """A reason template shown by its title (ReasonForm, AssessmentForm)."""

    def label_from_instance(self, obj):
        return obj.title


class ReasonForm(forms.Form):
    """A public reason from a template and/or free text (moderation page, RejectBulkAction)."""

    template = ReasonTemplateChoiceField(
        label=_("Standard reason"), queryset=ReasonTemplate.objects.none(), required=False
    )
    text = forms.CharField(
        label=_("Reason in your own words"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
        help_text=_("The author and the public will see the reason."),
    )

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        # Validation accepts every language: the moderator may have switched the admin language meanwhile.
        self.fields["template"].queryset = ReasonTemplate.objects.filter(kind=kind)
        self.fields["template"].choices = [("", "---------")] + [
            (template.pk, template.title) for template in reason_templates(kind)
        ]

    def reason(self):
        """The template's text and the free text together; empty when neither was given (change_status
        refuses that with its own message)."""
        template = self.cleaned_data.get("template")
        parts = [template.text if template else "", self.cleaned_data.get("text", "")]
        return "\n\n".join(part.strip() for part in parts if part and part.strip())


class MergeForm(forms.Form):
    """Which idea of the same round a duplicate goes into (IdeaModerationView)."""

    target = forms.ModelChoiceField(label=_("Merge into"), queryset=Idea.objects.none())
    text = forms.CharField(
        label=_("Public note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=1000,
        help_text=_("Optional: why these ideas belong together."),
    )

    def __init__(self, *args, idea, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        field.queryset = (
            Idea.objects.filter(round_id=idea.round_id, status__in=MERGE_TARGETS)
            .exclude(pk=idea.pk)
            .order_by("title")
        )
        field.label_from_instance = lambda target: f"#{target.pk} {target.title}"


class AssessmentForm(forms.Form):
    """Staff's assessment: cost, feasibility, public explanation, department (IdeaModerationView)."""

    RESULTS = [(Status.FEASIBLE.value, _("Feasible")), (Status.NOT_FEASIBLE.value, _("Not feasible"))]

    result = forms.ChoiceField(label=_("Result"), choices=RESULTS, widget=forms.RadioSelect)
    official_cost = forms.DecimalField(
        label=_("Official cost (EUR)"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    template = ReasonTemplateChoiceField(
        label=_("Standard reason (not feasible)"), queryset=ReasonTemplate.objects.none(), required=False
    )
    explanation = forms.CharField(
        label=_("Public explanation"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        required=False,
        help_text=_("Shown on the idea's page: how the cost was estimated and whether it can be done."),
    )
    responsible_department = forms.ModelChoiceField(
        label=_("Responsible department"), queryset=Department.objects.none(), required=False
    )

    def __init__(self, *args, idea, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "result": idea.status if idea.status in {Status.FEASIBLE, Status.NOT_FEASIBLE} else None,
                "official_cost": idea.official_cost,
                "explanation": idea.assessment,
                "responsible_department": idea.responsible_department_id,
            },
        )
        super().__init__(*args, **kwargs)
        kind = ReasonTemplate.Kind.NOT_FEASIBLE
        self.fields["template"].queryset = ReasonTemplate.objects.filter(kind=kind)
        self.fields["template"].choices = [("", "---------")] + [
            (template.pk, template.title) for template in reason_templates(kind)
        ]
        # Ideas point at the default-language row of a translatable snippet, as they do for areas.
        self.fields["responsible_department"].queryset = Department.objects.filter(
            locale=Locale.get_default()
        )

    def clean(self):
        cleaned = super().clean()
        template = cleaned.get("template")
        parts = [template.text if template else "", cleaned.get("explanation", "")]
        cleaned["explanation"] = "\n\n".join(part.strip() for part in parts if part and part.strip())
        if not cleaned["explanation"]:
            self.add_error("explanation", _("Please explain the assessment; the public will see it."))
        if cleaned.get("result") == Status.FEASIBLE and cleaned.get("official_cost") is None:
            self.add_error("official_cost", _("A feasible idea needs its official cost."))
        return cleaned


class HideCommentForm(forms.Form):
    """Why a comment is hidden, shown in its place on the idea's page (HideCommentView)."""

    reason = forms.CharField(
        label=_("Why is it hidden?"),
        max_length=250,
        help_text=_("Shown in place of the comment, e.g. “Offensive language”."),
    )


# The voting desk (ideas/moderation/voting.py) -------------------------------------------------------------


class CodeBatchForm(forms.Form):
    """A new batch of one-time voting codes, printed at once as a PDF."""

    batch = forms.CharField(
        label=_("Batch name"),
        max_length=100,
        help_text=_("Where the codes go, for example “Ķekava library, 12 May”."),
    )
    count = forms.IntegerField(label=_("Number of codes"), min_value=1, max_value=1000, initial=50)


class PersonalCodeField(forms.CharField):
    """A personal code that staff check against identity documents; the services keep only its keyed hash."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "help_text", _("Checked against identity documents; only a keyed hash of it is kept.")
        )
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            keys.normalise_personal_code(value)
        except ValueError:
            raise forms.ValidationError(
                _("A personal code has 11 digits, for example 010203-12345.")
            ) from None
        return value


class HandOutCodeForm(forms.Form):
    """Recording that a code was handed to an identified person (their personal code becomes a keyed hash)."""

    code = forms.CharField(label=_("Voting code"), max_length=20)
    personal_code = PersonalCodeField(label=_("Personal code of the person"))


class PollingPlaceField(forms.ModelChoiceField):
    """One of the round's polling places (BudgetRound.polling_places)."""

    def __init__(self, budget_round, **kwargs):
        kwargs.setdefault("label", _("Polling place"))
        super().__init__(queryset=budget_round.polling_places.order_by("name"), **kwargs)


class PaperVoterForm(forms.Form):
    """A person voting on paper at a polling place, entered in the register before they get a ballot paper.
    Their eligibility and area come from the census list (or a staff exception), never from this form."""

    personal_code = PersonalCodeField(label=_("Personal code"))

    def __init__(self, *args, budget_round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["polling_place"] = PollingPlaceField(budget_round)


class OverrideForm(forms.Form):
    """A staff exception: this person may vote in the round although the census list or the age rule says no."""

    personal_code = PersonalCodeField(label=_("Personal code"))
    area = forms.ChoiceField(label=_("Area whose ballot they get"), required=False)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: moved here after the census list was made; documents checked."),
    )

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        if areas:
            self.fields["area"].choices = [("", "—"), *areas]
        else:
            del self.fields["area"]


class CountingKeyField(forms.CharField):
    """The election commission's private key, pasted or read from its saved file; never stored."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Election commission's private key"))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _(
                "Paste the key line (it starts with kopa-counting-key-1:) or the whole saved key file. "
                "It opens the sealed ballots and is not stored."
            ),
        )
        kwargs.setdefault(
            "widget", forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"})
        )
        super().__init__(**kwargs)


class CensusUploadForm(forms.Form):
    """The census list as a CSV file (ideas/voting/census.py)."""

    file = forms.FileField(
        label=_("Census list (CSV)"),
        help_text=_("Columns personal_code, area (area code) and birth_year, UTF-8."),
    )
    replace = forms.BooleanField(label=_("Remove residents who are not in this file"), required=False)


class CountForm(forms.Form):
    """The rule a round is counted with (ideas/counting), and the private key while the box is sealed."""

    rule = forms.ChoiceField(label=_("Counting rule"))
    key_file = forms.FileField(
        label=_("Key file"), required=False, help_text=_("Or upload the saved key file.")
    )
    private_key = CountingKeyField()

    def __init__(self, *args, rules=(), needs_key=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = rules
        if not needs_key:
            del self.fields["private_key"]
            del self.fields["key_file"]

    def key(self):
        """The key text from the upload or the text box."""
        upload = self.cleaned_data.get("key_file")
        if upload:
            return upload.read(4096).decode("utf-8", "replace")
        return self.cleaned_data.get("private_key", "")


class NewRoundForm(forms.Form):
    """A new budget round with its page in both languages in one step (ideas/moderation/rounds.py); the round's
    own checks (BudgetRound.clean) run in ideas/lifecycle.create_round and come back as field errors."""

    name = forms.CharField(
        label=_("Name of the round"), max_length=150, help_text=_("For staff; residents see the page title.")
    )
    total_budget = forms.DecimalField(
        label=_("Total budget (EUR)"), min_value=1, max_digits=12, decimal_places=2
    )
    max_cost_per_idea = forms.DecimalField(
        label=_("Maximum cost of one idea (EUR)"),
        min_value=1,
        max_digits=12,
        decimal_places=2,
        required=False,
    )
    minimum_supports = forms.IntegerField(
        label=_("Supports an idea needs to go on the ballot"), min_value=0, initial=0
    )
    counting_rule = forms.ChoiceField(
        label=_("Counting rule"),
        help_text=_("Shown to residents on the round's page; it cannot change once voting has opened."),
    )
    submission_starts = forms.DateTimeField(label=_("Submission starts"), widget=AdminDateTimeInput)
    review_starts = forms.DateTimeField(
        label=_("Review starts"), widget=AdminDateTimeInput, help_text=_("Submission closes at this moment.")
    )
    support_starts = forms.DateTimeField(
        label=_("Support starts"),
        widget=AdminDateTimeInput,
        required=False,
        help_text=_("Leave empty for a round without a support phase."),
    )
    voting_starts = forms.DateTimeField(
        label=_("Voting starts"),
        widget=AdminDateTimeInput,
        help_text=_("Planned; voting opens only when staff open it at the voting desk, or at this date."),
    )
    results_published = forms.DateTimeField(label=_("Voting ends, results"), widget=AdminDateTimeInput)
    implementation_starts = forms.DateTimeField(label=_("Implementation starts"), widget=AdminDateTimeInput)
    title_lv = forms.CharField(label=_("Page title in Latvian"), max_length=255)
    intro_lv = forms.CharField(label=_("Introduction in Latvian"), widget=forms.Textarea(attrs={"rows": 4}))
    title_en = forms.CharField(label=_("Page title in English"), max_length=255)
    intro_en = forms.CharField(label=_("Introduction in English"), widget=forms.Textarea(attrs={"rows": 4}))

    ROUND_FIELDS = (
        "name",
        "total_budget",
        "max_cost_per_idea",
        "minimum_supports",
        "counting_rule",
        *BudgetRound.phase_dates_fields(),
    )

    def __init__(self, *args, **kwargs):
        from ideas.models.rounds import CountingRule

        super().__init__(*args, **kwargs)
        self.fields["counting_rule"].choices = CountingRule.choices
        self.fields["counting_rule"].initial = CountingRule.EQUAL_SHARES_ADD1

    def round_fields(self):
        return {name: self.cleaned_data[name] for name in self.ROUND_FIELDS}

    def pages(self):
        """The page's texts per language; the introduction becomes paragraphs of rich text."""
        from django.utils.html import escape

        def rich(text):
            paragraphs = [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]
            return "".join(f"<p>{escape(part)}</p>" for part in paragraphs)

        return {
            language: {
                "title": self.cleaned_data[f"title_{language}"],
                "intro": rich(self.cleaned_data[f"intro_{language}"]),
            }
            for language in ("lv", "en")
        }


class BallotBuilderForm(forms.Form):
    """The ballot builder's choice of ideas (ideas/moderation/voting.BallotView), and the reason needed to put
    an idea below the round's minimum of supports on the ballot all the same."""

    ideas = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(
        label=_("Reason for ideas below the minimum of supports"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Needed only when you tick an idea with fewer supports than needed; it is shown publicly."
        ),
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ideas"].choices = [(idea.pk, idea.title) for idea in candidates]
        self.fields["ideas"].label = _("Ideas")


class ConfirmForm(forms.Form):
    """A confirmation step of a serious action (opening and closing the vote, publishing results)."""

    confirm = forms.BooleanField(label=_("I have checked the summary above"), required=True)


class OnBallotForm(forms.Form):
    """Put one idea on the ballot from its moderation page; the reason is needed only below the minimum of
    supports (ideas/lifecycle.build_ballot)."""

    text = forms.CharField(
        label=_("Reason, if the idea has fewer supports than needed"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown publicly in the idea's history."),
    )

    def reason(self):
        return self.cleaned_data.get("text", "")
