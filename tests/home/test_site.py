"""Site-wide views: search, sitemap.xml, robots.txt, error pages, contact form."""

import re
import xml.etree.ElementTree as ElementTree

import pytest
from django.core import mail
from django.db import connection
from django.template.loader import render_to_string
from wagtail.contrib.forms.models import FormSubmission

from home.models import ContactPage
from tests.factories import add_news

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def result_titles(html):
    return re.findall(r'<li[^>]*><h2><a href="[^"]+">([^<]+)</a></h2>', html)


def test_search_finds_pages_in_the_active_language_only(client):
    english = client.get("/en/search/?q=bicycle").content.decode()
    assert "New bicycle shelters for schools" in result_titles(english)

    latvian = client.get("/search/?q=velonovietnes").content.decode()
    assert "Pie skolām uzstādīs jaunas velonovietnes" in result_titles(latvian)
    assert "New bicycle shelters for schools" not in latvian


def test_search_without_results_says_so(client):
    html = client.get("/en/search/?q=xylophonequartz").content.decode()
    assert result_titles(html) == []
    assert "Nothing was found for “xylophonequartz”" in html


def test_empty_search_shows_only_the_form(client):
    response = client.get("/en/search/?q=")
    assert response.status_code == 200
    assert 'id="search-page-q"' in response.content.decode()
    assert "Nothing was found" not in response.content.decode()


def test_search_paginates(client, news_index_en):
    add_news(news_index_en, 25, title="Composting workshop report")
    first = client.get("/en/search/?q=composting").content.decode()
    assert len(result_titles(first)) == 10
    assert 'href="?q=composting&amp;page=2"' in first
    third = client.get("/en/search/?q=composting&page=3").content.decode()
    assert len(result_titles(third)) == 5


def test_search_escapes_the_query(client):
    html = client.get("/en/search/?q=<script>alert(1)</script>").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.postgres
def test_search_uses_postgresql_full_text_with_stemming(client):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL full-text search is only on PostgreSQL (CI runs it)")
    from wagtail.search.backends import get_search_backend

    assert type(get_search_backend()).__name__ == "PostgresSearchBackend"
    # "sheltered schooling" shares no word with the page, only the stems "shelter" and "school".
    html = client.get("/en/search/?q=sheltered schooling").content.decode()
    assert "New bicycle shelters for schools" in result_titles(html)


def test_sitemap_lists_both_languages_with_alternates(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    urls = {url.findtext(f"{SITEMAP}loc"): url for url in root.findall(f"{SITEMAP}url")}

    assert {"http://testserver/", "http://testserver/en/"} <= set(urls)
    english_url = "http://testserver/en/news/new-bicycle-shelters-schools/"
    latvian_url = "http://testserver/jaunumi/pie-skolam-jaunas-velonovietnes/"
    assert english_url in urls and latvian_url in urls
    alternates = {
        link.get("hreflang"): link.get("href") for link in urls[english_url].findall(f"{XHTML}link")
    }
    assert alternates == {"lv": latvian_url, "en": english_url}
    assert all(loc.startswith("http://") for loc in urls)
    assert sum("/en/" in loc for loc in urls) == len(urls) // 2


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


@pytest.mark.parametrize(
    ("url", "language", "text"),
    [
        ("/no-such-page/", "lv", "Lapa nav atrasta"),
        ("/en/no-such-page/", "en", "Page not found"),
    ],
)
def test_friendly_404_in_the_visitors_language(client, url, language, text):
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert text in html
    assert 'role="search"' in html


def test_500_page_needs_no_context_and_speaks_both_languages():
    html = render_to_string("500.html")
    assert '<html lang="lv">' in html
    assert 'lang="en"' in html
    assert "{%" not in html


def test_contact_form_stores_the_submission_and_emails_staff(client):
    page = ContactPage.objects.get(slug="contact")
    form_html = client.get(page.url).content.decode()
    # Both languages share the field names, so submissions of either language line up in one export.
    names = re.findall(r'name="([a-z_]+)"', form_html)
    assert {"vards_uzvards", "e_pasts", "zina"} <= set(names)
    assert ">Message" in form_html, "the label is English"

    response = client.post(
        page.url, {"vards_uzvards": "Ilze", "e_pasts": "ilze@example.test", "zina": "A bench is broken."}
    )

    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    submission = FormSubmission.objects.get(page=page)
    assert submission.get_data()["zina"] == "A bench is broken."
    [email] = mail.outbox
    assert email.to == ["info@kekava.example"]
    assert "A bench is broken." in email.body


def test_contact_form_rejects_missing_fields_and_keeps_input(client):
    page = ContactPage.objects.get(slug="kontakti")
    response = client.post(page.url, {"vards_uzvards": "Ilze", "e_pasts": "", "zina": ""})
    html = response.content.decode()
    assert 'role="alert"' in html
    assert 'value="Ilze"' in html
    assert FormSubmission.objects.filter(page=page).count() == 0
    assert mail.outbox == []
