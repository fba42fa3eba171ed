"""The bytes of a demo record's file: a real PDF (fpdf2) or DOCX (python-docx) whose text a parser can extract.

The PDF embeds DejaVu Sans so the Vietnamese text survives extraction (Tika, pdftotext); both formats carry fixed
dates, so the same record renders to the same bytes on every run and checksums stay stable across harvests.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from docx import Document
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from demo.models import DOCX_MEDIA_TYPE, PDF_MEDIA_TYPE, Archive, DemoFile, DemoRecord

FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
# Every rendered file claims this creation time; the wall clock would make the bytes differ run to run.
RENDERED_AT = datetime(2024, 1, 1, tzinfo=timezone.utc)
# The recipients and the signature block start a page of their own in a PDF, as a signed page often does:
# the demo's PDFs have two pages, so the record viewer has a page 2 to open at (the signer's name is there).
SIGNATURE_PAGE_STARTS = "Nơi nhận:"
_ZIP_TIMESTAMP = (2024, 1, 1, 0, 0, 0)


class UnsupportedMediaType(ValueError):
    """A DemoFile whose media type is neither PDF nor DOCX."""


def render_file(record: DemoRecord, demo_file: DemoFile) -> bytes:
    """The file's bytes: the record's title as a heading, then the file's content_text line by line; a scan is
    the content_text's pages as images, stamped with the creator's seal."""
    if demo_file.scan:
        from demo.scans import render_scan  # Pillow's imaging is loaded only for scans

        return render_scan(demo_file.name, demo_file.media_type, demo_file.content_text, demo_file.scan,
                           record.creator)
    return render_document(demo_file.media_type, record.title, demo_file.content_text, record.creator)


def scanned_files(archives: dict[str, Archive]) -> list[tuple[DemoRecord, DemoFile]]:
    """The archives' scans, with their records, in catalogue order."""
    return [(record, demo_file) for archive in archives.values() for record in archive.records
            for demo_file in record.files if demo_file.scan]


def write_scans(archives: dict[str, Archive], directory: Path) -> list[Path]:
    """Each scan as the archive serves it and its true text beside it (`<name>.truth.txt`, never served)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for record, demo_file in scanned_files(archives):
        scan = directory / demo_file.name
        scan.write_bytes(render_file(record, demo_file))
        truth = directory / f"{demo_file.name}.truth.txt"
        truth.write_text(demo_file.content_text + "\n", encoding="utf-8")
        written += [scan, truth]
    return written


@lru_cache(maxsize=512)
def render_document(media_type: str, title: str, text: str, author: str) -> bytes:
    """Rendered once per process and content: a PDF takes about a tenth of a second to build."""
    if media_type == PDF_MEDIA_TYPE:
        return render_pdf(title, text, author)
    if media_type == DOCX_MEDIA_TYPE:
        return render_docx(title, text, author)
    raise UnsupportedMediaType(media_type)


def render_pdf(title: str, text: str, author: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(RENDERED_AT)
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_producer("demo archives (fpdf2)")
    # One face only: loading and subsetting a TrueType font is most of the rendering time.
    pdf.add_font("DejaVu", "", FONT_PATH)
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font("DejaVu", "", 14)
    pdf.multi_cell(0, 7, title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 11)
    for line in text.splitlines():
        if line == SIGNATURE_PAGE_STARTS:
            pdf.add_page()
        # Left-aligned: justified lines are written word by word, which some extractors join badly.
        pdf.multi_cell(0, 6, line, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def render_docx(title: str, text: str, author: str) -> bytes:
    document = Document()
    properties = document.core_properties
    properties.title = title
    properties.author = author
    properties.last_modified_by = author
    properties.created = RENDERED_AT.replace(tzinfo=None)
    properties.modified = RENDERED_AT.replace(tzinfo=None)
    properties.last_printed = RENDERED_AT.replace(tzinfo=None)
    properties.revision = 1
    properties.language = "vi-VN"
    document.add_heading(title, level=1)
    for line in text.splitlines():
        document.add_paragraph(line)
    saved = io.BytesIO()
    document.save(saved)
    return _with_fixed_zip_timestamps(saved.getvalue())


def _with_fixed_zip_timestamps(package: bytes) -> bytes:
    """The same zip with every member stamped RENDERED_AT: python-docx stamps members with the current time."""
    rewritten = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, \
            zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            fixed = zipfile.ZipInfo(member.filename, date_time=_ZIP_TIMESTAMP)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = member.external_attr
            target.writestr(fixed, source.read(member.filename))
    return rewritten.getvalue()
