"""The contact page: a form built by editors that e-mails staff and stores every submission."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.mail import send_mail
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.fields import RichTextField
from wagtail.models import TranslatableMixin
from wagtail.search import index


class FormField(TranslatableMixin, AbstractFormField):
    """One field of a contact page's form; translatable, so English visitors see English labels."""

    page = ParentalKey("home.ContactPage", on_delete=models.CASCADE, related_name="form_fields")

    class Meta(TranslatableMixin.Meta, AbstractFormField.Meta):
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")


class ContactPage(AbstractEmailForm):
    """Contacts of the municipality and a form; submissions are e-mailed to staff and kept in the admin."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    contact_details = RichTextField(
        _("contact details"),
        blank=True,
        features=["bold", "italic", "link", "ul"],
        help_text=_("Address, phone numbers and opening hours shown beside the form."),
    )
    thank_you_text = RichTextField(_("thank-you text"), blank=True, features=["bold", "italic", "link"])

    content_panels = [
        *AbstractEmailForm.content_panels,
        FormSubmissionsPanel(),
        FieldPanel("intro"),
        FieldPanel("contact_details"),
        InlinePanel("form_fields", label=_("Form fields")),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            heading=_("E-mail to staff"),
        ),
    ]

    search_fields = [*AbstractEmailForm.search_fields, index.SearchField("intro")]

    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = []

    def process_form_submission(self, form):
        # Staff get every message, even when an editor left the recipient empty.
        submission = AbstractForm.process_form_submission(self, form)
        self.send_mail(form)
        return submission

    def send_mail(self, form):
        recipients = self.to_address or settings.STAFF_NOTIFICATION_EMAIL
        send_mail(
            self.subject or self.title,
            self.render_email(form),
            [address.strip() for address in recipients.split(",") if address.strip()],
            self.from_address or settings.DEFAULT_FROM_EMAIL,
        )

    class Meta:
        verbose_name = _("contact page")
        verbose_name_plural = _("contact pages")
