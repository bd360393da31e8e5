"""The API's request parsers (REST_FRAMEWORK DEFAULT_PARSER_CLASSES in config/settings/base.py): DRF's own, with
hostile input turned into a 400 with a clear message instead of a 500.

- JSON nested more than MAX_JSON_DEPTH deep is refused: Python's json raises RecursionError (a 500) at about a
  thousand levels, and no request of this API needs more than a handful.
- A NUL character in any string or key, JSON or form, is refused with the message of config/middleware.py,
  which checks addresses, query strings and posted web forms the same way (PostgreSQL cannot store a NUL).
"""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from config.middleware import NUL, any_nul, nul_message

MAX_JSON_DEPTH = 100  # objects and arrays inside one another; a ballot or an idea needs 3


def deep_message():
    return _("The JSON is nested too deeply.")


def _check(data):
    """Raise ParseError when `data` (parsed JSON) nests deeper than MAX_JSON_DEPTH or holds a NUL. Walked with
    a stack, not recursion, so that the check itself cannot run out of stack."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                raise ParseError(nul_message())
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise ParseError(deep_message())
            if isinstance(value, dict):
                if any_nul(value):
                    raise ParseError(nul_message())
                value = value.values()
            stack.extend((item, depth + 1) for item in value)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing JSON nested too deeply and NUL characters with a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(deep_message()) from error
        _check(data)
        return data


def _check_form(query_dict):
    if any(NUL in key or any_nul(values) for key, values in query_dict.lists()):
        raise ParseError(nul_message())


class FormParser(parsers.FormParser):
    """DRF's form parser (PUT and PATCH bodies; the middleware sees only POST), refusing NUL characters."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _check_form(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser, refusing NUL characters in fields and file names (file contents are binary)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        _check_form(parsed.data)
        if any_nul(upload.name or "" for upload in parsed.files.values()):
            raise ParseError(nul_message())
        return parsed
