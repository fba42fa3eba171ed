"""A finding aid as a PDF for the reading room: the fonds's description, then its arrangement,
each component indented by its depth, with what the reader may see of it.

fpdf2 with DejaVu Sans (Debian's fonts-dejavu-core), embedded and subset, so Vietnamese prints and
survives text extraction. Labels are in the reader's language (Flask-Babel, in the request).
"""
from __future__ import annotations

from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from portal.export.citation import clean_text, date_span, holding_archive_name, iso_date
from portal.export.finding_aid import Component, FindingAid
from portal.formatting import number

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
_INDENT_MM = 6
_MAX_INDENT_LEVELS = 5


class _FindingAidPDF(FPDF):
    running_title = ""

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(90, 100, 117)
        self.cell(0, 6, f"{self.running_title} · {self.page_no()}/{{nb}}", align="C")


def _dates(record: dict) -> str | None:
    span = date_span(record.get("date_start"), record.get("date_end"))
    if not span:
        return None
    return iso_date(span.start) + (f" – {iso_date(span.end)}" if span.end else "")


def _line(pdf: FPDF, text: str, size: float, style: str = "", grey: bool = False, height: float = 5.2) -> None:
    pdf.set_font("DejaVu", style, size)
    pdf.set_text_color(*((90, 100, 117) if grey else (29, 36, 48)))
    # Left-aligned: justified lines are written word by word, which some extractors join badly.
    pdf.multi_cell(0, height, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _component(pdf: FPDF, component: Component, depth: int) -> None:
    record = component.record
    pdf.set_left_margin(18 + _INDENT_MM * min(depth, _MAX_INDENT_LEVELS))
    pdf.set_x(pdf.l_margin)
    heading = " — ".join(part for part in (clean_text(record.get("reference_code")), clean_text(record.get("title")))
                         if part)
    _line(pdf, heading or record["id"], 10.5 if depth else 14, "B", height=5.6 if depth else 7)
    facts = [record.get("level_label"), _dates(record), clean_text(record.get("doc_type")),
             clean_text(record.get("doc_number")), record.get("access_label")]
    _line(pdf, " · ".join(str(fact) for fact in facts if fact), 8.5, grey=True)
    if depth == 0:
        for label, value in ((_("Holding archive"), holding_archive_name(record.get("holding_province"))),
                             (_("Creator / issuing body"), clean_text(record.get("creator"))),
                             (_("Extent"), clean_text(record.get("extent"))),
                             (_("Administrative history"), clean_text(record.get("admin_history")))):
            if value:
                _line(pdf, f"{label}: {value}", 9.5)
    if description := clean_text(record.get("description")):
        _line(pdf, description, 9)
    if record.get("access") == "restricted" and not component.content_visible:
        _line(pdf, _("The content and files of this record are open only with the holding archive's permission."),
              8.5, "", grey=True)
    elif names := [clean_text(entry.get("name")) for entry in component.files if entry.get("name")]:
        _line(pdf, f"{_('Files')}: {', '.join(names)}", 8.5, grey=True)
    pdf.ln(1.5)


def render_finding_aid_pdf(finding_aid: FindingAid) -> bytes:
    fonds = finding_aid.fonds.record
    pdf = _FindingAidPDF(format="A4")
    pdf.running_title = clean_text(fonds.get("title")) or fonds["id"]
    pdf.set_title(pdf.running_title)
    pdf.set_author(holding_archive_name(fonds.get("holding_province")) or "")
    pdf.set_creator("Cổng thông tin lưu trữ")
    pdf.set_creation_date(finding_aid.generated_at)
    pdf.set_lang("vi")
    pdf.add_font("DejaVu", "", f"{FONT_DIR}/DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", f"{FONT_DIR}/DejaVuSans-Bold.ttf")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    _line(pdf, _("Finding aid"), 9, grey=True)
    for component, depth in finding_aid.walk():
        _component(pdf, component, depth)
        if depth == 0:
            pdf.set_left_margin(18)
            _line(pdf, _("%(num)s records described, as of %(when)s; only what you may see is listed.",
                         num=number(finding_aid.count),
                         when=finding_aid.generated_at.strftime("%Y-%m-%d %H:%M UTC")), 8.5, grey=True)
            pdf.ln(3)
    return bytes(pdf.output())
