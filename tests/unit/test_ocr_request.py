"""What the harvester asks of Tika's OCR for a file (indexer/ocr.py): hOCR always, no OCR of office documents,
a PDF over the page limit read by its text layer only, Tesseract's time limit when one is set."""
from __future__ import annotations

import io

from fpdf import FPDF

from indexer.ocr import OcrLimits, ocr_request, pdf_page_count

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def pdf_of(pages: int) -> bytes:
    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
    return bytes(pdf.output())


def test_hocr_is_always_asked_for_and_office_documents_are_not_ocrd():
    docx = ocr_request(b"PK..", "bien-ban.docx", DOCX, OcrLimits())
    assert docx.headers == {"X-Tika-OCRoutputType": "hocr", "X-Tika-OCRskipOcr": "true"} and docx.skipped is None
    assert ocr_request(b"PK..", "bang-ke.ODS", None, OcrLimits()).headers["X-Tika-OCRskipOcr"] == "true"
    assert "X-Tika-OCRskipOcr" not in ocr_request(b"II*\0", "scan.tif", "image/tiff", OcrLimits()).headers


def test_a_pdf_over_the_page_limit_is_read_by_its_text_layer_only_and_says_why():
    over = ocr_request(pdf_of(3), "ho-so.pdf", "application/pdf", OcrLimits(max_pages=2))
    assert over.headers["X-Tika-PDFocrStrategy"] == "no_ocr"
    assert over.skipped == "3 pages, more than the 2 pages OCR reads in a file"
    within = ocr_request(pdf_of(2), "ho-so.pdf", "application/pdf", OcrLimits(max_pages=2))
    assert "X-Tika-PDFocrStrategy" not in within.headers and within.skipped is None


def test_the_page_count_leaves_a_file_where_it_was_and_a_broken_pdf_is_left_to_tika():
    stream = io.BytesIO(pdf_of(4))
    assert pdf_page_count(stream) == 4 and stream.tell() == 0  # Tika gets the whole file after
    assert pdf_page_count(b"%PDF-1.7 not a pdf") is None


def test_tesseracts_time_limit_is_sent_when_the_harvester_sets_one():
    assert ocr_request(b"x", "a.png", "image/png", OcrLimits(timeout_seconds=5)).headers[
        "X-Tika-OCRtimeoutSeconds"] == "5"
    assert "X-Tika-OCRtimeoutSeconds" not in ocr_request(b"x", "a.png", "image/png", OcrLimits()).headers
