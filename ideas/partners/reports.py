"""Corporate social responsibility (CSR) reports: what organisations pledged to residents' ideas, per
organisation, per round and per year; as a page, a CSV file and a PDF file.

Wired from the routes of PartnersPage (ideas/models/partners_page.py): `organisation_report` (`<slug>/report/`,
`<slug>/report.csv|pdf`), `round_report` (`rounds/<id>/report/`, `rounds/<id>/report.csv|pdf`) and
`yearly_summary` (`csr/`, `csr/<year>/`). Templates: templates/ideas/partners/reports/; styles:
site/static/css/csr.css.

The numbers come from plain functions (`organisation_report_data`, `round_report_data`, `yearly_summary_data`)
that read every pledge of the report in one query and add them up in Python, so the page, the CSV and the PDF
show the same totals, and those totals are the sum of the rows shown. The rules:

- "pledged" counts confirmed and fulfilled pledges (Pledge.COUNTED); "delivered" the fulfilled ones among them;
- offered, withdrawn and declined pledges are never in a total; the organisation's own report lists them apart,
  marked "not counted";
- a pledge belongs to the year in which its round's voting starts (local time, Europe/Riga);
- only pledges on public ideas are reported (a pledge can only be made on a public idea; this keeps it so).
"""

import csv
import io
import os
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from home.exports import neutralise
from ideas.models import BudgetRound, BudgetRoundPage, Category, Organisation, Pledge
from ideas.models.rounds import localized_names
from ideas.statuses import PUBLIC, Status
from ideas.text import formats

FORMATS = ("csv", "pdf")
# Funded ideas: selected in the count, and the steps after it.
FUNDED = frozenset({Status.SELECTED, Status.IN_IMPLEMENTATION, Status.COMPLETED})
# Years a URL may ask for; others are no year of this site (and Django's year lookups fail beyond 9999).
FIRST_YEAR, LAST_YEAR = 1990, 2200


# The numbers ------------------------------------------------------------------------------------------------


@dataclass
class Amounts:
    """Money, in-kind value (both EUR) and volunteer hours of some pledges, and the ideas they back."""

    money: Decimal = Decimal(0)
    in_kind: Decimal = Decimal(0)
    hours: int = 0
    pledges: int = 0
    idea_ids: set = field(default_factory=set)

    def add(self, row):
        self.money += row.money
        self.in_kind += row.in_kind
        self.hours += row.hours
        self.pledges += 1
        self.idea_ids.add(row.idea.pk)

    @property
    def value(self):
        """Money and in-kind value together (EUR), the length of the summary's bars."""
        return self.money + self.in_kind

    @property
    def ideas(self):
        return len(self.idea_ids)


@dataclass
class Totals:
    """What counts publicly: `pledged` (confirmed and fulfilled), `delivered` (fulfilled)."""

    pledged: Amounts = field(default_factory=Amounts)
    delivered: Amounts = field(default_factory=Amounts)
    organisation_ids: set = field(default_factory=set)

    def add(self, row):
        """Add a row if it counts; rows that do not count (offered, withdrawn, declined) are ignored."""
        if not row.counted:
            return
        self.pledged.add(row)
        self.organisation_ids.add(row.organisation.pk)
        if row.delivered:
            self.delivered.add(row)

    @property
    def organisations(self):
        return len(self.organisation_ids)


@dataclass
class PledgeRow:
    """One pledge as the reports show it; `money`, `in_kind` and `hours` are zero where the kind has none."""

    pledge: Pledge
    organisation: Organisation
    idea: object
    round_id: int
    round_title: str
    year: int
    idea_url: str
    category_key: object
    kind_label: str
    state_label: str
    money: Decimal
    in_kind: Decimal
    hours: int
    counted: bool
    delivered: bool


@dataclass
class Group:
    """Rows of one round, one organisation or one category, with their totals."""

    key: object
    title: str
    rows: list = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)
    organisation: Organisation | None = None
    round_id: int | None = None
    year: int | None = None

    def add(self, row):
        self.rows.append(row)
        self.totals.add(row)


def year_of(budget_round):
    """The CSR year of a round: the year its voting starts, in the municipality's time zone."""
    return timezone.localtime(budget_round.voting_starts).year


def _round_pages(round_ids, request=None):
    """{round id: (title, page URL)} in the active language (else the default language's page), in one query."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    chosen = {}
    pages = BudgetRoundPage.objects.live().filter(budget_round_id__in=round_ids).select_related("locale")
    for page in pages.order_by("pk"):
        current = chosen.get(page.budget_round_id)
        if current is None or (
            page.locale.language_code == language.split("-")[0]
            and current.locale.language_code != page.locale.language_code
        ):
            chosen[page.budget_round_id] = page
    return {round_id: (page.title, page.get_url(request) or "", page) for round_id, page in chosen.items()}


def _reported_pledges():
    """The pledges a public report may show, with everything a row needs in the same query."""
    return Pledge.objects.filter(idea__status__in=PUBLIC).select_related(
        "organisation", "idea", "idea__round", "idea__category"
    )


def pledge_rows(pledges, request=None):
    """The pledges (a queryset) as PledgeRow objects: one query for the pledges, one for the round pages."""
    pledges = list(pledges)
    pages = _round_pages({pledge.idea.round_id for pledge in pledges}, request)
    rows = []
    for pledge in pledges:
        idea, budget_round = pledge.idea, pledge.idea.round
        title, base_url, page = pages.get(budget_round.pk, (budget_round.name, "", None))
        idea_url = base_url + page.reverse_subpage("idea", args=[idea.pk]) if page and base_url else ""
        kind = Pledge.Kind(pledge.kind)
        rows.append(
            PledgeRow(
                pledge=pledge,
                organisation=pledge.organisation,
                idea=idea,
                round_id=budget_round.pk,
                round_title=title,
                year=year_of(budget_round),
                idea_url=idea_url,
                category_key=idea.category.translation_key if idea.category_id else None,
                kind_label=str(kind.label),
                state_label=str(Pledge.State(pledge.state).label),
                money=pledge.amount if kind == Pledge.Kind.MONEY else Decimal(0),
                in_kind=pledge.amount if kind == Pledge.Kind.IN_KIND else Decimal(0),
                hours=pledge.hours if kind == Pledge.Kind.VOLUNTEERING else 0,
                counted=pledge.state in Pledge.COUNTED,
                delivered=pledge.state == Pledge.State.FULFILLED,
            )
        )
    return rows


def _by_idea(rows):
    return sorted(rows, key=lambda row: (row.idea.title.casefold(), row.idea.pk, row.pledge.pk))


def _newest_round_first(rows):
    return sorted(
        rows,
        key=lambda row: (-row.idea.round.voting_starts.timestamp(), row.round_id, row.idea.title.casefold()),
    )


def organisation_report_data(organisation, request=None):
    """One organisation's report: `rounds` (a Group per round, newest first, counted pledges only), `totals`
    and `not_counted` (its offered, withdrawn and declined pledges, apart from every total)."""
    rows = pledge_rows(_reported_pledges().filter(organisation=organisation), request)
    rounds = {}
    for row in _newest_round_first(row for row in rows if row.counted):
        group = rounds.setdefault(
            row.round_id, Group(key=row.round_id, title=row.round_title, round_id=row.round_id, year=row.year)
        )
        group.add(row)
    totals = Totals()
    for group in rounds.values():
        group.rows = _by_idea(group.rows)
        for row in group.rows:
            totals.add(row)
    return {
        "organisation": organisation,
        "rounds": list(rounds.values()),
        "totals": totals,
        "not_counted": _newest_round_first(row for row in rows if not row.counted),
    }


def round_report_data(budget_round, request=None):
    """One round's report: `organisations` (a Group per organisation with its counted pledges, by name),
    `totals`, the round's `round_title` in the active language and its CSR `year`."""
    rows = pledge_rows(
        _reported_pledges().filter(idea__round=budget_round, state__in=Pledge.COUNTED), request
    )
    organisations = {}
    for row in sorted(rows, key=lambda row: (row.organisation.name.casefold(), row.organisation.pk)):
        group = organisations.setdefault(
            row.organisation.pk,
            Group(key=row.organisation.pk, title=row.organisation.name, organisation=row.organisation),
        )
        group.add(row)
    totals = Totals()
    for group in organisations.values():
        group.rows = _by_idea(group.rows)
        for row in group.rows:
            totals.add(row)
    title = _round_pages([budget_round.pk], request).get(budget_round.pk, (budget_round.name,))[0]
    return {
        "budget_round": budget_round,
        "round_title": title,
        "year": year_of(budget_round),
        "organisations": list(organisations.values()),
        "totals": totals,
    }


def pledge_years():
    """The years (newest first) in which some round has counted pledges on public ideas."""
    starts = (
        BudgetRound.objects.filter(ideas__status__in=PUBLIC, ideas__pledges__state__in=Pledge.COUNTED)
        .values_list("voting_starts", flat=True)
        .distinct()
    )
    return sorted({timezone.localtime(start).year for start in starts}, reverse=True)


def _by_value(groups):
    return sorted(
        groups,
        key=lambda group: (-group.totals.pledged.value, -group.totals.pledged.hours, group.title.casefold()),
    )


def yearly_summary_data(year, request=None):
    """The municipality's CSR summary of `year`: `totals`, `funded` and `completed` (ideas backed that were
    funded / are completed), `organisations` and `categories` (Groups, largest value first) and `rounds`
    (Groups of the year's rounds)."""
    rows = pledge_rows(
        _reported_pledges().filter(state__in=Pledge.COUNTED, idea__round__voting_starts__year=year), request
    )
    # The database's year lookup and the Python year agree in the current time zone; this keeps it certain.
    rows = [row for row in rows if row.year == year]
    category_names = localized_names(Category) if rows else {}
    totals = Totals()
    organisations, categories, rounds = {}, {}, {}
    for row in _by_idea(rows):
        totals.add(row)
        organisations.setdefault(
            row.organisation.pk,
            Group(key=row.organisation.pk, title=row.organisation.name, organisation=row.organisation),
        ).add(row)
        categories.setdefault(
            row.category_key,
            Group(key=row.category_key, title=category_names.get(row.category_key) or _("No category")),
        ).add(row)
        rounds.setdefault(
            row.round_id, Group(key=row.round_id, title=row.round_title, round_id=row.round_id, year=row.year)
        ).add(row)
    ideas = {row.idea.pk: row.idea for row in rows}
    return {
        "year": year,
        "totals": totals,
        "funded": sum(1 for idea in ideas.values() if idea.status in FUNDED),
        "completed": sum(1 for idea in ideas.values() if idea.status == Status.COMPLETED),
        "organisations": _by_value(organisations.values()),
        "categories": _by_value(categories.values()),
        "rounds": sorted(rounds.values(), key=lambda group: group.title.casefold()),
    }


# Views ------------------------------------------------------------------------------------------------------


def _language():
    return translation.get_language() or settings.LANGUAGE_CODE


def _check_format(fmt):
    if fmt is not None and fmt not in FORMATS:
        raise Http404(_("Reports can be downloaded as CSV or PDF."))


def _file_urls(page, request, route, *args):
    """The CSV and PDF addresses of a report (routes `partner_report_file` / `round_report_file`)."""
    base = page.get_url(request)
    return {f"{fmt}_url": base + page.reverse_subpage(route, args=[*args, fmt]) for fmt in FORMATS}


def organisation_report(request, page, slug, fmt):
    """`<slug>/report/` and `<slug>/report.csv|pdf` of the partners page: a verified organisation's pledges
    by round, with totals. Organisations that are not verified have no public report (404)."""
    _check_format(fmt)
    organisation = Organisation.objects.filter(slug=slug, state=Organisation.State.VERIFIED).first()
    if organisation is None:
        raise Http404(_("There is no verified partner at this address."))
    data = organisation_report_data(organisation, request)
    title = _("CSR report: %(organisation)s") % {"organisation": organisation.name}
    if fmt == "csv":
        return _csv_response(organisation_csv_rows(data), f"csr-{organisation.slug}.csv")
    if fmt == "pdf":
        source = _pdf_source(request)
        return _pdf_response(lambda: organisation_pdf(data, title, source), f"csr-{organisation.slug}.pdf")
    return TemplateResponse(
        request,
        "ideas/partners/reports/organisation.html",
        {
            "page": page,
            "title": title,
            "breadcrumb_current": title,
            **data,
            "totals_rows": [(organisation.name, data["totals"])],
            **_file_urls(page, request, "partner_report_file", organisation.slug),
        },
    )


def round_report(request, page, round_id, fmt):
    """`rounds/<id>/report/` and `rounds/<id>/report.csv|pdf`: every organisation's counted pledges in one
    round, with totals per organisation and overall. 404 for a round that does not exist."""
    _check_format(fmt)
    budget_round = BudgetRound.objects.filter(pk=round_id).first()
    if budget_round is None:
        raise Http404(_("There is no such budget round."))
    data = round_report_data(budget_round, request)
    title = _("CSR report: %(round)s") % {"round": data["round_title"]}
    if fmt == "csv":
        return _csv_response(round_csv_rows(data), f"csr-round-{budget_round.pk}.csv")
    if fmt == "pdf":
        source = _pdf_source(request)
        return _pdf_response(lambda: round_pdf(data, title, source), f"csr-round-{budget_round.pk}.pdf")
    return TemplateResponse(
        request,
        "ideas/partners/reports/round.html",
        {
            "page": page,
            "title": title,
            "breadcrumb_current": title,
            **data,
            "totals_rows": [(group.title, group.totals) for group in data["organisations"]]
            + [(_("All organisations"), data["totals"])],
            **_file_urls(page, request, "round_report_file", budget_round.pk),
        },
    )


def _chart(key, heading, caption, name_heading, groups):
    """One chart of the yearly summary: its groups and the longest bars (value in EUR, hours)."""
    return {
        "key": key,
        "heading": heading,
        "caption": caption,
        "name_heading": name_heading,
        "groups": groups,
        "max_value": max((group.totals.pledged.value for group in groups), default=Decimal(0)),
        "max_hours": max((group.totals.pledged.hours for group in groups), default=0),
    }


def yearly_summary(request, page, year):
    """`csr/` and `csr/<year>/`: the municipality's CSR summary of a year, charts and the same numbers in
    tables. Without a year: the latest year with pledges, or this year with nothing to show yet. A year
    without pledges other than the current one is 404."""
    years = pledge_years()
    this_year = timezone.localdate().year
    if year is None:
        year = years[0] if years else this_year
    elif not (FIRST_YEAR <= year <= LAST_YEAR) or (year not in years and year != this_year):
        raise Http404(_("There is no CSR summary for this year."))
    data = yearly_summary_data(year, request)
    title = _("Corporate social responsibility in %(year)s") % {"year": year}
    base = page.get_url(request)
    totals = data["totals"]
    return TemplateResponse(
        request,
        "ideas/partners/reports/summary.html",
        {
            "page": page,
            "title": title,
            "breadcrumb_current": title,
            **data,
            "totals_rows": [(_("Pledged"), totals.pledged), (_("Delivered"), totals.delivered)],
            "charts": [
                _chart(
                    "organisations",
                    _("By organisation"),
                    _("Pledged by each organisation in %(year)s") % {"year": year},
                    _("Organisation"),
                    data["organisations"],
                ),
                _chart(
                    "categories",
                    _("By category of idea"),
                    _("Pledged to each category of idea in %(year)s") % {"year": year},
                    _("Category"),
                    data["categories"],
                ),
            ],
            "year_links": [
                {
                    "year": shown,
                    "current": shown == year,
                    "url": base + page.reverse_subpage("csr_summary_year", args=[shown]),
                }
                for shown in sorted(set(years) | {year}, reverse=True)
            ],
        },
    )


# CSV --------------------------------------------------------------------------------------------------------


def _csv_amount(value):
    """An amount for a spreadsheet: no thousands separator (it would make the cell text), two decimals, the
    decimal sign of the language (Latvian Excel reads "1500,50", English "1500.50")."""
    text = f"{Decimal(value):.2f}"
    return text.replace(".", ",") if formats.is_latvian(_language()) else text


def _csv_delimiter():
    """Latvian spreadsheets separate list items with ";" (the comma is their decimal sign); English with ","."""
    return ";" if formats.is_latvian(_language()) else ","


def _pledge_header():
    return [
        _("Organisation"),
        _("Round"),
        _("Year"),
        _("Idea"),
        _("Kind"),
        _("Money (EUR)"),
        _("In-kind value (EUR)"),
        _("Volunteer hours"),
        _("State"),
        _("Counted in the totals"),
    ]


def _pledge_line(row):
    return [
        row.organisation.name,
        row.round_title,
        row.year,
        row.idea.title,
        row.kind_label,
        _csv_amount(row.money),
        _csv_amount(row.in_kind),
        row.hours,
        row.state_label,
        _("yes") if row.counted else _("no"),
    ]


def _totals_header():
    return [
        _("Totals"),
        _("Organisation"),
        _("Ideas backed"),
        _("Money (EUR)"),
        _("In-kind value (EUR)"),
        _("Volunteer hours"),
    ]


def _totals_lines(totals, name):
    return [
        [
            label,
            name,
            amounts.ideas,
            _csv_amount(amounts.money),
            _csv_amount(amounts.in_kind),
            amounts.hours,
        ]
        for label, amounts in (
            (_("Pledged (confirmed and fulfilled)"), totals.pledged),
            (_("Delivered (fulfilled)"), totals.delivered),
        )
    ]


def organisation_csv_rows(data):
    """The organisation report as CSV rows: its counted pledges, then those not counted, then the totals."""
    rows = [_pledge_header()]
    rows += [_pledge_line(row) for group in data["rounds"] for row in group.rows]
    rows += [_pledge_line(row) for row in data["not_counted"]]
    rows += [[], _totals_header(), *_totals_lines(data["totals"], data["organisation"].name)]
    return rows


def round_csv_rows(data):
    """The round report as CSV rows: every counted pledge, then totals per organisation and overall."""
    rows = [_pledge_header()]
    rows += [_pledge_line(row) for group in data["organisations"] for row in group.rows]
    rows += [[], _totals_header()]
    for group in data["organisations"]:
        rows += _totals_lines(group.totals, group.title)
    rows += _totals_lines(data["totals"], _("All organisations"))
    return rows


def _csv_response(rows, filename):
    """A CSV download: UTF-8 with a byte order mark (so Excel reads Latvian letters), every cell through
    home/exports.neutralise (an organisation or idea named "=HYPERLINK(…)" stays text)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=_csv_delimiter(), lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


# PDF --------------------------------------------------------------------------------------------------------

# A4 portrait: 210 mm less 10 mm margins. Pledge tables: idea, kind, money, in kind, hours, state.
PLEDGE_WIDTHS = (60, 26, 26, 26, 18, 34)
TOTALS_WIDTHS = (56, 22, 30, 30, 22, 30)
NUMBERS = ("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT")
TOTAL_NUMBERS = ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")


def _pdf_source(request):
    """Where the report lives, printed under the title (the address without the .pdf)."""
    path = request.path.rsplit(".", 1)[0] + "/" if request.path.endswith(".pdf") else request.path
    return request.build_absolute_uri(path)


class _Document:
    """A report PDF: fpdf2 with the Unicode font of settings.PDF_FONT (as ideas/voting/code_sheets.py), so that
    Latvian letters print; title, headings and tables."""

    def __init__(self, title, source):
        from fpdf import FPDF

        from ideas.voting.code_sheets import FontMissing

        self.language = _language()
        font = settings.PDF_FONT
        self.pdf = FPDF(format="A4", unit="mm")
        try:
            self.pdf.add_font("Sans", "", font)
            bold = font[: -len(".ttf")] + "-Bold.ttf" if font.lower().endswith(".ttf") else ""
            # Headings in bold when the font has a bold face beside it (DejaVuSans-Bold.ttf), else the same face.
            self.pdf.add_font("Sans", "B", bold if bold and os.path.exists(bold) else font)
        except FileNotFoundError as error:
            raise FontMissing(
                _("The font for PDF files is missing (%(path)s): install fonts-dejavu-core or set PDF_FONT.")
                % {"path": font}
            ) from error
        self.pdf.set_margins(10, 10, 10)
        self.pdf.set_auto_page_break(True, margin=12)
        self.pdf.set_title(title)
        self.pdf.set_lang(self.language)
        self.pdf.set_creator("Kopā")
        self.pdf.add_page()
        self.pdf.set_font("Sans", "B", 16)
        self.pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_font("Sans", "", 9)
        generated = _("Made on %(date)s from %(address)s") % {
            "date": formats.day(timezone.localdate(), self.language),
            "address": source,
        }
        self.pdf.multi_cell(0, 5, generated, new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(2)

    def money(self, value):
        return formats.money(value, self.language)

    def number(self, value):
        return formats.number(value, self.language)

    def heading(self, text):
        self.pdf.ln(3)
        self.pdf.set_font("Sans", "B", 12)
        self.pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_font("Sans", "", 9)

    def paragraph(self, text):
        self.pdf.set_font("Sans", "", 9)
        self.pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")

    def table(self, header, lines, widths, align, emphasised=()):
        """A table with a heading row (repeated on each page); rows whose index is in `emphasised` are bold."""
        from fpdf.fonts import FontFace

        bold = FontFace(emphasis="BOLD")
        self.pdf.set_font("Sans", "", 9)
        with self.pdf.table(
            col_widths=widths, text_align=align, line_height=5, first_row_as_headings=True, width=sum(widths)
        ) as table:
            row = table.row()
            for text in header:
                row.cell(text)
            for index, line in enumerate(lines):
                row = table.row()
                for text in line:
                    row.cell(str(text), style=bold if index in emphasised else None)
        self.pdf.ln(2)

    def pledge_table(self, rows, subtotal_label=None, subtotal=None):
        header = [_("Idea"), _("Kind"), _("Money"), _("In kind"), _("Hours"), _("State")]
        lines = [
            [
                row.idea.title,
                row.kind_label,
                self.money(row.money),
                self.money(row.in_kind),
                self.number(row.hours),
                row.state_label,
            ]
            for row in rows
        ]
        emphasised = ()
        if subtotal is not None:
            amounts = subtotal.pledged
            lines.append(
                [
                    subtotal_label,
                    "",
                    self.money(amounts.money),
                    self.money(amounts.in_kind),
                    self.number(amounts.hours),
                    "",
                ]
            )
            emphasised = (len(lines) - 1,)
        self.table(header, lines, PLEDGE_WIDTHS, NUMBERS, emphasised)

    def totals_table(self, named_totals):
        """Pledged and delivered totals, for each (name, Totals) pair."""
        header = [
            _("Totals"),
            _("Ideas backed"),
            _("Money"),
            _("In kind"),
            _("Hours"),
            _("Money and in kind"),
        ]
        lines = []
        for name, totals in named_totals:
            for label, amounts in ((_("pledged"), totals.pledged), (_("delivered"), totals.delivered)):
                lines.append(
                    [
                        f"{name}: {label}",
                        self.number(amounts.ideas),
                        self.money(amounts.money),
                        self.money(amounts.in_kind),
                        self.number(amounts.hours),
                        self.money(amounts.value),
                    ]
                )
        self.table(header, lines, TOTALS_WIDTHS, TOTAL_NUMBERS, emphasised=(len(lines) - 2, len(lines) - 1))

    def output(self):
        return bytes(self.pdf.output())


def _counting_rule_text():
    return _(
        "Pledged: confirmed and fulfilled pledges. Delivered: fulfilled pledges. Offered, withdrawn and declined "
        "pledges are not counted."
    )


def organisation_pdf(data, title, source):
    """The organisation report as PDF bytes."""
    document = _Document(title, source)
    document.paragraph(_counting_rule_text())
    if not data["rounds"]:
        document.paragraph(_("No confirmed pledges yet."))
    for group in data["rounds"]:
        document.heading(f"{group.title} ({group.year})")
        document.pledge_table(group.rows, _("Round total"), group.totals)
    document.heading(_("Totals"))
    document.totals_table([(data["organisation"].name, data["totals"])])
    if data["not_counted"]:
        document.heading(_("Not counted in the totals"))
        document.pledge_table(data["not_counted"])
    return document.output()


def round_pdf(data, title, source):
    """The round report as PDF bytes."""
    document = _Document(title, source)
    document.paragraph(_("CSR year: %(year)s (the year the round's voting starts).") % {"year": data["year"]})
    document.paragraph(_counting_rule_text())
    if not data["organisations"]:
        document.paragraph(_("No confirmed pledges in this round yet."))
    for group in data["organisations"]:
        document.heading(group.title)
        document.pledge_table(
            group.rows, _("Total of %(organisation)s") % {"organisation": group.title}, group.totals
        )
    document.heading(_("Totals"))
    document.totals_table(
        [(group.title, group.totals) for group in data["organisations"]]
        + [(_("All organisations"), data["totals"])]
    )
    return document.output()


def _pdf_response(make_pdf, filename):
    """The PDF download (`make_pdf()` gives its bytes); without the font the answer says what is missing
    (503), never a server error."""
    from ideas.voting.code_sheets import FontMissing

    try:
        pdf = make_pdf()
    except FontMissing as missing:
        return HttpResponse(str(missing), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
