""" "New budget round" in the Participation menu (NewRoundViewSet in viewsets.py): one form for the round and its
page in Latvian and English; ideas/lifecycle.create_round makes them all in one transaction."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ideas.lifecycle import create_round
from ideas.moderation.forms import NewRoundForm


class NewRoundView(WagtailAdminTemplateMixin, FormView):
    """The form; on success, the new round's voting desk page with links to its pages."""

    template_name = "ideas/admin/new_round.html"
    form_class = NewRoundForm
    page_title = _("New budget round")
    header_icon = "date"
    _show_breadcrumbs = True

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("ideas.create_round"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def form_valid(self, form):
        try:
            budget_round, _page = create_round(self.request.user, pages=form.pages(), **form.round_fields())
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    target = field if field in form.fields else None
                    for message in errors:
                        form.add_error(target if target != NON_FIELD_ERRORS else None, message)
            else:
                form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The round “%(name)s” and its page in both languages are created and in the menu.")
            % {"name": budget_round.name},
        )
        return redirect(reverse("voting_desk:round", args=[budget_round.pk]))

    def form_invalid(self, form):
        messages.error(self.request, _("The round could not be created. Please correct the errors below."))
        return self.render_to_response(self.get_context_data(form=form), status=400)
