"""Citations and result exports over the harvested demo archives, as an anonymous caller.

The export must show exactly what the search API shows (same filter, same totals, same
order), and neither may ever let out a closed record or the content of a restricted one.
"""
from __future__ import annotations

import csv
import io
import json

import pytest

from demo.models import CONTENT_TOKEN_PREFIX, content_token
from portal.export.results import EXPORT_COLUMNS
from schema.record import record_id
from tests.conftest import make_portal

SCRIPT_TITLE = "<script>alert(1)</script> Công văn thử nghiệm"


def _live(demo_archives):
    for slug, archive in demo_archives.items():
        for record in archive.records:
            if not record.deleted:
                yield slug, record


def _search_total(client, **params) -> int:
    response = client.get("/api/v1/search", query_string={**params, "size": 1})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["total"]


def _export_json(client, **params) -> dict:
    response = client.get("/api/v1/export", query_string={**params, "format": "json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return json.loads(response.get_data())


def _export_csv(client, **params) -> tuple[bytes, list[dict]]:
    response = client.get("/api/v1/export", query_string={**params, "format": "csv"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_data()
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    return body, rows


# --- export ------------------------------------------------------------------------------------------------------
def test_anonymous_export_never_contains_closed_records_nor_their_content(client, demo_archives):
    closed_ids = {record_id(s, r.local_id) for s, r in _live(demo_archives) if r.access == "closed"}
    assert closed_ids
    everything = _export_json(client)
    exported_ids = {record["id"] for record in everything["records"]}
    assert not exported_ids & closed_ids
    assert {record["access"] for record in everything["records"]} <= {"public", "restricted"}
    body, rows = _export_csv(client)
    assert not {row["id"] for row in rows} & closed_ids
    assert CONTENT_TOKEN_PREFIX.encode() not in body
    assert _export_json(client, access="closed") == {"total": 0, "exported": 0, "records": []}


def test_searching_a_hidden_records_content_token_exports_nothing(client, demo_archives):
    hidden = [(s, r) for s, r in _live(demo_archives) if content_token(r) and r.files]
    assert {r.access for _, r in hidden} == {"restricted", "closed"}
    for access in ("restricted", "closed"):
        for slug, record in [(s, r) for s, r in hidden if r.access == access][:5]:
            token = content_token(record)
            body, rows = _export_csv(client, q=token)
            assert rows == [] and token.encode() not in body
            assert _export_json(client, q=token)["total"] == 0


def test_a_public_content_search_exports_catalogue_columns_only(client, demo_archives):
    slug, record = next((s, r) for s, r in _live(demo_archives)
                        if r.access == "public" and r.files and r.level == "item")
    phrase = " ".join(record.files[0].content_text.split()[20:26])
    document = _export_json(client, q=f'"{phrase}"')
    assert record_id(slug, record.local_id) in {r["id"] for r in document["records"]}
    for exported in document["records"]:
        assert list(exported) == list(EXPORT_COLUMNS)
    raw = json.dumps(document, ensure_ascii=False)
    assert "<mark>" not in raw and phrase not in raw


@pytest.mark.parametrize("params", [
    {},
    {"q": "vinh long"},
    {"q": "quyet dinh", "level": "item"},
    {"province": "92", "level": "file", "from": "1990", "to": "1999"},
    {"access": "restricted"},
    {"q": "huế", "sort": "date_desc", "doc_type": "Quyết định"},
])
def test_export_counts_equal_the_search_total_capped_at_a_thousand(client, params):
    total = _search_total(client, **params)
    document = _export_json(client, **params)
    assert document["total"] == total
    assert document["exported"] == len(document["records"]) == min(total, 1000)
    _, rows = _export_csv(client, **params)
    assert len(rows) == min(total, 1000)


def test_export_is_the_search_results_in_the_same_order_whatever_page_is_named(client):
    searched = []
    for page in range(1, 11):
        answer = client.get("/api/v1/search", query_string={"page": page, "size": 100}).get_json()
        searched += [hit["id"] for hit in answer["hits"]]
    assert answer["total"] > 1000, "the demo must hold more visible records than the export cap"
    exported = _export_json(client, page=3, size=5)
    assert [record["id"] for record in exported["records"]] == searched


def test_csv_export_opens_in_excel_with_vietnamese_and_permalinks(client):
    response = client.get("/api/v1/export", query_string={"format": "csv", "province": "86", "level": "fonds"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=records-")
    assert response.headers["Content-Disposition"].endswith(".csv")
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf" + ",".join(EXPORT_COLUMNS).encode() + b"\r\n")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows and all(row["holding_province"] == "86" and row["holding_province_name"] == "Vĩnh Long"
                        for row in rows)
    assert any("Ủy ban nhân dân" in row["creator"] for row in rows)
    for row in rows:
        assert row["permalink"] == f"http://localhost/records/{row['id']}"
        assert client.get(row["permalink"].removeprefix("http://localhost")).status_code == 200


def test_a_script_title_is_exported_as_data(client, demo_archives):
    slug, record = next((s, r) for s, r in _live(demo_archives) if "<script>" in r.title)
    for export_format in ("csv", "json"):
        response = client.get("/api/v1/export", query_string={"format": export_format, "q": "alert"})
        assert response.mimetype != "text/html"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    document = _export_json(client, q="alert")
    exported = next(r for r in document["records"] if r["id"] == record_id(slug, record.local_id))
    assert exported["title"] == record.title == SCRIPT_TITLE


def test_bad_export_parameters_get_a_clear_400(client):
    for params in ({"format": "xlsx"}, {"format": "csv", "q": '"unbalanced'}, {"province": "xyz"},
                   {"level": "box"}, {"from": "last year"}, {"sort": "random"}, {"access": "secret"}):
        response = client.get("/api/v1/export", query_string=params)
        assert response.status_code == 400, params
        error = response.get_json()["error"]
        assert error["code"] == "bad_request" and error["message"] and error["parameter"], params
    assert client.get("/api/v1/export?format=pdf").get_json()["error"]["parameter"] == "format"


# --- citations ---------------------------------------------------------------------------------------------------
def _public_item(demo_archives):
    return next((s, r) for s, r in _live(demo_archives)
                if r.access == "public" and r.level == "item" and r.doc_number and r.creator)


def test_cite_a_public_record_as_csl_json(client, demo_archives):
    slug, record = _public_item(demo_archives)
    doc_id = record_id(slug, record.local_id)
    response = client.get(f"/api/v1/cite/{doc_id}", query_string={"format": "csl-json"})
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.citationstyles.csl+json"
    assert response.headers["Content-Disposition"].endswith(".json")
    (item,) = json.loads(response.get_data())
    assert item["id"] == doc_id and item["type"] == "manuscript" and item["title"] == record.title
    assert item["author"] == [{"literal": record.creator}]
    assert item["issued"]["date-parts"][0] == [int(p) for p in record.date_start.split("-")]
    assert item["archive"] == demo_archives[slug].name  # e.g. Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long
    assert item["archive_location"] == record.reference_code
    assert item["number"] == record.doc_number and item["genre"] == record.doc_type
    assert item["URL"] == f"http://localhost/records/{doc_id}"


def test_cite_a_public_record_as_bibtex(client, demo_archives):
    slug, record = _public_item(demo_archives)
    doc_id = record_id(slug, record.local_id)
    response = client.get(f"/api/v1/cite/{doc_id}", query_string={"format": "bibtex"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response.headers["Content-Disposition"].endswith(".bib")
    entry = response.get_data(as_text=True)
    assert entry.startswith("@misc{" + doc_id.replace(":", "_").replace("/", "_") + ",")
    assert "{{" + record.title + "}}" in entry and "{{" + record.creator + "}}" in entry
    assert "{" + record.reference_code + "}" in entry
    assert f"{{http://localhost/records/{doc_id}}}" in entry


def test_cite_a_public_record_as_ris(client, demo_archives):
    slug, record = _public_item(demo_archives)
    doc_id = record_id(slug, record.local_id)
    response = client.get(f"/api/v1/cite/{doc_id}", query_string={"format": "ris"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert response.headers["Content-Disposition"].endswith(".ris")
    text = response.get_data(as_text=True)
    assert text.startswith("TY  - MANSCPT\r\n") and text.endswith("ER  - \r\n")
    for line in (f"TI  - {record.title}", f"AU  - {record.creator}", f"PY  - {record.date_start[:4]}",
                 f"AV  - {demo_archives[slug].name}", f"CN  - {record.reference_code}",
                 f"UR  - http://localhost/records/{doc_id}"):
        assert line + "\r\n" in text


def test_closed_and_unknown_records_cannot_be_cited(client, demo_archives):
    slug, closed = next((s, r) for s, r in _live(demo_archives) if r.access == "closed")
    for cite_format in ("csl-json", "bibtex", "ris"):
        response = client.get(f"/api/v1/cite/{record_id(slug, closed.local_id)}",
                              query_string={"format": cite_format})
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
        assert closed.title not in response.get_data(as_text=True)
    assert client.get("/api/v1/cite/nowhere:nothing/at/all").status_code == 404


def test_a_restricted_record_is_cited_by_its_metadata_only(client, demo_archives):
    slug, record = next((s, r) for s, r in _live(demo_archives) if r.access == "restricted" and r.files)
    for cite_format in ("csl-json", "bibtex", "ris"):
        response = client.get(f"/api/v1/cite/{record_id(slug, record.local_id)}",
                              query_string={"format": cite_format})
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert content_token(record) not in text and record.files[0].name not in text


def test_an_unknown_citation_format_is_a_400(client, demo_archives):
    slug, record = _public_item(demo_archives)
    response = client.get(f"/api/v1/cite/{record_id(slug, record.local_id)}", query_string={"format": "docx"})
    assert response.status_code == 400
    assert response.get_json()["error"] == {"code": "bad_request", "parameter": "format",
                                            "message": "format must be one of csl-json, bibtex, ris"}


def test_a_script_title_is_cited_as_plain_data(client, demo_archives):
    slug, record = next((s, r) for s, r in _live(demo_archives) if "<script>" in r.title)
    for cite_format in ("csl-json", "bibtex", "ris"):
        response = client.get(f"/api/v1/cite/{record_id(slug, record.local_id)}",
                              query_string={"format": cite_format})
        assert response.status_code == 200
        assert "html" not in response.headers["Content-Type"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert SCRIPT_TITLE in response.get_data(as_text=True)


# --- when OpenSearch is down -------------------------------------------------------------------------------------
def test_export_and_citation_answer_503_when_opensearch_is_down(tmp_path_factory):
    client = make_portal(tmp_path_factory, OPENSEARCH_URL="http://127.0.0.1:9", OPENSEARCH_TIMEOUT=3).test_client()
    for url in ("/api/v1/export?format=csv&q=hue", "/api/v1/export?format=json",
                "/api/v1/cite/hue:TTH.UBND?format=ris"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert response.get_json()["error"]["code"] == "search_unavailable"
