"""The gunicorn application of bench/pages.py (`--pythonpath bench bare_app:application`, started by
bench/serving.py): config.wsgi's site with production settings, plus one bare Django view at /__bench/bare/,
the baseline that pages are compared with.

The bare view goes through the same middleware (security, whitenoise, CSP, the page cache's checks, sessions,
locale, CSRF, authentication ...) and answers HttpResponse("ok"), so the ratio page / bare is what rendering the
page costs above Django itself. The site's own URLs (config/urls.py) are untouched: this module is the URL
configuration of the bench server only, the site's patterns after the bare one. "/__" is never cached.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

application = get_wsgi_application()


def bare(request):
    return HttpResponse("ok")


def _patterns():
    from config.urls import urlpatterns as site

    return [path("__bench/bare/", bare, name="bench_bare"), *site]


urlpatterns = _patterns()
# Read per request by Django's handler, so set once here, after setup, for this server process only.
settings.ROOT_URLCONF = __name__
