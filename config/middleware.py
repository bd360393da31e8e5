"""Site-wide guards on what a request carries, run before any view or the database sees it. Wired in
config/settings/base.py MIDDLEWARE.

RefuseNulMiddleware answers 400 for a NUL character anywhere in the address, the query string or a posted form
field. No text of the site may hold one, and PostgreSQL refuses any NUL in a query ("PostgreSQL text fields
cannot contain NUL (0x00) bytes"), which would otherwise surface as a 500 from whichever lookup met it first.
JSON and the API's own form bodies are checked by the API's parsers (ideas/api/parsers.py), with the same
message.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def nul_message():
    """The refusal, in the active language (also raised by ideas/api/parsers.py)."""
    return _(
        "The request contains a NUL character (character code 0), which no address, search or form field may "
        "hold. Remove it and try again."
    )


def any_nul(strings):
    """Whether any of the strings holds a NUL character."""
    return any(NUL in text for text in strings)


def _query_dict_has_nul(query_dict):
    return any(NUL in key or any_nul(values) for key, values in query_dict.lists())


class RefuseNulMiddleware:
    """400 with a clear message for a NUL in the path, the query string or a posted form field (not in uploaded
    files, which are binary); cookies holding one are dropped, as a cookie the site never set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cookies = request.COOKIES
        if any(NUL in name or NUL in value for name, value in cookies.items()):
            # A browser cannot send such a cookie; ignoring it (a fresh session) beats a lookup that fails.
            request.COOKIES = {name: value for name, value in cookies.items() if NUL not in name + value}
        if self._has_nul(request):
            return self._refuse(request)
        return self.get_response(request)

    def _has_nul(self, request):
        if NUL in request.path or NUL in request.path_info or _query_dict_has_nul(request.GET):
            return True
        # Only POST fills request.POST; the API parses its own PUT and PATCH bodies (ideas/api/parsers.py).
        if request.method == "POST" and request.content_type in FORM_TYPES:
            return _query_dict_has_nul(request.POST) or any_nul(
                upload.name or "" for upload in request.FILES.values()
            )
        return False

    def _refuse(self, request):
        with translation.override(self._language(request)):
            message = nul_message()
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")

    def _language(self, request):
        """The language the page or API call would have answered in (LocaleMiddleware has not run yet)."""
        if request.path_info.startswith("/api/"):
            # As ideas/api/views.LanguageMixin: ?lang=, else Accept-Language.
            requested = request.GET.get("lang")
            if requested in LANGUAGE_CODES:
                return requested
            return translation.get_language_from_request(request, check_path=False)
        # Pages: the /en/ prefix, else Latvian at / (i18n_patterns without a prefix for the default language).
        return translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
