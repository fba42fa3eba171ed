"""Intake of the demo inbox (TT 05/2025 SIPs, a damaged one, a BagIt bag) into the real OpenSearch, text by Tika:
what is indexed, the harvest objects and harvested records a run keeps, and the packages' files downloaded."""
from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter

import pytest
from flask import has_app_context
from sqlalchemy import select

from demo.packages import BAD_TOKEN, BAG_NAME, GOOD_TOKEN, SIGNER_NAME, DemoSigning, write_ca_certificate, write_inbox
from portal import database
from portal.opensearch import build_client
from schema.index import alias_name
from schema.tables import HarvestedRecord, HarvestRun
from tests.accounts import signed_in_client
from tests.conftest import drop_indices, make_portal
from tests.integration.harvest_helpers import harvested_inbox, objects_of

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
    app, _, result = harvested_inbox(tmp_path_factory, SOURCE, inbox, SIGNATURE_TRUST_ROOTS=str(trust_roots))
    yield app, inbox, result
    drop_indices(app)


def _search(app, body: dict) -> list[dict]:
    client = build_client(app.config["OPENSEARCH_URL"])
    hits = client.search(index=alias_name(app.config["OPENSEARCH_INDEX_PREFIX"]), body={"size": 100, **body})
    return [hit["_source"] for hit in hits["hits"]["hits"]]


def _get(app, local_id: str) -> dict | None:
    found = _search(app, {"query": {"ids": {"values": [f"{SOURCE}:{local_id}"]}}})
    return found[0] if found else None


def _runs(app) -> list[HarvestRun]:
    with app.app_context():
        db = database.get_db()
        runs = db.scalars(select(HarvestRun).order_by(HarvestRun.id)).all()
        for run in runs:
            db.expunge(run)
        return runs


def _harvested(app) -> dict[str, HarvestedRecord]:
    with app.app_context():
        db = database.get_db()
        rows = db.scalars(select(HarvestedRecord).where(HarvestedRecord.source_id == SOURCE)).all()
        for row in rows:
            db.expunge(row)
        return {row.record_id: row for row in rows}


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


def test_the_first_run_keeps_a_harvest_object_per_record_and_a_failed_one_for_the_rejected_package(intake):
    app, _, result = intake
    first = _runs(app)[0]
    objects = objects_of(app, first.id)
    failed = [o for o in objects if o.state == "failed"]
    assert [(o.identifier, o.error_kind, o.record_id) for o in failed] == [(DAMAGED, "package", None)]
    assert "representations/rep1/data/DS-2024.pdf" in failed[0].error and "checksum mismatch" in failed[0].error
    added = {o.record_id: o for o in objects if o.state == "added"}
    assert len(added) == EXPECTED_RECORDS == len(objects) - 1
    hoso = added[f"{SOURCE}:VL.SNV.2024.01.HS001"]
    assert hoso.identifier == "SIP_hoso-SNV.2024.01/VL.SNV.2024.01.HS001"
    assert hoso.datestamp == "2025-07-15T08:00:00+07:00"
    assert added[f"{SOURCE}:VL.UBND.2024.ANH01"].identifier == f"{BAG_NAME}/VL.UBND.2024.ANH01"
    rows = _harvested(app)
    assert set(rows) == set(added)
    bag = rows[f"{SOURCE}:VL.UBND.2024.ANH01"]
    assert bag.last_run_id == first.id and len(bag.content_hash) == 64 and not bag.needs_extraction
    assert bag.identifier == f"{BAG_NAME}/VL.UBND.2024.ANH01"
    assert (first.added, first.updated, first.unchanged, first.failed) == (EXPECTED_RECORDS, 0, 0, 1)
    assert first.processed == first.complete_list_size == 5
    assert first.heartbeat_at is not None and first.lease_owner is None and first.finished_at is not None
    assert "5/5 packages" in result.output and "records/s" not in result.output


def test_the_admin_page_of_a_package_run_lists_the_rejected_package(intake):
    app, _, _ = intake
    first = _runs(app)[0]
    client = signed_in_client(app, "staff86.packages@example.vn", "staff", "86")
    page = client.get(f"/admin/harvests/{first.id}?lang=en")
    assert page.status_code == 200
    assert "Packages and records that failed" in page.text and "5 of 5 packages read" in page.text
    table = page.text.split("Packages and records that failed")[1]
    row = table.split(f"<td><code>{DAMAGED}</code></td>")[1].split("</tr>")[0]
    assert "package: rejected, nothing indexed: representations/rep1/data/DS-2024.pdf" in row
    vietnamese = client.get(f"/admin/harvests/{first.id}?lang=vi").text
    assert "Gói tin và bản ghi bị lỗi" in vietnamese and "Đã đọc 5 trên 5 gói tin" in vietnamese


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
    assert "added 0, updated 0, deleted 0, failed 0, unchanged 0" in again.output
    assert objects_of(app, _runs(app)[-1].id) == []
    shutil.copytree(inbox / "done" / "SIP_hoso-SNV.2024.01", inbox / "SIP_hoso-SNV.2024.01")
    redropped = runner.invoke(args=["harvest", "--source", SOURCE])
    assert redropped.exit_code == 0, redropped.output
    assert "added 0, updated 0, deleted 0, failed 0, unchanged 6" in redropped.output
    assert len(_search(app, {"query": {"term": {"source_id": SOURCE}}})) == EXPECTED_RECORDS
    assert not (inbox / "SIP_hoso-SNV.2024.01").exists()
    run = _runs(app)[-1]
    objects = objects_of(app, run.id)
    assert Counter(o.state for o in objects) == {"unchanged": 6}
    assert all(o.identifier.startswith("SIP_hoso-SNV.2024.01/") for o in objects)
    assert run.processed == 1 and run.complete_list_size == 1
    rows = _harvested(app)
    assert len(rows) == EXPECTED_RECORDS
    assert sorted(r.record_id for r in rows.values() if r.last_run_id == run.id) == sorted(o.record_id for o in objects)


def test_a_package_source_needs_an_existing_inbox_directory(tmp_path_factory, tmp_path):
    app = make_portal(tmp_path_factory)
    result = app.test_cli_runner().invoke(args=["sources", "add", "--id", "x", "--kind", "package", "--url",
                                                str(tmp_path / "missing"), "--province", "86"])
    assert result.exit_code != 0 and "is not a directory" in result.output


def test_a_second_intake_of_a_source_is_refused_while_a_live_run_holds_it(tmp_path_factory, tmp_path, database_url):
    from indexer.runs import new_lease_owner

    write_inbox(tmp_path)
    app = make_portal(tmp_path_factory, database_url=database_url)
    try:
        runner = app.test_cli_runner()
        runner.invoke(args=["sources", "add", "--id", "busy", "--kind", "package", "--url", str(tmp_path),
                            "--province", "86"])
        with app.app_context():  # a live intake of the source (this process), on this host or another
            db = database.get_db()
            db.add(HarvestRun.begin("busy", "incremental", new_lease_owner()))
            db.commit()
        waiting = sorted(entry.name for entry in tmp_path.iterdir())

        result = runner.invoke(args=["harvest", "--source", "busy"])

        assert result.exit_code == 1 and "source busy is being harvested by" in result.output
        with app.app_context():
            assert [r.state for r in database.get_db().scalars(select(HarvestRun))] == ["running"]
        assert sorted(entry.name for entry in tmp_path.iterdir()) == waiting  # nothing taken in, nothing moved
    finally:
        drop_indices(app)


@pytest.mark.parametrize("option", [["--set", "P01"], ["--until", "2025-01-01"], ["--record", "HS001"]])
def test_options_of_oai_pmh_runs_are_refused_for_a_package_inbox(tmp_path_factory, tmp_path, option):
    app = make_portal(tmp_path_factory)
    try:
        runner = app.test_cli_runner()
        runner.invoke(args=["sources", "add", "--id", "inbox", "--kind", "package", "--url", str(tmp_path),
                            "--province", "86"])
        result = runner.invoke(args=["harvest", "--source", "inbox", *option])
        assert result.exit_code == 2 and "inbox is a package inbox" in result.output
        with app.app_context():
            assert database.get_db().scalars(select(HarvestRun)).first() is None  # no run was started
    finally:
        drop_indices(app)


def test_the_record_page_names_the_reliability_and_keywords_in_vietnamese(intake):
    app, _, _ = intake
    page = app.test_client().get(f"/records/{SOURCE}:VL.SNV.2024.01.HS001").get_data(as_text=True)
    assert "Số hóa" in page and "Từ khóa" in page and "nộp lưu, tài liệu điện tử, giao nhận" in page
    assert "digitised" not in page


# --- files of packages, downloaded ---

@pytest.mark.parametrize("local_id, package", [
    ("000.00.12.H62.2024.KH12", "SIP_hoso-SNV.2024.01/"),  # a folder package
    ("000.00.20.H07.2023.TB77", "SIP_tailieu-STC.2023.zip/"),  # a zip package
    ("VL.UBND.2024.ANH01", f"{BAG_NAME}/data/"),  # a BagIt bag, two files
])
def test_a_package_file_downloads_with_the_bytes_its_checksum_names(intake, local_id, package):
    app, _, _ = intake
    client = app.test_client()
    record = _get(app, local_id)
    page = client.get(f"/records/{record['id']}").get_data(as_text=True)
    assert record["files"]
    for number, entry in enumerate(record["files"], start=1):
        assert entry["package_path"].startswith(package) and entry["package_path"].endswith("/" + entry["name"])
        link = f'/records/{record["id"]}/files/{number}'
        assert f'href="{link}"' in page
        response = client.get(link)
        assert response.status_code == 200, response.text[:300]
        assert hashlib.sha256(response.data).hexdigest() == entry["sha256"]
        assert int(response.headers["Content-Length"]) == entry["size"] == len(response.data)
        assert response.headers["Content-Disposition"].startswith("attachment;")
    abandoned = client.get(f'/records/{record["id"]}/files/1', buffered=False)  # nobody reads it to the end
    assert abandoned.status_code == 200 and not has_app_context()  # leaves no context of this app behind
    abandoned.close()
    # The API names where the portal hands each file over, never where the inbox keeps it.
    api_files = client.get(f"/api/v1/records/{record['id']}").get_json()["files"]
    assert [f["download_url"] for f in api_files] == [
        f"http://localhost/records/{record['id']}/files/{n}" for n in range(1, len(api_files) + 1)]
    assert not any("package_path" in f for f in api_files)


def test_a_package_path_leading_out_of_done_is_refused_and_a_missing_file_is_unavailable(intake):
    app, inbox, _ = intake
    done, outside = inbox / "done", inbox / "rejected" / DAMAGED / "METS.xml"  # a real file beside done/
    opensearch = build_client(app.config["OPENSEARCH_URL"])
    doc_id = f"{SOURCE}:000.00.20.H07.2023.CV310"
    [index] = opensearch.indices.get_alias(name=alias_name(app.config["OPENSEARCH_INDEX_PREFIX"]))
    original = opensearch.get(index=index, id=doc_id)["_source"]
    (done / "escape").mkdir()
    (done / "escape" / "passwd").symlink_to("/etc/passwd")
    (done / "link-out").symlink_to(inbox / "rejected", target_is_directory=True)
    client = app.test_client()

    def download_with(package_path: str) -> int:
        files = [{**original["files"][0], "package_path": package_path}]
        opensearch.update(index=index, id=doc_id, body={"doc": {"files": files}}, refresh=True)
        return client.get(f"/records/{doc_id}/files/1").status_code

    try:
        assert outside.is_file()
        for escaping in ["../../../../../../../../../../../../../etc/passwd", "/etc/passwd",
                         f"SIP_hoso-SNV.2024.01/../../rejected/{DAMAGED}/METS.xml",
                         f"../rejected/{DAMAGED}/METS.xml", "escape/passwd", f"link-out/{DAMAGED}/METS.xml"]:
            assert download_with(escaping) == 404, escaping
        assert download_with("SIP_hoso-SNV.2024.01/representations/rep1/data/no-such-file.pdf") == 502
        assert download_with("SIP_tailieu-STC.2023.zip/SIP_tailieu-STC.2023/no-such-member.pdf") == 502
    finally:
        opensearch.index(index=index, id=doc_id, body=original, refresh=True)
        (done / "link-out").unlink()
        shutil.rmtree(done / "escape")


def test_the_reports_of_a_package_source_name_no_server_folder(tmp_path_factory):
    """What the admin pages show of a package run names packages and the files inside them, never the server's
    folders (issue 15: "Could not read /srv/…"): a rejected package, then an inbox gone from the server."""
    root = tmp_path_factory.mktemp("server-paths")
    inbox = root / "srv" / "luutru" / "inbox"
    (inbox / "SIP_hong-xml").mkdir(parents=True)
    (inbox / "SIP_hong-xml" / "METS.xml").write_text("<mets><metsHdr></mets>", encoding="utf-8")
    app, runner, _ = harvested_inbox(tmp_path_factory, "paths", inbox)
    try:
        run = _runs(app)[-1]
        (kind, count, entries), = run.error_kinds()
        assert kind == "package" and count == 1
        assert "METS.xml" in entries[0]["message"] and str(root) not in entries[0]["message"]
        failed = [o for o in objects_of(app, run.id) if o.state == "failed"]
        assert failed and str(root) not in failed[0].error

        shutil.rmtree(inbox)  # the inbox's disk is not mounted
        assert runner.invoke(args=["harvest", "--source", "paths"]).exit_code != 0
        gone = _runs(app)[-1]
        assert gone.state == "failed" and "not a directory" in gone.message
        assert str(root) not in gone.message and "/srv/" not in gone.message, gone.message
    finally:
        drop_indices(app)


def test_a_bag_with_another_bags_identifier_is_refused_not_merged(tmp_path_factory):
    """Sixteen bags of the LoC suite share one External-Identifier and each took over the one record of the bag
    before (issue 15). The first keeps it; the second is refused, naming the first, and changes nothing."""
    import bagit

    root = tmp_path_factory.mktemp("shared-identifier")
    inbox = root / "inbox"
    for name, title in (("bag-a", "Ảnh tư liệu A"), ("bag-b", "Ảnh tư liệu B")):
        folder = inbox / name
        (folder).mkdir(parents=True)
        (folder / "anh.txt").write_text(f"{title}\n", encoding="utf-8")
        bagit.make_bag(str(folder), {"External-Identifier": "LOC.SHARED.1", "Title": title,
                                     "Access-Level": "Công khai"}, processes=1, checksums=["sha256"])
    app, _, _ = harvested_inbox(tmp_path_factory, "bags", inbox)
    try:
        held = _search(app, {"query": {"term": {"source_id": "bags"}}})
        assert [d["title"] for d in held] == ["Ảnh tư liệu A"]
        run = _runs(app)[-1]
        assert run.added == 1 and run.failed == 1
        (kind, count, entries), = run.error_kinds()
        assert kind == "package" and entries[0]["record"] == "bag-b"
        assert "'LOC.SHARED.1' is already held by the package 'bag-a'" in entries[0]["message"]
        assert (inbox / "rejected" / "bag-b").is_dir() and (inbox / "done" / "bag-a").is_dir()
    finally:
        drop_indices(app)
