"""Printable sheets of one-time voting codes (PDF), made once, when staff create a batch on the voting desk
(ideas/moderation/voting.py): the codes exist in plain text only on this paper, never in the database.

Each A4 page holds ten cut-out cards with the round, the code, the address to vote at and short instructions in
Latvian and English. Latvian letters need a Unicode TrueType font: settings.PDF_FONT (Debian's DejaVu Sans by
default, package fonts-dejavu-core).
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF

CARDS_ACROSS, CARDS_DOWN = 2, 5
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 210, 297, 10  # A4 in millimetres


class FontMissing(RuntimeError):
    """The PDF font is not installed; the message says what to install or set."""


def _instructions(language, url):
    with translation.override(language):
        return _("Vote at %(url)s with this code. It works once; keep it private.") % {"url": url}


def codes_pdf(round_name, batch, codes, vote_url):
    """The PDF bytes of a batch's cards."""
    font = settings.PDF_FONT
    pdf = FPDF(format="A4", unit="mm")
    try:
        pdf.add_font("Sans", "", font)
    except FileNotFoundError as error:
        raise FontMissing(
            _("The font for PDF files is missing (%(path)s): install fonts-dejavu-core or set PDF_FONT.")
            % {"path": font}
        ) from error
    pdf.set_auto_page_break(False)
    pdf.set_title(f"{round_name}: {batch}")
    width = (PAGE_WIDTH - 2 * MARGIN) / CARDS_ACROSS
    height = (PAGE_HEIGHT - 2 * MARGIN) / CARDS_DOWN
    per_page = CARDS_ACROSS * CARDS_DOWN
    lines = [_instructions("lv", vote_url), _instructions("en", vote_url)]
    for index, code in enumerate(codes):
        if index % per_page == 0:
            pdf.add_page()
        slot = index % per_page
        x = MARGIN + (slot % CARDS_ACROSS) * width
        y = MARGIN + (slot // CARDS_ACROSS) * height
        pdf.set_draw_color(160, 160, 160)
        pdf.set_line_width(0.2)
        pdf.rect(x, y, width, height)  # the cutting line
        pdf.set_xy(x + 5, y + 5)
        pdf.set_font("Sans", size=10)
        pdf.multi_cell(width - 10, 5, round_name, new_x="LEFT", new_y="NEXT")
        pdf.set_font("Sans", size=20)
        pdf.set_x(x + 5)
        pdf.cell(width - 10, 12, code, align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_font("Sans", size=8)
        for line in lines:
            pdf.set_x(x + 5)
            pdf.multi_cell(width - 10, 4, line, new_x="LEFT", new_y="NEXT")
        pdf.set_xy(x + 5, y + height - 8)
        pdf.cell(width - 10, 4, f"{batch} · {index + 1}/{len(codes)}", align="R")
    return bytes(pdf.output())
