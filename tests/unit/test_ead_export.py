"""The EAD 2002 writer on plain data: valid against the LoC schema whatever the text holds, files
linked only where the reader may open them, ids kept where EAD has room for them."""
from __future__ import annotations

from datetime import datetime, timezone

from lxml import etree

from portal.export.ead import render_ead
from portal.export.finding_aid import Component, FindingAid
from tests.ead_schema import EAD_NS, ead_schema

FILE = {"name": "quyet-dinh.pdf", "media_type": "application/pdf", "size": 1200, "url": "https://archive.example/f"}


def _finding_aid() -> FindingAid:
    item_open = Component({"id": "vl:F/S1/H1/1", "level": "item",
                           "title": "Quyết định số 12 <về> đất & nhà\x0b",
                           "reference_code": "F.S1.H1.1", "doc_number": "12/QĐ-UBND", "doc_type": "Quyết định",
                           "date_start": "1976-03-05", "date_end": "1976-03-05", "access": "public",
                           "language": "vi", "files": [FILE]}, content_visible=True)
    item_restricted = Component({"id": "vl:F/S1/H1/2", "level": "item", "title": "Tờ trình", "access": "restricted",
                                 "files": [FILE], "description": "Mô tả\ncó xuống dòng"}, content_visible=False)
    file_record = Component({"id": "vl:F/S1/H1", "level": "file", "title": "Hồ sơ", "date_start": "1976-01-01",
                             "date_end": "1977-12-31", "subjects": ["Đất đai"], "places": ["Vĩnh Long"],
                             "access": "public"}, True, [item_open, item_restricted])
    series = Component({"id": "vl:F/S1", "level": "subseries-like", "title": "Mục lục 1", "access": "public"},
                       True, [file_record])
    fonds = Component({"id": "vl:F", "level": "fonds", "title": "Phông UBND tỉnh", "holding_province": "86",
                       "creator": "UBND tỉnh Vĩnh Long", "admin_history": "Thành lập năm 1976.",
                       "extent": "12 hộp", "access": "public"}, True, [series])
    return FindingAid(fonds, datetime(2026, 12, 6, tzinfo=timezone.utc),
                      lambda i: f"https://portal.example/records/{i}",
                      lambda i, n: f"https://portal.example/records/{i}/files/{n}")


def test_ead_is_valid_and_nests_the_arrangement():
    document = etree.fromstring(render_ead(_finding_aid()))
    ead_schema().assertValid(document)
    assert document.find("ead:archdesc", EAD_NS).get("level") == "fonds"
    series = document.find("ead:archdesc/ead:dsc/ead:c", EAD_NS)
    assert (series.get("level"), series.get("otherlevel")) == ("otherlevel", "subseries-like")
    assert [c.get("level") for c in series.iter(f"{{{EAD_NS['ead']}}}c")] == ["otherlevel", "file", "item", "item"]
    assert document.findtext("ead:eadheader/ead:filedesc/ead:publicationstmt/ead:publisher", namespaces=EAD_NS) \
        == "Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long"


def test_files_are_linked_through_the_portal_only_when_readable():
    document = etree.fromstring(render_ead(_finding_aid()))
    daos = document.findall(".//ead:dao", EAD_NS)
    assert [dao.get(f"{{{EAD_NS['xlink']}}}href") for dao in daos] == \
        ["https://portal.example/records/vl:F/S1/H1/1/files/1"]
    assert b"archive.example" not in render_ead(_finding_aid())


def test_text_and_dates_survive_as_data():
    document = etree.fromstring(render_ead(_finding_aid()))
    title = document.find(".//ead:unitid[@identifier='vl:F/S1/H1/1']/../ead:unittitle", EAD_NS)
    assert title.text == "Quyết định số 12 <về> đất & nhà"
    dates = document.find(".//ead:unitid[@identifier='vl:F/S1/H1']/../ead:unitdate", EAD_NS)
    assert (dates.get("normal"), dates.text) == ("1976/1977", "1976 – 1977")
    number = document.find(".//ead:unitid[@type='doc_number']", EAD_NS)
    assert number.text == "12/QĐ-UBND"
