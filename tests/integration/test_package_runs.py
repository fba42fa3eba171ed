"""Runs of a package source as an archive relies on them: `--full` re-reads done/ into a new index swapped in only
when the run succeeds, text extraction caught up after Tika was down, a dead run's lease recognised, a live
run's lease kept while Tika reads a package."""
from __future__ import annotations

import os
from collections import Counter
from datetime import timedelta

import bagit
import pytest
import requests
from sqlalchemy import select

from demo.packages import BAG_NAME, write_inbox
from indexer.errors import IndexUnavailable
from indexer.package_intake import intake_packages
from indexer.text_extraction import TikaExtractor
from indexer.writer import RecordWriter
from portal import database
from portal.harvest_jobs import harvest_settings
from portal.opensearch import build_client
from schema.index import source_index_pattern
from schema.tables import HarvestedRecord, HarvestRun, Source, utcnow
from tests.conftest import ServerThread, drop_indices, make_portal
from tests.integration.harvest_helpers import indexed, last_run, objects_of
from tests.integration.run_helpers import LeaseWitness, ManualClock

SOURCE = "nop-vinhlong"
RECORDS = 12  # of the four good packages of the demo inbox
TAILIEU = "SIP_tailieu-STC.2023.zip"  # 2 records
OLDER = "SIP_hoso-SNV.2019.07.zip"  # 3 records
BAG_ID = f"{SOURCE}:VL.UBND.2024.ANH01"
NEW_BAG_TITLE = "Ảnh tư liệu lễ kỷ niệm 50 năm giải phóng (bản bổ sung chú thích)"
# Read at collection: TikaExtractor writes the endpoint it is given into the environment.
REAL_TIKA = os.environ.get("TIKA_SERVER_ENDPOINT", "http://127.0.0.1:9998")


def _portal(tmp_path_factory, inbox, **config):
    write_inbox(inbox)
    app = make_portal(tmp_path_factory, **config)
    added = app.test_cli_runner().invoke(args=["sources", "add", "--id", SOURCE, "--kind", "package",
                                               "--url", str(inbox), "--province", "86"])
    assert added.exit_code == 0, added.output
    return app


def _intake(app, *args):
    return app.test_cli_runner().invoke(args=["harvest", "--source", SOURCE, *args])


@pytest.fixture()
def taken_in(tmp_path_factory, tmp_path):
    """A portal that has taken in the demo inbox once."""
    inbox = tmp_path / "inbox"
    app = _portal(tmp_path_factory, inbox)
    try:
        first = _intake(app)
        assert first.exit_code == 0, first.output
        yield app, inbox
    finally:
        drop_indices(app)


def _hashes(app) -> dict[str, str]:
    """record id → content hash of the source's harvested records."""
    with app.app_context():
        rows = database.get_db().scalars(select(HarvestedRecord).where(HarvestedRecord.source_id == SOURCE))
        return {row.record_id: row.content_hash for row in rows}


def _source_indices(app) -> list[str]:
    client = build_client(app.config["OPENSEARCH_URL"])
    return sorted(client.indices.get(index=source_index_pattern(app.config["OPENSEARCH_INDEX_PREFIX"], SOURCE)))


def _packages_in(folder) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir()
                  if not entry.name.endswith(".report.json") and not entry.name.startswith("."))


def _retitle_bag(bag_folder) -> None:
    bag = bagit.Bag(str(bag_folder))
    bag.info["Title"] = NEW_BAG_TITLE
    bag.save()  # bag-info.txt and the tag manifests written again: the bag stays valid


def test_a_full_run_rereads_done_and_drops_what_no_package_holds_and_a_failed_one_changes_nothing(
        taken_in, monkeypatch):
    app, inbox = taken_in
    done = inbox / "done"
    [first_index] = _source_indices(app)
    before, hashes_before = indexed(app, SOURCE), _hashes(app)
    assert len(before) == RECORDS == len(hashes_before)
    (done / TAILIEU).unlink()  # removed from the archive: only a full run notices
    (done / OLDER).rename(inbox / OLDER)  # dropped again into the inbox
    _retitle_bag(done / BAG_NAME)  # changed in place

    def refused(self):
        raise IndexUnavailable("OpenSearch refused the alias change")

    with monkeypatch.context() as patched:
        patched.setattr(RecordWriter, "swap_alias", refused)
        broken = _intake(app, "--full")

    assert broken.exit_code == 1
    failed = last_run(app)
    assert failed.mode == "full" and failed.state == "failed" and "refused the alias change" in failed.message
    assert failed.processed == 3 and failed.lease_owner is None
    assert indexed(app, SOURCE) == before, "readers still see the old index, old titles and all"
    assert _source_indices(app) == [first_index], "the half-built index is deleted"
    assert _hashes(app) == hashes_before
    assert (inbox / OLDER).is_file() and _packages_in(done) == ["SIP_hoso-SNV.2024.01", BAG_NAME]

    result = _intake(app, "--full")

    assert result.exit_code == 0, result.output
    assert "3/3 packages" in result.output
    run = last_run(app)
    assert (run.mode, run.state, run.processed) == ("full", "done", 3)
    assert (run.added, run.updated, run.unchanged, run.deleted, run.failed) == (0, 1, 9, 2, 0)
    after = indexed(app, SOURCE)
    gone = {f"{SOURCE}:000.00.20.H07.2023.CV310", f"{SOURCE}:000.00.20.H07.2023.TB77"}
    assert set(after) == set(before) - gone
    assert after[BAG_ID]["title"] == NEW_BAG_TITLE
    hashes = _hashes(app)
    assert set(hashes) == set(after) and hashes[BAG_ID] != hashes_before[BAG_ID]
    [new_index] = _source_indices(app)
    assert new_index != first_index and new_index == run.target_index
    assert _packages_in(done) == sorted(["SIP_hoso-SNV.2024.01", OLDER, BAG_NAME]) and not (inbox / OLDER).exists()
    objects = objects_of(app, run.id)
    assert Counter(o.state for o in objects) == {"unchanged": 9, "updated": 1}
    assert [o.identifier for o in objects if o.state == "updated"] == [f"{BAG_NAME}/VL.UBND.2024.ANH01"]
    downloaded = app.test_client().get(f"/records/{BAG_ID}/files/1")
    assert downloaded.status_code == 200, "files of packages read in done/ are still served from there"


def test_package_records_indexed_while_tika_was_down_get_their_text_on_the_next_run(tmp_path_factory, tmp_path):
    app = _portal(tmp_path_factory, tmp_path / "inbox", TIKA_SERVER_ENDPOINT="http://127.0.0.1:9")
    try:
        assert _intake(app).exit_code == 0
        with_files = {doc_id for doc_id, d in indexed(app, SOURCE).items() if d.get("files")}
        assert with_files and not any(d.get("content") for d in indexed(app, SOURCE).values())

        app.config["TIKA_SERVER_ENDPOINT"] = REAL_TIKA
        result = _intake(app)

        assert result.exit_code == 0, result.output
        documents = indexed(app, SOURCE)
        assert all(documents[doc_id].get("content") for doc_id in with_files)
        assert all(f["text_extracted"] for doc_id in with_files for f in documents[doc_id]["files"])
        run = last_run(app)
        assert run.updated >= len(with_files) and run.processed == 4  # the four good packages, read in done/
        with app.app_context():
            waiting = database.get_db().scalars(select(HarvestedRecord).where(
                HarvestedRecord.needs_extraction.is_(True))).all()
        assert waiting == []
        assert _packages_in(tmp_path / "inbox" / "done") == sorted(
            ["SIP_hoso-SNV.2024.01", OLDER, TAILIEU, BAG_NAME])
    finally:
        drop_indices(app)


def test_a_package_run_whose_process_died_is_marked_stopped_by_the_next_one(taken_in):
    app, _ = taken_in
    with app.app_context():
        db = database.get_db()
        dead = HarvestRun(source_id=SOURCE, mode="incremental", state="running", errors={},
                          lease_owner="elsewhere:1", heartbeat_at=utcnow() - timedelta(hours=2))
        db.add(dead)
        db.commit()
        dead_id = dead.id

    assert _intake(app).exit_code == 0

    with app.app_context():
        dead = database.get_db().get(HarvestRun, dead_id)
        assert dead.state == "stopped" and "superseded" in dead.message and dead.lease_owner is None


def test_a_package_intake_waiting_on_tika_keeps_its_lease(tmp_path_factory, tmp_path, database_url):
    """The run's clock is the test's: while Tika reads each file the time moves two leases on, and the run
    must have renewed its heartbeat past that before Tika answers (run_helpers.LeaseWitness)."""
    lease_seconds, clock = 300, ManualClock()
    witness: LeaseWitness | None = None

    def slow_tika(environ, start_response):  # the real Tika, two leases late on every file
        if environ["REQUEST_METHOD"] == "PUT":
            witness.outlast_the_lease()
        length = int(environ.get("CONTENT_LENGTH") or 0)
        headers = {name: environ[key] for name, key in (("Accept", "HTTP_ACCEPT"), ("writeLimit", "HTTP_WRITELIMIT"),
                                                        ("Content-Type", "CONTENT_TYPE")) if environ.get(key)}
        answer = requests.request(environ["REQUEST_METHOD"], REAL_TIKA + environ["PATH_INFO"], headers=headers,
                                  data=environ["wsgi.input"].read(length) if length else None, timeout=60)
        start_response(f"{answer.status_code} {answer.reason}",
                       [("Content-Type", answer.headers.get("Content-Type", "application/octet-stream"))])
        return [answer.content]

    with ServerThread(slow_tika) as tika:
        app = _portal(tmp_path_factory, tmp_path / "inbox", database_url=database_url, TIKA_SERVER_ENDPOINT=tika.url)
        witness = LeaseWitness(app.config["DATABASE_URL"], clock, lease_seconds)
        try:
            with app.app_context():
                db = database.get_db()
                settings = harvest_settings(app.config)
                settings.lease_seconds, settings.clock = lease_seconds, clock
                run = intake_packages(db, db.get(Source, SOURCE), build_client(app.config["OPENSEARCH_URL"]),
                                      TikaExtractor(tika.url), settings)
                outcome = (run.state, run.failed, run.files_extracted)

            assert outcome[:2] == ("done-with-errors", 1)  # the demo inbox's damaged package
            assert outcome[2] > 0 and len(witness.kept) >= outcome[2]  # every file Tika read took two leases
            assert all(witness.kept)
            assert len(indexed(app, SOURCE)) == RECORDS
        finally:
            drop_indices(app)
