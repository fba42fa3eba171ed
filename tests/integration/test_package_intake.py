"""Intake of the demo inbox (TT 05/2025 SIPs, a damaged one, a BagIt bag) into the real OpenSearch, text by Tika."""
from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from demo.packages import BAD_TOKEN, BAG_NAME, GOOD_TOKEN, SIGNER_NAME, DemoSigning, write_ca_certificate, write_inbox
from portal.opensearch import build_client
from schema.index import alias_name
from tests.conftest import drop_indices, make_portal

SOURCE = "nop-vinhlong"
DAMAGED = "SIP_hoso-SNV.2024.02-hong"
IMPORTED = ["SIP_hoso-SNV.2019.07.zip", "SIP_hoso-SNV.2024.01", "SIP_tailieu-STC.2023.zip", BAG_NAME]
# fonds, series, hồ sơ, 3 documents; fonds, hồ sơ, 1 document; 2 documents alone; the bag's one hồ sơ
EXPECTED_RECORDS = 6 + 3 + 2 + 1


@pytest.fixture(scope="module")
def intake(tmp_path_factory):
    root = tmp_path_factory.mktemp("packages")
    signing = DemoSigning()
    inbox = root / "inbox"
    write_inbox(inbox, signing)
    trust_roots = write_ca_certificate(root / "demo-ca.pem", signing)
    app = make_portal(tmp_path_factory, SIGNATURE_TRUST_ROOTS=str(trust_roots))
    runner = app.test_cli_runner()
    added = runner.invoke(args=["sources", "add", "--id", SOURCE, "--kind", "package", "--url", str(inbox),
                                "--province", "86"])
    assert added.exit_code == 0, added.output
    result = runner.invoke(args=["harvest", "--source", SOURCE])
    yield app, inbox, result
    drop_indices(app)


def _search(app, body: dict) -> list[dict]:
    client = build_client(app.config["OPENSEARCH_URL"])
    hits = client.search(index=alias_name(app.config["OPENSEARCH_INDEX_PREFIX"]), body={"size": 100, **body})
    return [hit["_source"] for hit in hits["hits"]["hits"]]


def _get(app, local_id: str) -> dict | None:
    found = _search(app, {"query": {"ids": {"values": [f"{SOURCE}:{local_id}"]}}})
    return found[0] if found else None


def test_good_packages_are_indexed_and_the_damaged_one_is_reported(intake):
    app, _, result = intake
    assert result.exit_code == 0, result.output
    assert f"added {EXPECTED_RECORDS}, updated 0, deleted 0, failed 1" in result.output
    assert "representations/rep1/data/DS-2024.pdf" in result.output
    assert len(_search(app, {"query": {"term": {"source_id": SOURCE}}})) == EXPECTED_RECORDS


def test_nothing_of_the_rejected_package_is_indexed(intake):
    app, _, _ = intake
    assert _get(app, "VL.SNV.2024.01.HS002") is None
    assert _get(app, "000.00.12.H62.2024.QD200") is None
    assert _search(app, {"query": {"match": {"content": BAD_TOKEN}}}) == []
    assert _search(app, {"query": {"match_phrase": {"title": "khen thưởng năm 2024"}}}) == []


def test_processed_packages_leave_the_inbox_with_a_report_beside_them(intake):
    _, inbox, _ = intake
    assert sorted(e.name for e in inbox.iterdir() if not e.name.startswith(".")) == ["done", "rejected"]
    assert sorted(e.name for e in (inbox / "done").iterdir() if not e.name.endswith(".report.json")) == IMPORTED
    report = json.loads((inbox / "rejected" / f"{DAMAGED}.report.json").read_text(encoding="utf-8"))
    assert report["outcome"] == "rejected"
    assert [p["file"] for p in report["problems"]] == ["representations/rep1/data/DS-2024.pdf"]
    assert "checksum mismatch" in report["problems"][0]["problem"]
    assert (inbox / "rejected" / DAMAGED / "METS.xml").is_file()
    done = json.loads((inbox / "done" / "SIP_hoso-SNV.2024.01.report.json").read_text(encoding="utf-8"))
    assert done["outcome"] == "imported" and f"{SOURCE}:VL.SNV.2024.01.HS001" in done["records"]


def test_hierarchy_access_and_origin_of_the_package_records(intake):
    app, _, _ = intake
    hoso = _get(app, "VL.SNV.2024.01.HS001")
    assert hoso["level"] == "file" and hoso["path"] == [f"{SOURCE}:VL.SNV", f"{SOURCE}:VL.SNV/ML01"]
    assert hoso["retention"] == "Vĩnh viễn" and hoso["reliability"] == "digitised"
    assert _get(app, "000.00.12.H62.2024.DM01")["access"] == "closed"
    older = _get(app, "TV.SNV.2019.07.HS012")
    assert older["access"] == "restricted" and older["origin_province"] == "84"
    assert older["origin_province_current"] == "86" and older["holding_province"] == "86"
    assert _get(app, "000.00.20.H07.2023.CV310")["origin_province"] == "83"


def test_files_carry_checksum_text_and_signature_status(intake):
    app, inbox, _ = intake
    item = _get(app, "000.00.12.H62.2024.KH12")
    (entry,) = item["files"]
    data = inbox / "done" / "SIP_hoso-SNV.2024.01" / "representations/rep1/data/KH-12-2024.pdf"
    assert entry["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert entry["media_type"] == "application/pdf" and entry["text_extracted"] is True
    assert entry["signature"]["status"] == "valid" and entry["signature"]["signer"] == SIGNER_NAME
    assert f"{GOOD_TOKEN}01" in item["content"]
    unsigned = _get(app, "000.00.20.H07.2023.TB77")["files"][0]
    assert unsigned["signature"] == {"status": "none"}
    docx = _get(app, "000.00.12.H62.2024.DM01")["files"][0]
    assert docx["name"] == "DM-2024.docx" and docx["text_extracted"] is True and "signature" not in docx
    bag = _get(app, "VL.UBND.2024.ANH01")
    assert sorted(f["name"] for f in bag["files"]) == ["chu-thich-anh.txt", "phat-bieu.pdf"]
    assert f"{GOOD_TOKEN}07" in bag["content"]


def test_package_records_are_found_through_the_portal_api(intake):
    app, _, _ = intake
    client = app.test_client()
    found = client.get(f"/api/v1/search?q={GOOD_TOKEN}02").get_json()
    assert [hit["id"] for hit in found["hits"]] == [f"{SOURCE}:000.00.12.H62.2024.BB45"]
    record = client.get(f"/api/v1/records/{SOURCE}:000.00.12.H62.2024.BB45").get_json()
    assert record["doc_number"] == "45/BB-LTLS" and record["files"][0]["signature"]["status"] == "valid"
    assert client.get(f"/api/v1/records/{SOURCE}:000.00.12.H62.2024.DM01").status_code == 404  # Mật: closed
    assert client.get("/api/v1/search?q=MATKHAUSIP03").get_json()["total"] == 0


def test_a_second_run_takes_nothing_and_a_redropped_package_is_idempotent(intake):
    app, inbox, _ = intake
    runner = app.test_cli_runner()
    again = runner.invoke(args=["harvest", "--source", SOURCE])
    assert again.exit_code == 0, again.output
    assert "added 0, updated 0, deleted 0, failed 0" in again.output
    shutil.copytree(inbox / "done" / "SIP_hoso-SNV.2024.01", inbox / "SIP_hoso-SNV.2024.01")
    redropped = runner.invoke(args=["harvest", "--source", SOURCE])
    assert redropped.exit_code == 0, redropped.output
    assert "added 0, updated 6, deleted 0, failed 0" in redropped.output
    assert len(_search(app, {"query": {"term": {"source_id": SOURCE}}})) == EXPECTED_RECORDS
    assert not (inbox / "SIP_hoso-SNV.2024.01").exists()


def test_a_package_source_needs_an_existing_inbox_directory(tmp_path_factory, tmp_path):
    app = make_portal(tmp_path_factory)
    result = app.test_cli_runner().invoke(args=["sources", "add", "--id", "x", "--kind", "package", "--url",
                                                str(tmp_path / "missing"), "--province", "86"])
    assert result.exit_code != 0 and "is not a directory" in result.output


def test_a_second_intake_on_the_same_inbox_at_once_is_refused(tmp_path_factory, tmp_path):
    import fcntl

    app = make_portal(tmp_path_factory)
    try:
        runner = app.test_cli_runner()
        runner.invoke(args=["sources", "add", "--id", "busy", "--kind", "package", "--url", str(tmp_path),
                            "--province", "86"])
        with open(tmp_path / ".intake.lock", "w") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            result = runner.invoke(args=["harvest", "--source", "busy"])
        assert result.exit_code == 1 and "another intake" in result.output
    finally:
        drop_indices(app)


def test_the_record_page_names_the_reliability_and_keywords_in_vietnamese(intake):
    app, _, _ = intake
    page = app.test_client().get(f"/records/{SOURCE}:VL.SNV.2024.01.HS001").get_data(as_text=True)
    assert "Số hóa" in page and "Từ khóa" in page and "nộp lưu, tài liệu điện tử, giao nhận" in page
    assert "digitised" not in page
