"""The export of a result list: rows cut to the catalogue columns, CSV that Excel opens safely,
JSON, and the service that runs the search (no OpenSearch here: a stand-in search service)."""
from __future__ import annotations

import csv
import io
import json

import pytest

from portal.access.identity import ANONYMOUS
from portal.export import UnknownFormat
from portal.export.results import (
    EXPORT_COLUMNS,
    EXPORT_FORMATS,
    EXPORT_LIMIT,
    ResultExport,
    ResultExportService,
    export_format,
    export_row,
    neutralise_formula,
    render_csv,
    render_json,
)
from portal.search.params import SearchParams
from portal.search.service import SearchResult


def permalink(record_id: str) -> str:
    return f"https://host/records/{record_id}"


def hit(number: int = 1, **changes) -> dict:
    """A hit as SearchService shapes it, highlights and labels included."""
    return {
        "id": f"cantho:CT.UBND/ML01/HS{number:03d}", "title": "Hồ sơ về việc đầu tư xây dựng cầu Cần Thơ",
        "level": "file", "holding_province": "92", "origin_province": "93", "date_start": "1996-01-01",
        "date_end": "1996-12-31", "access": "public", "reference_code": f"CTO.P01.ML01.HS{number:03d}",
        "holding_province_name": "Thành phố Cần Thơ", "origin_province_name": "Tỉnh Hậu Giang",
        "doc_type": None, "doc_number": None, "creator": "Ủy ban nhân dân thành phố Cần Thơ",
        "path": ["cantho:CT.UBND", "cantho:CT.UBND/ML01"], "parent_id": "cantho:CT.UBND/ML01",
        "level_label": "Hồ sơ", "access_label": "Công khai",
        "highlight": {"title": ["Hồ sơ về việc đầu tư xây dựng <mark>cầu</mark> Cần Thơ"],
                      "content": ["<mark>MATKHAU0042</mark>"]},
        **changes,
    }


def read_csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


# --- rows --------------------------------------------------------------------------------------------------------
def test_a_row_holds_the_catalogue_columns_only_never_highlights():
    row = export_row(hit(content="MATKHAU0042", description="Mô tả"), permalink)
    assert tuple(row) == EXPORT_COLUMNS
    assert row["permalink"] == "https://host/records/cantho:CT.UBND/ML01/HS001"
    assert row["origin_province_name"] == "Tỉnh Hậu Giang"
    assert "MATKHAU" not in json.dumps(row, ensure_ascii=False) and "<mark>" not in json.dumps(row)


def test_a_row_names_provinces_the_hit_left_unnamed():
    row = export_row(hit(holding_province_name=None, origin_province_name="", origin_province=None), permalink)
    assert row["holding_province_name"] == "Thành phố Cần Thơ"
    assert row["origin_province_name"] == ""


# --- CSV ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"),
    ("+84 270 3822 000", "'+84 270 3822 000"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("Quyết định =1", "Quyết định =1"),
    ("125/QĐ-UBND", "125/QĐ-UBND"),
    ("1996-12-29", "1996-12-29"),
    (None, ""),
    (42, "42"),
])
def test_cells_a_spreadsheet_would_run_get_a_leading_apostrophe(value, expected):
    assert neutralise_formula(value) == expected


def test_csv_starts_with_a_bom_and_keeps_vietnamese():
    body = render_csv(ResultExport(2, [export_row(hit(1), permalink), export_row(hit(2), permalink)]))
    assert body.startswith(b"\xef\xbb\xbfid,reference_code,title,")
    assert "Ủy ban nhân dân thành phố Cần Thơ".encode() in body
    rows = read_csv(body)
    assert tuple(rows[0]) == EXPORT_COLUMNS and len(rows) == 3
    assert dict(zip(rows[0], rows[1]))["title"] == "Hồ sơ về việc đầu tư xây dựng cầu Cần Thơ"
    assert dict(zip(rows[0], rows[2]))["doc_type"] == ""
    assert body.count(b"\r\n") == 3


def test_csv_neutralises_formulas_and_quotes_commas_quotes_and_newlines():
    tricky = hit(title='=cmd|" /C calc"!A0, "trích yếu"\nhai dòng', creator="@admin", doc_number="-1")
    rows = read_csv(render_csv(ResultExport(1, [export_row(tricky, permalink)])))
    row = dict(zip(rows[0], rows[1]))
    assert row["title"] == '\'=cmd|" /C calc"!A0, "trích yếu"\nhai dòng'
    assert row["creator"] == "'@admin" and row["doc_number"] == "'-1"
    assert len(rows) == 2


def test_an_empty_export_is_a_header_only():
    assert read_csv(render_csv(ResultExport(0, []))) == [list(EXPORT_COLUMNS)]


# --- JSON --------------------------------------------------------------------------------------------------------
def test_json_gives_total_exported_and_the_records():
    script = "<script>alert(1)</script> Công văn thử nghiệm"
    document = json.loads(render_json(ResultExport(1500, [export_row(hit(1, title=script), permalink)])))
    assert document["total"] == 1500 and document["exported"] == 1
    assert document["records"][0]["title"] == script
    assert list(document["records"][0]) == list(EXPORT_COLUMNS)
    assert "Cần Thơ".encode() in render_json(ResultExport(0, [export_row(hit(), permalink)]))


def test_formats_offered_and_unknown_ones_refused():
    assert set(EXPORT_FORMATS) == {"csv", "json"}
    assert export_format(None).name == "csv"
    assert EXPORT_FORMATS["csv"].media_type.startswith("text/csv")
    with pytest.raises(UnknownFormat) as raised:
        export_format("xlsx")
    assert raised.value.parameter == "format"


# --- the service -------------------------------------------------------------------------------------------------
class StandInSearch:
    def __init__(self, total: int, count: int):
        self.total, self.count = total, count
        self.asked = []

    def search(self, identity, params):
        self.asked.append((identity, params))
        return SearchResult(self.total, [hit(n) for n in range(min(self.count, params.size))], {}, params)


def test_service_asks_for_the_first_thousand_with_the_same_filters():
    search = StandInSearch(total=1240, count=1240)
    params = SearchParams(q="cầu Cần Thơ", province=("92",), level=("file",), sort="date_desc", page=7, size=20,
                          search_after=("CTO.P01", "cantho:CT.UBND"))
    export = ResultExportService(search).export(ANONYMOUS, params, permalink)
    (identity, asked), = search.asked
    assert identity is ANONYMOUS
    assert (asked.page, asked.size, asked.search_after) == (1, EXPORT_LIMIT, None) == (1, 1000, None)
    assert (asked.q, asked.province, asked.level, asked.sort) == ("cầu Cần Thơ", ("92",), ("file",), "date_desc")
    assert export.total == 1240 and export.exported == 1000
    assert all(tuple(record) == EXPORT_COLUMNS for record in export.records)


def test_service_exports_everything_below_the_limit():
    export = ResultExportService(StandInSearch(total=37, count=37)).export(ANONYMOUS, SearchParams(), permalink)
    assert (export.total, export.exported) == (37, 37)
