"""One run of a source at a time, whatever the processes racing for it: the database decides who claims a
source (indexer/runs.py over the one-running-run index), and a process whose run was taken over while
it stalled stops before it writes again. On SQLite and PostgreSQL."""
from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from opensearchpy import OpenSearch
from sqlalchemy.orm import Session

from demo.fault_provider import FaultProvider, Faults, numbered_records
from indexer.errors import LeaseLost, RunBusy
from indexer.harvest import harvest_source
from indexer.runs import claim_run
from indexer.text_extraction import TikaExtractor
from portal import database
from portal.harvest_jobs import harvest_settings
from portal.opensearch import build_client
from schema.index import alias_name
from schema.tables import HarvestRun, Source, utcnow
from tests.conftest import ServerThread, drop_indices
from tests.integration.harvest_helpers import (SOURCE, harvest, indexed, last_run, live_ids, portal_for,
                                               source_runs)
from tests.integration.run_helpers import HeldSource, ManualClock, ShiftedClock

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LEASE_SECONDS = 300
CLAIMANTS = 4


def _start(owner: str) -> HarvestRun:
    return HarvestRun.begin(SOURCE, "incremental", owner)


def _dead_run(app, **fields) -> int:
    """A run left running by a process of another host that died two hours ago."""
    with app.app_context():
        db = database.get_db()
        run = HarvestRun.begin(SOURCE, "incremental", "elsewhere:1:0dead0ff", **fields)
        run.heartbeat_at = utcnow() - timedelta(hours=2)
        db.add(run)
        db.commit()
        return run.id


# --- the claim's race, closed by the database ---------------------------------------------------------------------

def test_a_claim_that_saw_no_running_run_is_refused_by_the_index_when_another_claimed_meanwhile(tmp_path_factory,
                                                                                                database_url):
    app = portal_for(tmp_path_factory, "http://127.0.0.1:9", database_url=database_url)
    engine = app.extensions["db_engine"]
    with Session(engine) as first, Session(engine) as second:
        winner = []

        def meanwhile(candidates):  # `second` has read the source's runs: none is running, none to resume
            assert candidates == []
            winner.append(claim_run(first, SOURCE, _start, lease_seconds=LEASE_SECONDS))
            return None

        with pytest.raises(RunBusy) as refused:
            claim_run(second, SOURCE, _start, lease_seconds=LEASE_SECONDS, resume_from=meanwhile)

    [lease] = winner
    assert f"source {SOURCE} is being harvested by {lease.owner} (run {lease.run_id}" in str(refused.value)
    assert [(r.id, r.state, r.lease_owner) for r in source_runs(app)] == [(lease.run_id, "running", lease.owner)]


def test_of_two_claims_that_found_the_same_dead_run_one_takes_it_over(tmp_path_factory, database_url):
    app = portal_for(tmp_path_factory, "http://127.0.0.1:9", database_url=database_url)
    dead_id = _dead_run(app, checkpoint_token="page-3")
    engine = app.extensions["db_engine"]
    with Session(engine) as first, Session(engine) as second:
        winner = []

        def meanwhile(candidates):  # `second` found the run stale too, and would take it up
            winner.append(claim_run(first, SOURCE, _start, lease_seconds=LEASE_SECONDS,
                                    resume_from=lambda runs: runs[0]))
            return candidates[0]

        with pytest.raises(RunBusy) as refused:
            claim_run(second, SOURCE, _start, lease_seconds=LEASE_SECONDS, resume_from=meanwhile)

    [lease] = winner
    assert f"(its run {dead_id} was taken over by another process)" in str(refused.value)
    [run] = source_runs(app)
    assert (run.id, run.state, run.lease_owner, run.resumed, run.checkpoint_token) == \
        (dead_id, "running", lease.owner, 1, "page-3")


def test_a_stopped_run_is_not_reopened_beside_a_run_another_process_started_meanwhile(tmp_path_factory,
                                                                                     database_url):
    app = portal_for(tmp_path_factory, "http://127.0.0.1:9", database_url=database_url)
    with app.app_context():
        db = database.get_db()
        stopped = HarvestRun.begin(SOURCE, "incremental", None, checkpoint_token="page-2")
        stopped.state, stopped.resumable = "stopped", True  # by a fault, its checkpoint kept
        db.add(stopped)
        db.commit()
        stopped_id = stopped.id
    engine = app.extensions["db_engine"]
    with Session(engine) as first, Session(engine) as second:
        winner = []

        def meanwhile(candidates):  # `second` will re-open the stopped run; `first` starts a new one (a --set run)
            winner.append(claim_run(first, SOURCE, _start, lease_seconds=LEASE_SECONDS))
            return candidates[0]

        with pytest.raises(RunBusy) as refused:
            claim_run(second, SOURCE, _start, lease_seconds=LEASE_SECONDS, resume_from=meanwhile)

    [lease] = winner
    assert f"is being harvested by {lease.owner}" in str(refused.value)
    assert [(r.id, r.state) for r in source_runs(app)] == [(stopped_id, "stopped"), (lease.run_id, "running")]


def test_a_run_taken_over_writes_nothing_more_to_the_run(tmp_path_factory, database_url):
    app = portal_for(tmp_path_factory, "http://127.0.0.1:9", database_url=database_url)
    engine = app.extensions["db_engine"]
    with Session(engine) as stalled, Session(engine) as successor:
        lease = claim_run(stalled, SOURCE, _start, lease_seconds=LEASE_SECONDS)
        # To the successor's clock the stalled run's heartbeat is two leases old.
        taken = claim_run(successor, SOURCE, _start, lease_seconds=LEASE_SECONDS,
                          clock=ShiftedClock(2 * LEASE_SECONDS), resume_from=lambda runs: runs[0])
        lease.run.processed = 99

        with pytest.raises(LeaseLost, match=f"held by {taken.owner}"):
            lease.commit()
        with pytest.raises(LeaseLost):
            lease.close("failed", message="the stalled process's report")

    [run] = source_runs(app)
    assert (run.id, run.state, run.lease_owner, run.processed, run.message) == \
        (lease.run_id, "running", taken.owner, 0, None)


def test_a_record_refresh_leaves_a_dead_run_to_be_taken_up_by_the_next_harvest(tmp_path_factory):
    records = numbered_records(12)
    with ServerThread(FaultProvider(records, Faults(page_size=5))) as server:
        app = portal_for(tmp_path_factory, server.url)
        try:
            assert harvest(app).exit_code == 0
            dead_id = _dead_run(app)

            refreshed = harvest(app, "--record", "HS003")

            assert refreshed.exit_code == 0, refreshed.output
            dead = next(r for r in source_runs(app) if r.id == dead_id)
            assert (dead.state, dead.resumable, dead.lease_owner) == ("stopped", True, None)
            assert last_run(app).mode == "record" and last_run(app).state == "done"

            resumed = harvest(app)

            assert resumed.exit_code == 0, resumed.output
            taken_up = next(r for r in source_runs(app) if r.id == dead_id)
            assert (taken_up.resumed, taken_up.state) == (1, "done")
            assert len(source_runs(app)) == 3  # the first harvest, the dead run, the refresh: no new run
        finally:
            drop_indices(app)


# --- processes racing for a source --------------------------------------------------------------------------------

# Loads the portal, says so, and claims the source when the test releases it (a line on its stdin), so that
# the claimants start together rather than one import time apart.
CLAIMANT = f"""
import sys
from flask.cli import main
import app
print("ready", flush=True)
sys.stdin.readline()
sys.argv = ["flask", "harvest", "--source", "{SOURCE}"]
main()
"""


def test_processes_claiming_a_source_at_once_run_it_once(tmp_path_factory, database_url):
    records = numbered_records(20)
    source = HeldSource(FaultProvider(records, Faults(page_size=5)))  # the winner waits there for the test
    with ServerThread(source) as server:
        app = portal_for(tmp_path_factory, server.url, database_url=database_url)
        env = {**os.environ, "FLASK_APP": "app", "DATABASE_URL": app.config["DATABASE_URL"],
               "OPENSEARCH_URL": app.config["OPENSEARCH_URL"],
               "OPENSEARCH_INDEX_PREFIX": app.config["OPENSEARCH_INDEX_PREFIX"],
               "TIKA_SERVER_ENDPOINT": app.config["TIKA_SERVER_ENDPOINT"]}
        processes = [subprocess.Popen([sys.executable, "-c", CLAIMANT], cwd=PROJECT_DIR, env=env, text=True,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                     for _ in range(CLAIMANTS)]
        ended: queue.Queue = queue.Queue()
        try:
            for process in processes:
                assert process.stdout.readline() == "ready\n", process.stderr.read()
            for process in processes:  # released together
                process.stdin.write("go\n")
                process.stdin.flush()
            for process in processes:
                threading.Thread(target=lambda p=process: ended.put((p, *p.communicate())), daemon=True).start()

            losers = [ended.get(timeout=120) for _ in range(CLAIMANTS - 1)]
            [holding] = [r for r in source_runs(app) if r.state == "running"]  # the winner, held by the source
            source.gate.set()
            winner, out, err = ended.get(timeout=120)

            for loser, _, loser_err in losers:
                assert loser.returncode == 1, loser_err
                assert f"source {SOURCE} is being harvested by {holding.lease_owner} (run {holding.id}" in loser_err
            assert winner.returncode == 0, err
            runs = source_runs(app)
            assert [(r.id, r.state, r.added) for r in runs] == [(holding.id, "done", 20)]
            assert set(indexed(app)) == live_ids(records)
        finally:
            source.gate.set()
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()
            drop_indices(app)


# --- a run taken over while it stalls -----------------------------------------------------------------------------

class StallingOpenSearch(OpenSearch):
    """Stalls the harvest after its `stall_after`-th bulk write is in the index (that write's thread waits
    until the test resumes it), and counts the bulk writes begun after that."""

    def __init__(self, url: str, stall_after: int):
        super().__init__(hosts=[url], timeout=30)
        self.stall_after, self.bulks, self.bulks_after_stall = stall_after, 0, 0
        self.stalled, self.resume = threading.Event(), threading.Event()
        self._lock = threading.Lock()

    def bulk(self, *args, **kwargs):
        with self._lock:
            self.bulks += 1
            number = self.bulks
            self.bulks_after_stall += self.stalled.is_set()
        result = super().bulk(*args, **kwargs)
        if number == self.stall_after:
            self.stalled.set()
            self.resume.wait(timeout=300)  # a bound, so a failing test ends; the test resumes it long before
        return result


def test_a_run_taken_over_while_it_stalls_stops_at_its_next_write_and_its_successor_finishes(tmp_path_factory,
                                                                                            database_url):
    records = numbered_records(40)
    with ServerThread(FaultProvider(records, Faults(page_size=5))) as server:
        app = portal_for(tmp_path_factory, server.url, database_url=database_url)
        stalling = StallingOpenSearch(app.config["OPENSEARCH_URL"], stall_after=2)
        outcome: list[BaseException | None] = []

        def stalled_process() -> None:
            with app.app_context():
                db = database.get_db()
                settings = harvest_settings(app.config)
                # Every page committed as it is written; no heartbeat while it stalls (the test decides).
                settings.commit_seconds, settings.clock = 0, ManualClock(beat_seconds=3600)
                try:
                    harvest_source(db, db.get(Source, SOURCE), stalling,
                                   TikaExtractor(app.config["TIKA_SERVER_ENDPOINT"]), settings)
                    outcome.append(None)
                except BaseException as error:
                    outcome.append(error)

        first = threading.Thread(target=stalled_process)
        first.start()
        try:
            assert stalling.stalled.wait(timeout=120)
            stalled_run = last_run(app)
            with app.app_context():  # the successor: to its clock, the stalled run's heartbeat is two leases old
                db = database.get_db()
                settings = harvest_settings(app.config)
                settings.clock = ShiftedClock(2 * settings.lease_seconds)
                successor = harvest_source(db, db.get(Source, SOURCE), build_client(app.config["OPENSEARCH_URL"]),
                                           TikaExtractor(app.config["TIKA_SERVER_ENDPOINT"]), settings)
                assert (successor.id, successor.state) == (stalled_run.id, "done")

            stalling.resume.set()
            first.join(timeout=120)

            [error] = outcome
            assert isinstance(error, LeaseLost), error
            assert f"run {stalled_run.id} of {SOURCE} is no longer this process's" in str(error)
            assert stalling.bulks_after_stall == 0  # it wrote nothing to the index once taken over
            run = last_run(app)
            assert (run.id, run.state, run.resumed, run.lease_owner, run.message) == \
                (stalled_run.id, "done", 1, None, None)
            assert (run.added, run.failed) == (40, 0)  # what the stalled process committed, and the rest
            client = build_client(app.config["OPENSEARCH_URL"])
            alias = alias_name(app.config["OPENSEARCH_INDEX_PREFIX"])
            assert set(indexed(app)) == live_ids(records)
            assert client.count(index=alias, body={"query": {"term": {"source_id": SOURCE}}})["count"] == 40
        finally:
            stalling.resume.set()
            first.join(timeout=120)
            drop_indices(app)
