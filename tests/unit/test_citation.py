"""Citations of one record: CSL-JSON, BibTeX and RIS from the record's metadata, and the service
that fetches it through the record service (no OpenSearch here: a stand-in record service)."""
from __future__ import annotations

import json

import pytest

from portal.access.identity import ANONYMOUS
from portal.export import UnknownFormat
from portal.export.citation import (
    CITATION_FORMATS,
    CitationService,
    CitedRecord,
    DateSpan,
    bibtex_escape,
    bibtex_key,
    citation_format,
    clean_text,
    date_span,
    holding_archive_name,
    to_bibtex,
    to_csl_item,
    to_csl_json,
    to_ris,
)
from portal.records.service import RecordNotFound

URL = "https://luutru.example.vn/records/vinhlong:VL.UBND/ML01/HS002/VB04"
SCRIPT_TITLE = "<script>alert(1)</script> Công văn thử nghiệm"

DECISION = {
    "id": "vinhlong:VL.UBND/ML01/HS002/VB04",
    "title": "Quyết định về việc thành lập Hội đồng xác định giá trị tài liệu",
    "creator": "Ủy ban nhân dân tỉnh Vĩnh Long",
    "date_start": "1996-12-29",
    "date_end": "1996-12-29",
    "holding_province": "86",
    "holding_province_name": "Vĩnh Long",
    "reference_code": "VLG.P01.ML01.HS002.04",
    "doc_number": "368/QĐ-UBND",
    "doc_type": "Quyết định",
    "language": "vi",
    "access": "public",
}


def cited(**changes) -> CitedRecord:
    return CitedRecord.from_record({**DECISION, **changes}, URL)


def ris_tags(text: str) -> list[tuple[str, str]]:
    assert text.endswith("ER  - \r\n")
    lines = text.split("\r\n")[:-1]
    return [(line[:2], line[6:]) for line in lines]


# --- dates at the precision they denote ------------------------------------------------------------------------
@pytest.mark.parametrize(("start", "end", "expected"), [
    ("1976-03-05", "1976-03-05", DateSpan((1976, 3, 5))),
    ("1976-03-01", "1976-03-31", DateSpan((1976, 3))),
    ("1976-02-01", "1976-02-29", DateSpan((1976, 2))),  # a leap year's February is a whole month
    ("1976-01-01", "1976-12-31", DateSpan((1976,))),
    ("1975-01-01", "1980-12-31", DateSpan((1975,), (1980,))),
    ("1975-04-01", "1976-02-29", DateSpan((1975, 4), (1976, 2))),
    ("2007-10-14", "2007-11-02", DateSpan((2007, 10, 14), (2007, 11, 2))),
    ("1976", "1976", DateSpan((1976,))),  # partial dates as stored
    ("1976-03", None, DateSpan((1976, 3))),
    (None, "1980-12-31", DateSpan((1980, 12, 31))),
    ("2007-10-14T00:00:00Z", "2007-10-14", DateSpan((2007, 10, 14))),
    (None, None, None),
    ("", "", None),
    ("không rõ", "1976-13-40", None),
])
def test_dates_are_cited_at_the_precision_they_denote(start, end, expected):
    assert date_span(start, end) == expected


# --- CSL-JSON ----------------------------------------------------------------------------------------------------
def test_csl_json_is_a_manuscript_with_archival_fields_in_vietnamese():
    document = json.loads(to_csl_json(cited()))
    assert document == [{
        "id": "vinhlong:VL.UBND/ML01/HS002/VB04",
        "type": "manuscript",
        "title": "Quyết định về việc thành lập Hội đồng xác định giá trị tài liệu",
        "author": [{"literal": "Ủy ban nhân dân tỉnh Vĩnh Long"}],
        "issued": {"date-parts": [[1996, 12, 29]]},
        "archive": "Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long",
        "archive-place": "Vĩnh Long",
        "archive_location": "VLG.P01.ML01.HS002.04",
        "number": "368/QĐ-UBND",
        "genre": "Quyết định",
        "language": "vi",
        "URL": URL,
    }]
    assert "Ủy ban" in to_csl_json(cited())  # UTF-8, not \u escapes


def test_csl_json_gives_a_year_range_and_leaves_out_what_is_missing():
    item = to_csl_item(cited(date_start="1975-01-01", date_end="1980-12-31", creator=None, doc_number=None,
                             doc_type="", language=None))
    assert item["issued"] == {"date-parts": [[1975], [1980]]}
    assert not {"author", "number", "genre", "language"} & set(item)
    assert "issued" not in to_csl_item(cited(date_start=None, date_end=None))


def test_a_script_title_stays_the_same_string_in_csl_json():
    assert json.loads(to_csl_json(cited(title=SCRIPT_TITLE)))[0]["title"] == SCRIPT_TITLE


# --- BibTeX ------------------------------------------------------------------------------------------------------
def test_bibtex_is_a_misc_entry_with_a_stable_key_and_vietnamese_kept():
    entry = to_bibtex(cited())
    assert entry.startswith("@misc{vinhlong_VL.UBND_ML01_HS002_VB04,\n")
    assert entry.endswith("}\n")
    assert "{{Ủy ban nhân dân tỉnh Vĩnh Long}}" in entry  # a body: never split into first and last names
    assert "{{Quyết định về việc thành lập Hội đồng xác định giá trị tài liệu}}" in entry
    for line in ("year         = {1996}", "date         = {1996-12-29}", "type         = {Quyết định}",
                 "number       = {368/QĐ-UBND}", "howpublished = {Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long}",
                 "address      = {Vĩnh Long}", "note         = {VLG.P01.ML01.HS002.04}", f"url          = {{{URL}}}"):
        assert line in entry
    assert entry == to_bibtex(cited())


def test_bibtex_escapes_latex_special_characters():
    assert bibtex_escape("50% & $5 #1 a_b {x} ~ ^ \\") == (
        r"50\% \& \$5 \#1 a\_b \{x\} \textasciitilde{} \textasciicircum{} \textbackslash{}")
    entry = to_bibtex(cited(title="Báo cáo 100% {đạt} & vượt_mức", doc_number="12/BC-UBND#2"))
    assert r"{{Báo cáo 100\% \{đạt\} \& vượt\_mức}}" in entry
    assert r"{12/BC-UBND\#2}" in entry
    assert entry.count("{") - entry.count(r"\{") == entry.count("}") - entry.count(r"\}")


def test_bibtex_keys_are_ascii_and_stable():
    assert bibtex_key("hue:TTH.UBND/ML03/HS006") == "hue_TTH.UBND_ML03_HS006"
    assert bibtex_key("cantho:Hồ sơ/Đề án 1") == "cantho_Ho_so_De_an_1"
    assert bibtex_key("đ:ư") == "d_u"
    odd = bibtex_key("「」:…")
    assert odd.startswith("record_") and odd == bibtex_key("「」:…")


def test_bibtex_dates_ranges_and_missing():
    entry = to_bibtex(cited(date_start="1975-01-01", date_end="1980-12-31"))
    assert "{1975--1980}" in entry and "{1975/1980}" in entry
    entry = to_bibtex(cited(date_start="1976-03-01", date_end="1976-03-31"))
    assert "year         = {1976}" in entry and "date         = {1976-03}" in entry
    undated = to_bibtex(cited(date_start=None, date_end=None))
    assert "year" not in undated and "date " not in undated


def test_a_newline_in_a_title_does_not_start_a_new_field():
    entry = to_bibtex(cited(title="Tờ trình\n  url = {http://evil},\r\nvề việc"))
    assert "Tờ trình url = \\{http://evil\\}, về việc" in entry
    assert sum(line.lstrip().startswith("url") for line in entry.splitlines()) == 1


# --- RIS ---------------------------------------------------------------------------------------------------------
def test_ris_is_a_manuscript_record_with_archive_and_call_number():
    assert ris_tags(to_ris(cited())) == [
        ("TY", "MANSCPT"),
        ("TI", "Quyết định về việc thành lập Hội đồng xác định giá trị tài liệu"),
        ("AU", "Ủy ban nhân dân tỉnh Vĩnh Long"),
        ("PY", "1996"),
        ("DA", "1996/12/29/"),
        ("M3", "Quyết định"),
        ("M1", "368/QĐ-UBND"),
        ("AV", "Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long"),
        ("CY", "Vĩnh Long"),
        ("CN", "VLG.P01.ML01.HS002.04"),
        ("LA", "vi"),
        ("UR", URL),
        ("ER", ""),
    ]


@pytest.mark.parametrize(("start", "end", "expected"), [
    ("1976-01-01", "1976-12-31", "1976///"),
    ("1976-03-01", "1976-03-31", "1976/03//"),
    ("1975-01-01", "1980-12-31", "1975///1975–1980"),
    ("2007-10-14", "2007-11-02", "2007/10/14/2007-10-14–2007-11-02"),
])
def test_ris_partial_dates_leave_their_parts_empty(start, end, expected):
    tags = dict(ris_tags(to_ris(cited(date_start=start, date_end=end))))
    assert tags["DA"] == expected and tags["PY"] == start[:4]


def test_ris_without_dates_or_creator_leaves_those_tags_out():
    tags = dict(ris_tags(to_ris(cited(date_start=None, date_end=None, creator="  "))))
    assert not {"PY", "DA", "AU"} & set(tags)


def test_a_newline_in_a_title_cannot_end_the_ris_record():
    text = to_ris(cited(title=f"{SCRIPT_TITLE}\r\nER  - \nTY  - JOUR"))
    tags = ris_tags(text)
    assert [tag for tag, _ in tags].count("ER") == 1 and [tag for tag, _ in tags].count("TY") == 1
    assert dict(tags)["TI"] == f"{SCRIPT_TITLE} ER - TY - JOUR"


# --- names and formats -------------------------------------------------------------------------------------------
def test_holding_archives_are_named_after_their_province():
    assert holding_archive_name("86") == "Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long"
    assert holding_archive_name("46") == "Trung tâm Lưu trữ lịch sử thành phố Huế"
    assert holding_archive_name("92") == "Trung tâm Lưu trữ lịch sử thành phố Cần Thơ"
    assert holding_archive_name("83") is None  # Bến Tre is no longer one of the 34
    assert holding_archive_name(None) is None and holding_archive_name("xyz") is None


def test_clean_text_collapses_whitespace_and_control_characters():
    assert clean_text(" Công\tvăn\u2028số\x0b1 ") == "Công văn số 1"
    assert clean_text("Hoà".replace("à", "a\u0300")) == "Hoà"  # NFC
    assert clean_text(" \n ") is None and clean_text(None) is None


def test_formats_offered_and_unknown_ones_refused():
    assert set(CITATION_FORMATS) == {"csl-json", "bibtex", "ris"}
    assert citation_format(None).name == "csl-json"
    for name in ("xml", "BIBTEX", "html"):
        with pytest.raises(UnknownFormat) as raised:
            citation_format(name)
        assert raised.value.parameter == "format" and "csl-json, bibtex, ris" in str(raised.value)
    assert all("html" not in f.media_type for f in CITATION_FORMATS.values())


# --- the service -------------------------------------------------------------------------------------------------
class StandInRecords:
    def __init__(self, record: dict | None):
        self.record = record
        self.asked = []

    def get(self, identity, record_id):
        self.asked.append((identity, record_id))
        if self.record is None:
            raise RecordNotFound(record_id)
        return self.record


def test_service_cites_through_the_record_service_and_never_the_content():
    records = StandInRecords({**DECISION, "content": "MATKHAU0042 nội dung", "description": "Mô tả"})
    for name in CITATION_FORMATS:
        citation = CitationService(records).cite(ANONYMOUS, DECISION["id"], name,
                                                 lambda rid: f"https://host/records/{rid}")
        assert "MATKHAU" not in citation.text and "Mô tả" not in citation.text
        assert "https://host/records/vinhlong:VL.UBND/ML01/HS002/VB04" in citation.text
        assert citation.filename.startswith("vinhlong_VL.UBND_ML01_HS002_VB04.")
    assert records.asked == [(ANONYMOUS, DECISION["id"])] * 3


def test_service_passes_not_found_on_and_checks_the_format_first():
    with pytest.raises(RecordNotFound):
        CitationService(StandInRecords(None)).cite(ANONYMOUS, "x:y", "ris", str)
    records = StandInRecords(DECISION)
    with pytest.raises(UnknownFormat):
        CitationService(records).cite(ANONYMOUS, "x:y", "docx", str)
    assert records.asked == []
