"""Harvest runs as an archive relies on them: killed and resumed, OpenSearch lost and found,
full rebuilds swapped in, sets, single records, schedules, text extraction caught up."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest
from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
from sqlalchemy import select

from demo.fault_provider import FaultProvider, FaultRecord, Faults, numbered_records
from indexer.harvest import harvest_source
from indexer.text_extraction import TikaExtractor
from portal import database
from portal.audit import actions as audit_actions
from portal.harvest_jobs import harvest_settings
from portal.opensearch import build_client
from schema.index import alias_name, source_index_pattern
from schema.tables import HarvestRun, Source
from tests.accounts import create_user, csrf_token, sign_in
from tests.audit_support import audit_rows
from tests.conftest import DEMO_SOURCES, ServerThread, add_demo_sources, drop_indices
from tests.integration.harvest_helpers import SOURCE, harvest, indexed, last_run, live_ids, portal_for

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NEWER = "2025-02-01T00:00:00Z"
# Read at collection: TikaExtractor writes the endpoint it is given into the environment.
REAL_TIKA = os.environ.get("TIKA_SERVER_ENDPOINT", "http://127.0.0.1:9998")


def _change_the_source(records: list[FaultRecord]) -> None:
    """5 records deleted, 5 retitled, 20 new: all with a newer datestamp."""
    for record in records[:5]:
        record.deleted, record.datestamp = True, NEWER
    for record in records[5:10]:
        record.title, record.datestamp = record.title + " (đã sửa)", NEWER
    records += numbered_records(20, start=len(records) + 1, datestamp=NEWER)


def _assert_index_equals_source(app, records) -> None:
    documents = indexed(app)
    assert set(documents) == live_ids(records)
    for record in records:
        if not record.deleted:
            assert documents[f"{SOURCE}:{record.local_id}"]["title"] == record.title


def _source_indices(app) -> list[str]:
    client = build_client(app.config["OPENSEARCH_URL"])
    return sorted(client.indices.get(index=source_index_pattern(app.config["OPENSEARCH_INDEX_PREFIX"], SOURCE)))


@pytest.mark.parametrize("import_records", ["1", "10"])  # page by page, and two pages of 5 taken together
def test_a_run_killed_with_sigkill_is_resumed_from_its_checkpoint_and_nothing_is_lost_or_doubled(tmp_path_factory,
                                                                                                 import_records):
    records = numbered_records(40)
    provider = FaultProvider(records, Faults(page_size=5))
    with ServerThread(provider) as server:
        app = portal_for(tmp_path_factory, server.url, HARVEST_IMPORT_RECORDS=int(import_records))
        try:
            assert harvest(app).exit_code == 0
            _change_the_source(records)
            provider.faults.delay = 0.4
            env = {**os.environ, "FLASK_APP": "app", "DATABASE_URL": app.config["DATABASE_URL"],
                   "OPENSEARCH_URL": app.config["OPENSEARCH_URL"],
                   "OPENSEARCH_INDEX_PREFIX": app.config["OPENSEARCH_INDEX_PREFIX"],
                   "TIKA_SERVER_ENDPOINT": app.config["TIKA_SERVER_ENDPOINT"], "HARVEST_BACKOFF": "0.01",
                   "HARVEST_IMPORT_RECORDS": import_records}
            process = subprocess.Popen([sys.executable, "-m", "flask", "harvest", "--source", SOURCE],
                                       cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                time.sleep(0.2)
                run = last_run(app)
                if run.id == 2 and run.processed >= 15:
                    break
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            killed = last_run(app)
            assert killed.id == 2 and killed.state == "running" and 15 <= killed.processed < 60
            assert killed.processed % int(import_records) == 0  # booked, and checkpointed, pages taken together

            provider.faults.delay = 0
            result = harvest(app)

            assert result.exit_code == 0, result.output
            run = last_run(app)
            assert run.id == killed.id and run.resumed == 1 and run.state == "done"
            assert (run.added, run.updated, run.deleted, run.unchanged, run.failed) == (20, 5, 5, 30, 0)
            _assert_index_equals_source(app, records)
        finally:
            drop_indices(app)


class OpenSearchGoingAway(OpenSearch):
    """A client whose bulk writes stop reaching OpenSearch after a few."""

    def __init__(self, url: str, bulks_before_failing: int):
        super().__init__(hosts=[url], timeout=30)
        self.bulks_left = bulks_before_failing

    def bulk(self, *args, **kwargs):
        if self.bulks_left <= 0:
            raise OpenSearchConnectionError("N/A", "OpenSearch went away", None)
        self.bulks_left -= 1
        return super().bulk(*args, **kwargs)


def test_opensearch_going_away_stops_the_run_cleanly_and_a_later_run_loses_nothing(tmp_path_factory):
    records = numbered_records(40)
    provider = FaultProvider(records, Faults(page_size=5))
    with ServerThread(provider) as server:
        app = portal_for(tmp_path_factory, server.url)
        try:
            with app.app_context():
                db = database.get_db()
                run = harvest_source(db, db.get(Source, SOURCE), OpenSearchGoingAway(app.config["OPENSEARCH_URL"], 3),
                                     TikaExtractor(app.config["TIKA_SERVER_ENDPOINT"]), harvest_settings(app.config))
                assert run.state == "stopped" and run.resumable and run.checkpoint_token
                assert "OpenSearch went away" in run.message
                assert run.added == 15  # the three pages written before it went away (a bulk request a page)
            assert len(indexed(app)) == 15

            result = harvest(app)

            assert result.exit_code == 0, result.output
            resumed = last_run(app)
            assert resumed.id == run.id and resumed.state == "done" and resumed.added == 40
            _assert_index_equals_source(app, records)
        finally:
            drop_indices(app)


def test_a_full_run_builds_a_new_index_and_swaps_it_in_only_when_it_succeeds(tmp_path_factory):
    records = numbered_records(25)
    provider = FaultProvider(records, Faults(page_size=5))
    with ServerThread(provider) as server:
        app = portal_for(tmp_path_factory, server.url)
        try:
            assert harvest(app).exit_code == 0
            [first_index] = _source_indices(app)
            del records[:5]  # gone from the source without a trace: only a full run notices
            provider.faults.fail_after = 3  # Identify and two pages, then the source breaks down

            broken = harvest(app, "--full")

            assert broken.exit_code == 1
            stopped = last_run(app)
            assert stopped.state == "stopped" and stopped.resumable and stopped.target_index
            assert len(indexed(app)) == 25, "readers still see the whole old index"

            provider.faults.fail_after = None
            result = harvest(app)  # takes up the full run where it stopped

            assert result.exit_code == 0, result.output
            run = last_run(app)
            assert run.id == stopped.id and run.mode == "full" and run.deleted == 5
            assert _source_indices(app) == [stopped.target_index] != [first_index]
            _assert_index_equals_source(app, records)
        finally:
            drop_indices(app)


def test_a_sources_first_harvest_may_be_a_full_one(tmp_path_factory):
    records = numbered_records(8)
    with ServerThread(FaultProvider(records, Faults(page_size=4))) as server:
        app = portal_for(tmp_path_factory, server.url)
        try:
            result = harvest(app, "--full")  # no index of the source behind the alias yet

            assert result.exit_code == 0, result.output
            assert (last_run(app).state, last_run(app).added) == ("done", 8)
            assert set(indexed(app)) == live_ids(records)
        finally:
            drop_indices(app)


def test_a_set_is_harvested_alone_and_an_unknown_set_is_refused(tmp_path_factory):
    records = [FaultRecord(f"A{n}", "2025-01-01T00:00:00Z", f"Hồ sơ A{n}", sets=("P01",)) for n in range(3)] + \
              [FaultRecord(f"B{n}", "2025-01-01T00:00:00Z", f"Hồ sơ B{n}", sets=("P02",)) for n in range(4)]
    provider = FaultProvider(records, Faults(sets=(("P01", "Phông UBND"), ("P02", "Phông Sở Nội vụ"))))
    with ServerThread(provider) as server:
        app = portal_for(tmp_path_factory, server.url)
        try:
            listed = app.test_cli_runner().invoke(args=["sources", "sets", SOURCE])
            assert "P01" in listed.output and "Phông Sở Nội vụ" in listed.output
            assert harvest(app, "--set", "P09").exit_code != 0

            result = harvest(app, "--set", "P02")

            assert result.exit_code == 0, result.output
            assert set(indexed(app)) == {f"{SOURCE}:B{n}" for n in range(4)}
            with app.app_context():  # a part of the list must not move the source's incremental mark
                assert database.get_db().get(Source, SOURCE).last_datestamp is None
        finally:
            drop_indices(app)


def test_one_record_is_refreshed_with_get_record(tmp_path_factory):
    records = numbered_records(12)
    provider = FaultProvider(records, Faults())
    with ServerThread(provider) as server:
        app = portal_for(tmp_path_factory, server.url)
        try:
            assert harvest(app).exit_code == 0
            records[2].title = "Tiêu đề mới của hồ sơ 3"

            result = harvest(app, "--record", "HS003")

            assert result.exit_code == 0, result.output
            run = last_run(app)
            assert run.mode == "record" and (run.updated, run.added, run.unchanged) == (1, 0, 0)
            assert indexed(app)[f"{SOURCE}:HS003"]["title"] == "Tiêu đề mới của hồ sơ 3"
            assert [r for r in provider.requests if r.get("verb") == "GetRecord"][0]["identifier"] == \
                "oai:faulty.luutru.test:HS003"
        finally:
            drop_indices(app)


def test_due_runs_the_sources_whose_schedule_says_so(tmp_path_factory):
    provider = FaultProvider(numbered_records(3), Faults())
    with ServerThread(provider) as server:
        app = portal_for(tmp_path_factory, server.url, extra_args=("--schedule", "daily"))
        try:
            runner = app.test_cli_runner()
            first = runner.invoke(args=["harvest", "--due"])
            assert first.exit_code == 0 and f"harvesting {SOURCE}" in first.output
            again = runner.invoke(args=["harvest", "--due"])
            assert again.exit_code == 0 and "no source is due" in again.output
            assert "next due" in runner.invoke(args=["sources", "list"]).output
            refused = runner.invoke(args=["sources", "add", "--id", "x", "--province", "86", "--url",
                                          "http://127.0.0.1:9/oai", "--schedule", "sometimes"])
            assert refused.exit_code != 0 and "not a schedule" in refused.output
        finally:
            drop_indices(app)


def test_a_second_process_is_refused_while_a_live_run_holds_the_lease(tmp_path_factory):
    provider = FaultProvider(numbered_records(3), Faults())
    with ServerThread(provider) as server:
        app = portal_for(tmp_path_factory, server.url)
        try:
            assert harvest(app).exit_code == 0
            with app.app_context():
                db = database.get_db()
                run = db.get(type(last_run(app)), last_run(app).id)
                run.state, run.lease_owner = "running", f"{os.uname().nodename}:{os.getpid()}"
                run.heartbeat_at = run.started_at.__class__.now(run.started_at.tzinfo)
                db.commit()
            result = harvest(app)
            assert result.exit_code == 1 and "is being harvested by" in result.output
        finally:
            drop_indices(app)


def test_records_indexed_while_tika_was_down_get_their_text_on_the_next_run(tmp_path_factory, demo_provider):
    from tests.conftest import make_portal

    app = make_portal(tmp_path_factory, TIKA_SERVER_ENDPOINT="http://127.0.0.1:9")
    try:
        add_demo_sources(app, demo_provider.url, only={"hue": DEMO_SOURCES["hue"]})
        runner = app.test_cli_runner()
        runner.invoke(args=["sources", "add", "--id", "hue", "--province", "46", "--set", "P01",
                            "--url", f"{demo_provider.url}/hue/oai"])
        assert runner.invoke(args=["harvest", "--source", "hue"]).exit_code == 0
        without_text = [d for d in indexed(app, "hue").values() if d.get("files")]
        assert without_text and not any(d.get("content") for d in without_text)

        app.config["TIKA_SERVER_ENDPOINT"] = REAL_TIKA
        result = runner.invoke(args=["harvest", "--source", "hue"])

        assert result.exit_code == 0, result.output
        with_files = [d for d in indexed(app, "hue").values() if d.get("files")]
        assert all(d.get("content") for d in with_files)
        assert all(f["text_extracted"] for d in with_files for f in d["files"])
        assert last_run(app).updated >= len(with_files)
    finally:
        drop_indices(app)


ADMIN = "admin86@example.vn"


def _ask_for_run(app, full: bool) -> None:
    """The archive admin of the source's province (ADMIN, made by the test) asks for a run on /admin/sources."""
    admin = app.test_client()
    assert sign_in(admin, ADMIN).status_code == 302
    token = csrf_token(admin.get("/admin/sources").text)
    path = f"/admin/sources/{SOURCE}/full-run" if full else f"/admin/sources/{SOURCE}/run"
    assert admin.post(path, data={"csrf_token": token, "confirm": "y"}).status_code == 303


def _run_request(app) -> tuple:
    with app.app_context():
        source = database.get_db().get(Source, SOURCE)
        return source.run_requested_at, source.run_requested_full, source.run_requested_by


def test_runs_asked_for_on_the_admin_page_are_started_by_the_next_due_once_and_full_when_asked(tmp_path_factory,
                                                                                                database_url):
    records = numbered_records(12)
    provider = FaultProvider(records, Faults(page_size=5))
    with ServerThread(provider) as server:
        app = portal_for(tmp_path_factory, server.url, database_url=database_url)  # no schedule: only when asked
        try:
            create_user(app, ADMIN, "archive_admin", "86")
            runner = app.test_cli_runner()
            added = runner.invoke(args=["sources", "add", "--id", "other", "--province", "86", "--prefix", "oai_dc",
                                        "--url", f"{server.url}/oai"])
            assert added.exit_code == 0, added.output
            assert "no source is due" in runner.invoke(args=["harvest", "--due"]).output

            _ask_for_run(app, full=False)
            first = runner.invoke(args=["harvest", "--due"])

            assert first.exit_code == 0, first.output
            assert f"harvesting {SOURCE}" in first.output and "incremental, asked for by admin86@example.vn" in first.output
            assert "harvesting other" not in first.output
            assert (last_run(app).source_id, last_run(app).mode, last_run(app).state) == (SOURCE, "incremental", "done")
            assert _run_request(app) == (None, False, None)
            assert "no source is due" in runner.invoke(args=["harvest", "--due"]).output

            del records[:4]  # gone from the source without a trace: only a full run notices
            _ask_for_run(app, full=True)
            assert "run asked for by admin86@example.vn" in runner.invoke(args=["sources", "list"]).output
            second = runner.invoke(args=["harvest", "--due"])

            assert second.exit_code == 0, second.output
            assert "harvesting other" not in second.output
            run = last_run(app)
            assert (run.source_id, run.mode, run.state, run.deleted) == (SOURCE, "full", "done", 4)
            assert set(indexed(app)) == live_ids(records)
            assert _run_request(app) == (None, False, None)
            again = runner.invoke(args=["harvest", "--due"])
            assert again.exit_code == 0 and "no source is due" in again.output
            with app.app_context():
                runs = database.get_db().scalars(select(HarvestRun).where(HarvestRun.source_id == SOURCE)).all()
            assert [r.mode for r in runs] == ["incremental", "full"]
            starts = [json.loads(row.details) for row in audit_rows(app, audit_actions.HARVEST_START)]
            assert starts == [{"mode": "incremental", "requested_by": "admin86@example.vn"},
                              {"mode": "full", "requested_by": "admin86@example.vn"}]
        finally:
            drop_indices(app)


def test_a_run_asked_for_while_another_process_harvests_the_source_waits_for_the_next_due(tmp_path_factory,
                                                                                           database_url):
    provider = FaultProvider(numbered_records(3), Faults())
    with ServerThread(provider) as server:
        app = portal_for(tmp_path_factory, server.url, database_url=database_url)
        try:
            create_user(app, ADMIN, "archive_admin", "86")
            assert harvest(app).exit_code == 0
            with app.app_context():  # a live process holds the source's run (this one)
                db = database.get_db()
                run = db.get(HarvestRun, last_run(app).id)
                run.state, run.lease_owner = "running", f"{os.uname().nodename}:{os.getpid()}"
                run.heartbeat_at = datetime.now(timezone.utc)
                db.commit()
            _ask_for_run(app, full=True)
            asked = _run_request(app)

            busy = app.test_cli_runner().invoke(args=["harvest", "--due"])

            assert busy.exit_code == 1 and "is being harvested by" in busy.output
            assert _run_request(app) == asked  # still waiting, still full
            with app.app_context():
                db = database.get_db()
                run = db.get(HarvestRun, run.id)
                run.state, run.lease_owner = "done", None
                db.commit()
            result = app.test_cli_runner().invoke(args=["harvest", "--due"])
            assert result.exit_code == 0, result.output
            assert last_run(app).mode == "full" and _run_request(app) == (None, False, None)
        finally:
            drop_indices(app)
