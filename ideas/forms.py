"""Residents' forms: an idea with its photos, a comment, a report (comments and reports are saved through
ideas/participation.py)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ideas.images import clean_image
from ideas.models import Area, Category, Comment, Idea, IdeaImage, Report
from ideas.models.ideas import REQUIRED_TO_SUBMIT, RESIDENT_FIELDS


class LocalizedChoiceField(forms.ModelChoiceField):
    """A choice of a translatable snippet's default-language rows, labelled in the active language."""

    def label_from_instance(self, obj):
        return obj.localized_name()


class IdeaForm(forms.ModelForm):
    """What a resident writes about an idea; the round's cost limit is checked here.

    With `draft=True` (the "Save draft" button of a draft) only the title is required, so that a draft can be
    saved at any time; submitting asks for every field of REQUIRED_TO_SUBMIT (and ideas/services.change_status
    checks them again)."""

    category = LocalizedChoiceField(queryset=Category.objects.none(), label=_("Category"))
    area = LocalizedChoiceField(queryset=Area.objects.none(), label=_("Area"))

    class Meta:
        model = Idea
        fields = RESIDENT_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "latitude": forms.NumberInput(attrs={"step": "0.000001", "data-map-latitude": ""}),
            "longitude": forms.NumberInput(attrs={"step": "0.000001", "data-map-longitude": ""}),
        }
        help_texts = {
            "description": _("Plain text. Web addresses become links."),
            "address": _(
                "A street address or a description of the place, e.g. “the park behind the school”."
            ),
            "latitude": _("Click the map to fill in, or leave empty."),
        }

    def __init__(self, *args, budget_round, draft=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget_round = budget_round
        for name in REQUIRED_TO_SUBMIT:
            # The model allows blanks for drafts; the form asks for them unless a draft is being saved.
            self.fields[name].required = name == "title" or not draft
            # The asterisk still says what submitting will need.
            self.fields[name].needed_to_submit = True
        default_language = settings.LANGUAGE_CODE
        self.fields["category"].queryset = Category.objects.filter(locale__language_code=default_language)
        self.fields["area"].queryset = Area.objects.filter(locale__language_code=default_language)
        for name in ("title", "summary", "description", "address"):
            self.fields[name].strip = True


class IdeaImageForm(forms.ModelForm):
    """One photo with the text that describes it for people who cannot see it."""

    # A plain file field: ideas/images.py checks the picture and explains any problem in residents' words.
    file = forms.FileField(
        label=_("Photo or sketch"),
        help_text=_("JPEG, PNG or WebP, at most 8 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = IdeaImage
        fields = ["file", "alt_text"]
        labels = {"alt_text": _("What the image shows")}

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded and hasattr(uploaded, "content_type"):  # a new upload, not the stored file
            return clean_image(uploaded)
        return uploaded

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("file") and not cleaned.get("alt_text", "").strip() and not cleaned.get("DELETE"):
            self.add_error("alt_text", _("Describe the image in a few words."))
        return cleaned


IdeaImageFormSet = forms.inlineformset_factory(
    Idea,
    IdeaImage,
    form=IdeaImageForm,
    extra=2,
    max_num=settings.IDEA_IMAGE_MAX_COUNT,
    validate_max=True,
    can_delete=True,
)


class CommentForm(forms.Form):
    """A comment or a reply as the idea page sends it; ideas/participation.add_comment decides what is accepted
    (which comments may be answered, who may answer officially)."""

    text = forms.CharField(
        label=_("Your comment"),
        max_length=Comment._meta.get_field("text").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write something before sending.")},
    )
    parent = forms.ModelChoiceField(
        queryset=Comment.objects.all(), required=False, widget=forms.HiddenInput, label=_("Reply to")
    )


class ReportForm(forms.ModelForm):
    """Why an idea or a comment should be looked at by a moderator."""

    class Meta:
        model = Report
        fields = ["reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 4})}
