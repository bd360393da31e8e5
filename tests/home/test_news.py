"""News: index filters and pagination, RSS and Atom feeds per language, print view, constant query counts."""

import re
import xml.etree.ElementTree as ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from home.models import NewsPage
from home.models.news import NEWS_PER_PAGE
from tests.factories import add_news

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def card_titles(html):
    return re.findall(r'<h3 class="card__title"><a href="[^"]+">([^<]+)</a>', html)


def test_index_lists_newest_first_and_paginates(client, news_index_en):
    add_news(news_index_en, 12)
    first = client.get(news_index_en.url).content.decode()
    second = client.get(news_index_en.url + "?page=2").content.decode()

    assert len(card_titles(first)) == NEWS_PER_PAGE
    demo_news = NewsPage.objects.live().filter(locale=news_index_en.locale).count()
    assert f"{demo_news} news items" in first
    assert len(card_titles(second)) == demo_news - NEWS_PER_PAGE
    dates = [
        NewsPage.objects.get(title=title, locale=news_index_en.locale).date for title in card_titles(first)
    ]
    assert dates == sorted(dates, reverse=True)
    assert 'rel="next"' in first


@pytest.mark.parametrize("page_number", ["abc", "999", "-1"])
def test_a_bad_page_number_still_shows_news(client, news_index_en, page_number):
    response = client.get(f"{news_index_en.url}?page={page_number}")
    assert response.status_code == 200
    assert card_titles(response.content.decode())


def test_tag_filter(client, news_index_en):
    html = client.get(news_index_en.url + "?tag=green-mobility").content.decode()
    assert sorted(card_titles(html)) == [
        "International project takes on green mobility and the environment",
        "New bicycle shelters for schools",
    ]
    assert "Clear filters" in html


def test_year_filter_and_its_empty_state(client, news_index_en):
    html = client.get(news_index_en.url + "?year=2020").content.decode()
    assert card_titles(html) == ["International project takes on green mobility and the environment"]
    empty = client.get(news_index_en.url + "?year=1999").content.decode()
    assert card_titles(empty) == []
    assert "No news matches these filters." in empty


def test_filters_are_kept_across_pages(client, news_index_en):
    add_news(news_index_en, 15)  # all dated 2024
    html = client.get(news_index_en.url + "?year=2024").content.decode()
    assert 'href="?year=2024&amp;page=2"' in html


def test_rss_feed_lists_the_news_of_its_language(client, news_index_lv, news_index_en):
    rss = client.get(news_index_lv.url + "feed/rss/")
    assert rss.status_code == 200
    assert rss["Content-Type"].startswith("application/rss+xml")
    channel = ElementTree.fromstring(rss.content).find("channel")
    assert channel.findtext("language") == "lv"
    titles = [item.findtext("title") for item in channel.findall("item")]
    assert "Pie skolām uzstādīs jaunas velonovietnes" in titles
    assert "New bicycle shelters for schools" not in titles
    links = [item.findtext("link") for item in channel.findall("item")]
    assert all(link.startswith("http://testserver/jaunumi/") for link in links)


def test_atom_feed(client, news_index_en):
    atom = client.get(news_index_en.url + "feed/atom/")
    assert atom["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(atom.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == NewsPage.objects.live().filter(locale=news_index_en.locale).count()
    first = entries[0]
    assert first.find(f"{ATOM}link").get("href").startswith("http://testserver/en/news/")
    assert first.find(f"{ATOM}author/{ATOM}name").text


def test_print_view_has_the_article_without_site_chrome(client):
    page = NewsPage.objects.get(slug="international-project-green-mobility")
    article = client.get(page.url).content.decode()
    assert f'href="{page.url}print/"' in article, "the Print button"
    assert 'media="print"' in article, "the print stylesheet"

    printed = client.get(page.url + "print/")
    assert printed.status_code == 200
    html = printed.content.decode()
    assert '<html lang="en">' in html
    assert page.title in html
    assert "Milan, Sofia, Vratsa" in html
    assert "main-menu" not in html
    assert "data-print-now" in html
    assert f"http://testserver{page.url}" in html, "the printout says where it came from"


def count_queries(client, url):
    client.get(url)  # warm caches that are per process (content types, site root paths)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url_of", [lambda index: "/en/", lambda index: index.url], ids=["home", "news-index"]
)
def test_query_count_does_not_grow_with_the_number_of_news(client, news_index_en, url_of):
    add_news(news_index_en, 10 - NewsPage.objects.filter(locale=news_index_en.locale).count())
    with_10 = count_queries(client, url_of(news_index_en))
    add_news(news_index_en, 190)
    assert NewsPage.objects.filter(locale=news_index_en.locale).count() == 200
    with_200 = count_queries(client, url_of(news_index_en))
    assert with_10 == with_200, f"{with_10} queries with 10 news items, {with_200} with 200"
