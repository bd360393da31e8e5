"""The staff admin's login form (settings WAGTAILADMIN_USER_LOGIN_FORM): Wagtail's own, with a translatable
password label. Wagtail leaves that label to Django, which makes "Password" from the field's name, so no catalogue
can translate it and the Latvian login page said "Password"."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm


class AdminLoginForm(LoginForm):
    """Wagtail's LoginForm, password labelled "Parole" in Latvian."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Password")
