"""What a run's report says of one file (indexer/files.py FetchedFile.report_notes): an OCR failure under its own
kind with the promise of another try, a file without text under "file", and a file with text not at all."""
from __future__ import annotations

from indexer.files import FetchedFile


def test_a_failed_ocr_is_named_once_under_its_own_kind_and_read_again():
    fetched = FetchedFile({"extraction_error": "OCR failed: Tesseract took longer than its time limit"}, "",
                          extraction_pending=True, ocr_problem="OCR failed: Tesseract took longer than its time limit")
    assert fetched.report_notes("scan.tif") == [
        ("ocr", "scan.tif: OCR failed: Tesseract took longer than its time limit; it is read again on the next run")]


def test_a_pdf_over_the_page_limit_is_named_under_ocr_and_not_promised_another_try():
    fetched = FetchedFile({}, "", ocr_problem="not OCR'd: 90 pages, more than the 30 pages OCR reads in a file")
    assert fetched.report_notes("ho-so.pdf") == [
        ("ocr", "ho-so.pdf: not OCR'd: 90 pages, more than the 30 pages OCR reads in a file")]


def test_a_file_without_text_is_named_under_file_and_one_with_text_not_at_all():
    assert FetchedFile({"extraction_error": "no text in the file"}, "").report_notes("a.bin") == [
        ("file", "a.bin: no text in the file")]
    assert FetchedFile({"extraction_error": "Tika took longer than 120 s"}, "", extraction_pending=True
                       ).report_notes("big.docx") == [
        ("file", "big.docx: Tika took longer than 120 s; it is read again on the next run")]
    assert FetchedFile({}, "Biên bản").report_notes("b.pdf") == []
