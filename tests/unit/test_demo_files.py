"""The demo's rendered files: real PDF and DOCX whose extractable text holds the record's title and prose.

The PDF is read back with a small reader written here (streams, the ToUnicode map, the text operators), not with
fpdf2, so the check does not trust the library that wrote the file.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
import zlib

import pytest

from demo.catalogue import build_archives
from demo.files import UnsupportedMediaType, render_document, render_file
from demo.models import CONTENT_TOKEN_PREFIX, DOCX_MEDIA_TYPE, PDF_MEDIA_TYPE, DemoFile, content_token

SAMPLES_PER_KIND = 3


@pytest.fixture(scope="module")
def records_with_files():
    return [record for archive in build_archives().values() for record in archive.records if record.files]


def _samples(records, media_type, access):
    return [(record, demo_file) for record in records for demo_file in record.files
            if demo_file.media_type == media_type and record.access == access and not demo_file.scan][:SAMPLES_PER_KIND]


# --- a minimal PDF text reader, enough for what fpdf2 writes ---

_LITERAL_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _pdf_streams(pdf: bytes) -> list[bytes]:
    streams = []
    for match in re.finditer(rb"<<((?:(?!>>\s*stream).)*?)>>\s*stream\r?\n", pdf, re.S):
        dictionary = match.group(1)
        length = int(re.search(rb"/Length (\d+)", dictionary).group(1))
        raw = pdf[match.end():match.end() + length]
        streams.append(zlib.decompress(raw) if b"/FlateDecode" in dictionary else raw)
    return streams


def _unescape_literal(body: bytes) -> bytes:
    out, index = bytearray(), 0
    while index < len(body):
        if body[index:index + 1] != b"\\":
            out += body[index:index + 1]
            index += 1
            continue
        following = body[index + 1:index + 2]
        octal = re.match(rb"[0-7]{1,3}", body[index + 1:index + 4])
        if following in _LITERAL_ESCAPES:
            out += _LITERAL_ESCAPES[following]
            index += 2
        elif octal:
            out.append(int(octal.group(), 8) & 0xFF)
            index += 1 + len(octal.group())
        else:
            out += following
            index += 2
    return bytes(out)


def extract_pdf_text(pdf: bytes) -> str:
    """The text of every BT…ET block, glyph codes mapped to Unicode through the font's ToUnicode CMap."""
    streams = _pdf_streams(pdf)
    to_unicode = {}
    for stream in streams:
        if b"begincmap" in stream:
            for code, target in re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>",
                                           stream.split(b"endcodespacerange", 1)[-1]):
                to_unicode[int(code, 16)] = bytes.fromhex(target.decode()).decode("utf-16-be")
    lines = []
    for stream in streams:
        if b"begincmap" in stream:
            continue
        for block in re.findall(rb"BT(.*?)ET", stream, re.S):
            literals = re.findall(rb"\(((?:\\.|[^\\)])*)\)", block, re.S)
            codes = b"".join(_unescape_literal(literal) for literal in literals)
            lines.append("".join(to_unicode.get(int.from_bytes(codes[i:i + 2], "big"), "\ufffd")
                                 for i in range(0, len(codes), 2)))
    return "\n".join(lines)


def _words(text: str) -> str:
    """Whitespace-normalised text: line wrapping may split a sentence anywhere between words."""
    return " ".join(text.split())


def _docx_text(docx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        document_xml = package.read("word/document.xml").decode("utf-8")
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", document_xml, re.S)
    return "\n".join("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", paragraph)) for paragraph in paragraphs)


def _xml_unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


# --- the tests ---

def test_pdf_is_a_complete_pdf_file(records_with_files):
    record, demo_file = _samples(records_with_files, PDF_MEDIA_TYPE, "public")[0]
    pdf = render_file(record, demo_file)
    assert pdf.startswith(b"%PDF-1.")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"/Type /Catalog" in pdf and b"startxref" in pdf
    assert b"/FontFile2" in pdf  # the TrueType font is embedded, not just named


@pytest.mark.parametrize("access", ["public", "restricted"])
def test_pdf_text_holds_title_and_content(records_with_files, access):
    for record, demo_file in _samples(records_with_files, PDF_MEDIA_TYPE, access):
        text = _words(extract_pdf_text(render_file(record, demo_file)))
        assert _words(record.title) in text
        for line in demo_file.content_text.splitlines():
            assert _words(line) in text


def test_docx_is_a_word_package(records_with_files):
    record, demo_file = _samples(records_with_files, DOCX_MEDIA_TYPE, "public")[0]
    docx = render_file(record, demo_file)
    assert docx.startswith(b"PK\x03\x04")
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        assert package.testzip() is None
        assert "word/document.xml" in package.namelist()
        content_types = package.read("[Content_Types].xml").decode()
    assert "wordprocessingml.document.main+xml" in content_types


@pytest.mark.parametrize("access", ["public", "restricted"])
def test_docx_text_holds_title_and_content(records_with_files, access):
    for record, demo_file in _samples(records_with_files, DOCX_MEDIA_TYPE, access):
        paragraphs = _xml_unescape(_docx_text(render_file(record, demo_file))).splitlines()
        assert paragraphs[0] == record.title
        assert paragraphs[1:] == demo_file.content_text.splitlines()


def test_restricted_files_carry_the_token_and_public_files_none(records_with_files):
    for access in ("public", "restricted", "closed"):
        for media_type in (PDF_MEDIA_TYPE, DOCX_MEDIA_TYPE):
            for record, demo_file in _samples(records_with_files, media_type, access)[:1]:
                rendered = render_file(record, demo_file)
                text = extract_pdf_text(rendered) if media_type == PDF_MEDIA_TYPE else _docx_text(rendered)
                if access == "public":
                    assert CONTENT_TOKEN_PREFIX not in text
                else:
                    assert content_token(record) in text


def test_script_title_survives_into_the_pdf_text(records_with_files):
    fixture = next(record for record in records_with_files if record.title.startswith("<script>"))
    text = _words(extract_pdf_text(render_file(fixture, fixture.files[0])))
    assert "<script>alert(1)</script> Công văn thử nghiệm" in text


@pytest.mark.parametrize("media_type", [PDF_MEDIA_TYPE, DOCX_MEDIA_TYPE])
def test_rendering_is_byte_for_byte_repeatable_whatever_the_clock(media_type, monkeypatch):
    arguments = (media_type, "Quyết định về việc thử", "Dòng một\nDòng hai", "Sở Nội vụ")
    first = render_document.__wrapped__(*arguments)  # __wrapped__: past the cache, a fresh render
    three_days_later = time.time() + 3 * 86400
    monkeypatch.setattr(time, "time", lambda: three_days_later)  # zip members are stamped from time.time()
    second = render_document.__wrapped__(*arguments)
    assert first == second


def test_pdf_creation_date_is_fixed():
    pdf = render_document.__wrapped__(PDF_MEDIA_TYPE, "Tiêu đề", "Nội dung", "Sở Tài chính")
    assert b"/CreationDate (D:20240101000000Z)" in pdf


def test_unknown_media_type_is_refused(records_with_files):
    record = records_with_files[0]
    with pytest.raises(UnsupportedMediaType):
        render_file(record, DemoFile("x.txt", "text/plain", "văn bản"))


def test_a_main_pdf_puts_its_recipients_and_signature_on_a_second_page(records_with_files):
    record, demo_file = _samples(records_with_files, PDF_MEDIA_TYPE, "public")[0]
    pdf = render_file(record, demo_file)
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 2  # the record viewer opens a search's words on page 2
    assert "\nNơi nhận:\n" in demo_file.content_text
