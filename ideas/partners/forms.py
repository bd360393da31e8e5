"""Forms of the partners pages and of the idea page's business actions: an organisation's sign-up and edit
(ideas/partners/views.py join and edit), a pledge and a declared interest (ideas/views.py, the idea actions
"pledge" and "declare-interest"), and withdrawing a pledge ("my organisation").

The forms only check what a browser sends (types, lengths, NUL bytes); what is allowed is decided by the services
in ideas/partners/organisations.py and pledges.py, whose `Invalid` errors are put back on these forms' fields
with `add_service_errors`.
"""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from ideas.images import clean_image
from ideas.models import DeclaredInterest, Organisation, Pledge
from ideas.partners.organisations import PUBLIC_FIELDS
from ideas.partners.pledges import MAX_AMOUNT, MAX_HOURS

LOGO_TYPES = "image/jpeg,image/png,image/webp"


def add_service_errors(form, error):
    """Put a service's `Invalid` (a ValidationError with a message dict) on the form's fields; messages about
    fields the form does not show become errors of the whole form."""
    messages = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    for name, field_messages in messages.items():
        target = name if name in form.fields else None
        for message in field_messages:
            form.add_error(target, message)


class OrganisationForm(forms.Form):
    """An organisation's public details as its representative writes them (Organisation's PUBLIC_FIELDS), its
    logo, and, on sign-up, the person's statement that they may act for it."""

    website = forms.URLField(
        label=_("website"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("For example https://example.lv"),
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 8 MB. Shown on the partners page."),
        widget=forms.FileInput(attrs={"accept": LOGO_TYPES}),
    )
    authorised = forms.BooleanField(
        label=_("I am authorised to act for this organisation"),
        required=True,
        error_messages={
            "required": _("Please confirm that you may act for this organisation; staff will check it.")
        },
    )

    def __init__(self, *args, sign_up=True, **kwargs):
        super().__init__(*args, **kwargs)
        declared = dict(self.fields)
        model_fields = fields_for_model(
            Organisation,
            # The website field is declared above (with the https scheme Django 6 will assume).
            fields=[name for name in PUBLIC_FIELDS if name != "website"],
            widgets={
                "description": forms.Textarea(attrs={"rows": 5}),
                "interests": forms.Textarea(attrs={"rows": 3}),
                "conflicts": forms.Textarea(attrs={"rows": 3}),
            },
        )
        model_fields = {name: model_fields.get(name) or declared[name] for name in PUBLIC_FIELDS}
        model_fields["registration_number"].widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "off"}
        )
        model_fields["contact_email"].widget.attrs["autocomplete"] = "email"
        model_fields["contact_phone"].widget.attrs["autocomplete"] = "tel"
        model_fields["contact_name"].widget.attrs["autocomplete"] = "name"
        for name, field in model_fields.items():
            # The model's own checks (the 11 digits of a registration number) run with the form's, so that
            # every mistake is shown at once.
            model_validators = Organisation._meta.get_field(name).validators
            field.validators += [check for check in model_validators if check not in field.validators]
            # Labels from the model are lower case ("name"); forms start with a capital.
            field.label = str(field.label)[:1].upper() + str(field.label)[1:]
            if isinstance(field, forms.CharField):
                field.strip = True
        ordered = {**model_fields, "logo": declared["logo"]}
        if sign_up:
            ordered["authorised"] = declared["authorised"]
        self.fields = ordered

    def clean_logo(self):
        uploaded = self.cleaned_data.get("logo")
        if uploaded:
            # Re-encoded without metadata and checked for size and format; named after nothing the person typed.
            cleaned = clean_image(uploaded)
            cleaned.name = "logo.jpg"
            return cleaned
        return None

    def service_fields(self):
        """The cleaned public fields, as register_organisation / change_organisation take them."""
        return {name: self.cleaned_data[name] for name in PUBLIC_FIELDS}


def _choices(organisations):
    """The organisations (a list, already checked by the view) as the choice field's queryset."""
    return Organisation.objects.filter(pk__in=[organisation.pk for organisation in organisations]).order_by(
        "name", "pk"
    )


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class PledgeForm(forms.Form):
    """A pledge on an idea as its page sends it (ideas/views.py, action "pledge"); offer_pledge checks the rest
    (the kind's required values, conflicts, the phase)."""

    organisation = OrganisationChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the organisations you act for.")},
    )
    kind = forms.ChoiceField(
        label=_("What do you offer?"),
        choices=Pledge.Kind.choices,
        widget=forms.RadioSelect,
        initial=Pledge.Kind.MONEY,
    )
    amount = forms.DecimalField(
        label=_("Amount or value (EUR)"),
        required=False,
        min_value=0,
        max_value=MAX_AMOUNT,
        max_digits=12,
        decimal_places=2,
        help_text=_("Money given, or the value of what is given in kind. Not needed for volunteer hours."),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )
    hours = forms.IntegerField(
        label=_("Volunteer hours"),
        required=False,
        min_value=0,
        max_value=MAX_HOURS,
        help_text=_("Only for volunteer hours."),
        widget=forms.NumberInput(attrs={"min": "0", "inputmode": "numeric"}),
    )
    description = forms.CharField(
        label=_("What is offered"),
        required=False,
        max_length=Pledge._meta.get_field("description").max_length,
        help_text=_("Needed for in-kind help and volunteering: what, when and by whom."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, organisations, **kwargs):
        kwargs.setdefault("prefix", "pledge")
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _choices(organisations)
        if len(organisations) == 1:
            # One organisation: nothing to choose, but the form still says on whose behalf.
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].initial = organisations[0].pk
            self.single_organisation = organisations[0]
        else:
            self.single_organisation = None


class InterestForm(forms.Form):
    """An organisation declares its stake in an idea (ideas/views.py, action "declare-interest"); until staff
    clear it, the organisation cannot pledge on that idea."""

    organisation = OrganisationChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the organisations you act for.")},
    )
    kind = forms.ChoiceField(label=_("Kind of interest"), choices=DeclaredInterest.Kind.choices)
    description = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=DeclaredInterest._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, organisations, **kwargs):
        kwargs.setdefault("prefix", "interest")
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _choices(organisations)
        if len(organisations) == 1:
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].initial = organisations[0].pk


class WithdrawForm(forms.Form):
    """Withdrawing a pledge from "my organisation", with an optional reason the public sees."""

    reason = forms.CharField(
        label=_("Reason (optional, shown publicly)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, pledge, **kwargs):
        kwargs.setdefault("prefix", f"withdraw-{pledge.pk}")
        super().__init__(*args, **kwargs)
