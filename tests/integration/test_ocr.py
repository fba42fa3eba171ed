"""OCR of scans against the real Tika with Tesseract (issue 20): an image-only PDF and a TIFF of Vietnamese text
are read with their source and Tesseract's confidence; a harvested scan is found by a word only it holds, through
the portal's search as anyone, and its page says the text is machine-read; a scan whose OCR times out is named in
the run's report and read on the next run. The Tika is the one TIKA_SERVER_ENDPOINT names, started with
deploy/tika/tika-config.xml (scripts/tika.sh)."""
from __future__ import annotations

import os
import re
import unicodedata

import pytest
from sqlalchemy import select

from demo.scans import scan_pdf, scan_tiff
from indexer.ocr import OcrLimits
from indexer.text_extraction import TEXT_OCR, TikaExtractor, TikaLimits
from portal import database
from schema.folding import folded_words
from schema.tables import HarvestedRecord
from tests.conftest import add_demo_sources, drop_indices, make_portal
from tests.integration.harvest_helpers import indexed, last_run

TIKA = os.environ.get("TIKA_SERVER_ENDPOINT", "http://127.0.0.1:9998")
SCAN_TEXT = ("ỦY BAN NHÂN DÂN TỈNH VĨNH LONG\nQuyết định về việc phê duyệt quy hoạch mạng lưới\n"
             "giao thông đường thủy nội địa đến năm 2030")
# A set of the Vĩnh Long demo archive (29 records) holding one scan: a TIFF at the heavy noise level.
SCANNED_SET, SCANNED_RECORD, SCANNED_FILE = "P03", "vinhlong:VL.SNV/ML02/HS006/VB02", "VLG.P03.ML02.HS006.02.tif"


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", unicodedata.normalize("NFC", text).casefold()))


@pytest.mark.parametrize("name, render", [("scan.pdf", scan_pdf), ("scan.tif", scan_tiff)])
def test_an_image_only_pdf_and_a_tiff_of_vietnamese_text_are_read_by_ocr(name, render):
    result = TikaExtractor(TIKA).extract(render(SCAN_TEXT, "light", seed=1, stamp_text="Ủy ban nhân dân"), name)

    assert result.error is None, result.error
    assert result.text_source == TEXT_OCR
    assert 70 <= result.ocr_confidence <= 100
    assert {"quyết", "định", "vĩnh", "long", "giao", "thông", "đường", "thủy"} <= words(result.text)


def test_a_text_layer_is_not_taken_for_ocr():
    from demo.files import render_pdf

    result = TikaExtractor(TIKA).extract(render_pdf("Quyết định", SCAN_TEXT, "Sở Nội vụ"), "born-digital.pdf")

    assert result.text_source == "embedded" and result.ocr_confidence is None


def test_an_ocr_past_its_time_limit_gives_no_text_now_and_asks_for_another_try():
    page = scan_tiff(SCAN_TEXT * 6, "heavy", seed=2)
    result = TikaExtractor(TIKA, TikaLimits(ocr=OcrLimits(timeout_seconds=1))).extract(page, "long.tif")

    assert result.text == "" and result.retry and not result.unavailable
    assert result.error == "OCR failed: Tesseract took longer than its time limit"


def _run_errors(app, kind: str) -> list[dict]:
    return dict((k, entries) for k, _, entries in last_run(app).error_kinds()).get(kind, [])


def _needs_extraction(app, record_id: str) -> bool:
    with app.app_context():
        return database.get_db().scalars(select(HarvestedRecord.needs_extraction).where(
            HarvestedRecord.record_id == record_id)).one()


def test_a_harvested_scan_timed_out_is_reported_read_on_the_next_run_and_found_by_its_words(
        tmp_path_factory, demo_provider, demo_archives):
    app = make_portal(tmp_path_factory, TIKA_OCR_TIMEOUT=1)
    try:
        add_demo_sources(app, demo_provider.url, only={"vinhlong": "86"})
        runner = app.test_cli_runner()
        assert runner.invoke(args=["harvest", "--source", "vinhlong", "--set", SCANNED_SET]).exit_code == 0

        scan = indexed(app, "vinhlong")[SCANNED_RECORD]
        entry, = scan["files"]
        assert entry["name"] == SCANNED_FILE and entry["extraction_error"].startswith("OCR failed")
        assert not scan.get("content") and _needs_extraction(app, SCANNED_RECORD)
        named = _run_errors(app, "ocr")
        assert [(e["record"], e["message"].split(":")[0]) for e in named] == [(SCANNED_RECORD, SCANNED_FILE)]
        assert "read again on the next run" in named[0]["message"]

        # Words of the scan's true text that no other record of the set (nor the scan's own description) holds,
        # with or without their diacritics (the search matches both).
        record = next(r for r in demo_archives["vinhlong"].records if f"vinhlong:{r.local_id}" == SCANNED_RECORD)
        others = set()
        for other in demo_archives["vinhlong"].records:
            if other.set_spec == SCANNED_SET:
                others |= set(folded_words(" ".join([other.title, other.description, other.creator,
                                                     other.signer or "", other.doc_number or "",
                                                     *other.subjects])).split())
                if other is not record:
                    others |= set(folded_words(" ".join(f.content_text for f in other.files)).split())
        only_in_scan = sorted(w for w in words(record.files[0].content_text)
                              if len(w) > 3 and w.isalpha() and folded_words(w) not in others)
        assert only_in_scan
        anyone = app.test_client()

        def found(word: str) -> bool:
            hits = anyone.get("/api/v1/search", query_string={"q": word, "size": 50}).get_json()["hits"]
            return SCANNED_RECORD in {hit["id"] for hit in hits}

        assert not any(found(word) for word in only_in_scan)  # the text is not indexed yet

        app.config["TIKA_OCR_TIMEOUT"] = 0  # Tika's own limit (60 s) again
        result = runner.invoke(args=["harvest", "--source", "vinhlong", "--set", SCANNED_SET])

        assert result.exit_code == 0, result.output
        scan = indexed(app, "vinhlong")[SCANNED_RECORD]
        entry, = scan["files"]
        assert entry["text_extracted"] and entry["text_source"] == TEXT_OCR and entry["ocr_confidence"] > 50
        assert not _needs_extraction(app, SCANNED_RECORD) and not _run_errors(app, "ocr")
        read = [word for word in only_in_scan if word in words(scan["content"])]
        assert len(read) >= len(only_in_scan) // 2, (only_in_scan, scan["content"])  # OCR errs, but not much
        assert all(found(word) for word in read)

        page = anyone.get(f"/records/{SCANNED_RECORD}", query_string={"q": read[0]})
        assert page.status_code == 200
        html = page.text
        assert html.count("data-machine-read") == 2  # the file's line and the full text's notice
        assert "Văn bản do máy đọc" in html and "<mark>" in html
    finally:
        drop_indices(app)
