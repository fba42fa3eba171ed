"""The demo archives' scans: image-only PDFs and TIFFs of a document's text, the same bytes on every run,
with the true text kept beside them and never a text layer a harvester could read without OCR."""
from __future__ import annotations

import io
import time

from PIL import Image

from demo.catalogue import build_archives
from demo.files import render_file, scanned_files, write_scans
from demo.models import CONTENT_TOKEN_PREFIX, PDF_MEDIA_TYPE, TIFF_MEDIA_TYPE
from demo.scans import NOISE_LEVELS, STAMP_RED, render_pages, render_scan, scan_pdf, scan_tiff

TEXT = "ỦY BAN NHÂN DÂN TỈNH VĨNH LONG\nQuyết định về việc phê duyệt quy hoạch giao thông"


def test_the_archives_carry_scans_of_public_documents_in_both_formats_and_every_noise_level():
    scans = scanned_files(build_archives())
    assert 5 <= len(scans) <= 20  # a few: each costs seconds of OCR in every harvest of the demo
    assert {demo_file.media_type for _, demo_file in scans} == {PDF_MEDIA_TYPE, TIFF_MEDIA_TYPE}
    assert {demo_file.scan for _, demo_file in scans} == set(NOISE_LEVELS)
    assert all(record.access == "public" for record, _ in scans)  # no leak-test token left to OCR's mercy
    assert all(CONTENT_TOKEN_PREFIX not in demo_file.content_text for _, demo_file in scans)


def test_an_image_only_pdf_has_no_text_layer_and_no_font():
    pdf = scan_pdf(TEXT, "light", seed=7, stamp_text="Ủy ban nhân dân tỉnh Vĩnh Long")
    assert pdf.startswith(b"%PDF-") and b"/Subtype /Image" in pdf
    assert b"/Font" not in pdf and b"BT" not in pdf.split(b"stream")[0]


def test_a_tiff_is_a_page_image_at_the_scan_resolution():
    image = Image.open(io.BytesIO(scan_tiff(TEXT, "clean", seed=7)))
    assert image.format == "TIFF" and image.info["dpi"] == (200, 200)


def test_the_stamp_is_red_and_the_noise_speckles_the_page():
    clean, = render_pages(TEXT, "clean", seed=3)
    heavy, = render_pages(TEXT, "heavy", seed=3, stamp_text="Sở Nội vụ")
    assert STAMP_RED[0] > 150 and any(r > 150 and g < 120 for r, g, _ in heavy.getdata())
    assert not any(r > 150 and g < 120 for r, g, _ in clean.getdata())
    blank = (0, 0, 60, 60)  # the top left corner, inside the margin: white on a clean page
    assert set(clean.crop(blank).getdata()) == {(255, 255, 255)}
    assert len(set(heavy.crop(blank).getdata())) > 1


def test_scans_are_byte_for_byte_repeatable_whatever_the_clock(monkeypatch):
    arguments = ("VLG.P01.ML01.HS001.01.pdf", PDF_MEDIA_TYPE, TEXT, "heavy", "Sở Nội vụ")
    first = render_scan.__wrapped__(*arguments)
    three_days_later = time.time() + 3 * 86400
    monkeypatch.setattr(time, "time", lambda: three_days_later)
    assert render_scan.__wrapped__(*arguments) == first


def test_the_scans_command_writes_each_scan_with_its_true_text_beside_it(tmp_path):
    archives = build_archives()
    written = write_scans(archives, tmp_path)
    record, demo_file = scanned_files(archives)[0]
    assert (tmp_path / demo_file.name).read_bytes() == render_file(record, demo_file)
    assert (tmp_path / f"{demo_file.name}.truth.txt").read_text(encoding="utf-8").strip() == demo_file.content_text
    assert len(written) == 2 * len(scanned_files(archives))
