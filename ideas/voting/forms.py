"""Forms of the online ballot (ideas/voting/views.py): the ballot itself, built for the round's rules, and the
one-time voting code."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ideas.voting.ballot_rules import APPROVAL_BUDGET, APPROVAL_COUNT, CHOOSE_ONE, CUMULATIVE, RANKING

APPROVAL = (APPROVAL_BUDGET, APPROVAL_COUNT)


class BallotForm(forms.Form):
    """One ballot: a field per idea (a tick box, points or a place), or one radio choice for choose-one
    ballots. The rules themselves are checked by ideas/voting/ballot_rules.py, never here; this form only turns
    the posted values into {idea id: points or place}. Used by views.ballot_form and its template
    templates/ideas/voting/ballot.html."""

    def __init__(self, *args, ideas, rules, initial_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ideas = list(ideas)
        self.rules = rules
        chosen = initial_choices or {}
        if rules.method == CHOOSE_ONE:
            self.fields["choice"] = forms.TypedChoiceField(
                label=_("Your choice"),
                choices=[(idea.pk, idea.title) for idea in self.ideas],
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
            )
            self.initial["choice"] = next(iter(chosen), None)
        for idea in self.ideas:
            name = self.field_name(idea)
            if rules.method in APPROVAL:
                self.fields[name] = forms.BooleanField(label=idea.title, required=False)
                self.initial[name] = idea.pk in chosen
            elif rules.method == CUMULATIVE:
                # The widget's maximum helps the voter; the rules are checked on the server all the same.
                most = rules.max_points_per_idea or rules.points_total
                self.fields[name] = forms.IntegerField(
                    label=idea.title, required=False, min_value=0, max_value=most
                )
                self.initial[name] = chosen.get(idea.pk, 0)
            elif rules.method == RANKING:
                self.fields[name] = forms.IntegerField(
                    label=idea.title, required=False, min_value=1, max_value=len(self.ideas)
                )
                self.initial[name] = chosen.get(idea.pk)

    def field_name(self, idea):
        """The name of an idea's own field (none on choose-one ballots)."""
        return f"idea_{idea.pk}"

    def rows(self):
        """The ideas with their bound field and whether they are chosen, for the template."""
        chosen = self.chosen()
        rows = []
        for idea in self.ideas:
            name = self.field_name(idea)
            rows.append(
                {
                    "idea": idea,
                    "field": self[name] if name in self.fields else None,
                    "chosen": idea.pk in chosen,
                    "value": chosen.get(idea.pk),
                }
            )
        return rows

    def chosen(self):
        """{idea id: points or place} from the cleaned data when valid, else from the initial values (for
        showing the basket before anything is posted)."""
        if self.is_bound and self.is_valid():
            return self.choices()
        if self.is_bound:
            return {}
        values = {}
        if self.rules.method == CHOOSE_ONE:
            if self.initial.get("choice"):
                values[int(self.initial["choice"])] = 1
            return values
        for idea in self.ideas:
            value = self.initial.get(self.field_name(idea))
            if value is True:
                values[idea.pk] = 1
            elif value not in (None, False, 0):
                values[idea.pk] = int(value)
        return values

    def choices(self):
        """The ballot as ideas/voting/casting.py takes it: idea id -> points (1 when approving) or place."""
        data = self.cleaned_data
        if self.rules.method == CHOOSE_ONE:
            return {data["choice"]: 1} if data.get("choice") else {}
        values = {}
        for idea in self.ideas:
            value = data.get(self.field_name(idea))
            if value is True:
                values[idea.pk] = 1
            elif value:
                # Zero points or an empty place means "not chosen".
                values[idea.pk] = value
        return values


class VotingCodeForm(forms.Form):
    """A one-time voting code, typed in by a person voting without an account (views.vote_with_code)."""

    code = forms.CharField(
        label=_("Your voting code"),
        max_length=30,
        help_text=_("The code on your card, for example ABCD-EFGH-JKLM. Capital or small letters both work."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
