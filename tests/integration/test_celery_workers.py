"""Harvest runs on Celery workers (portal/harvest_queue.py), with real processes: two `celery worker`s on
the real Redis, a slow source, OpenSearch and the database (SQLite and PostgreSQL). The worker process
running a full harvest is killed with SIGKILL mid-run; the run is taken over from its checkpoint by
another worker process and ends done, the index equal to the source, nothing counted twice. Each test
has its own queue and key prefix in Redis, so parallel test runs never take each other's tasks."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid


import redis

from demo.fault_provider import FaultProvider, Faults, numbered_records
from indexer.runs import claim_run
from portal import database, harvest_queue
from portal.harvest_queue import QueueUnavailable, enqueue_harvest, harvest_source_task
from portal.opensearch import build_client
from schema.index import alias_name
from schema.tables import HarvestRun
from tests.conftest import ServerThread, drop_indices
from tests.integration.harvest_helpers import FAST_RETRIES, SOURCE, indexed, live_ids, portal_for, source_runs

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LEASE_SECONDS = 3
RECORDS = 48
PAGE_SIZE = 4


def _queue_config() -> dict:
    redis_url = os.environ.get("REDIS_URL")
    assert redis_url, "REDIS_URL names the Redis of scripts/redis.sh (scripts/test.sh sets it)"
    name = f"test-{uuid.uuid4().hex[:12]}"
    return {"CELERY_BROKER_URL": redis_url, "HARVEST_QUEUE": name, "HARVEST_QUEUE_KEY_PREFIX": f"{name}:",
            "HARVEST_LEASE_SECONDS": LEASE_SECONDS}


def _start_workers(app, count: int, log_dir, concurrency: int = 1, queues: str | None = None,
                   **settings) -> list[subprocess.Popen]:
    config = app.config
    env = {**os.environ, **{name: str(value) for name, value in settings.items()}, "DATABASE_URL": config["DATABASE_URL"], "OPENSEARCH_URL": config["OPENSEARCH_URL"],
           "OPENSEARCH_INDEX_PREFIX": config["OPENSEARCH_INDEX_PREFIX"],
           "TIKA_SERVER_ENDPOINT": config["TIKA_SERVER_ENDPOINT"], "CELERY_BROKER_URL": config["CELERY_BROKER_URL"],
           "HARVEST_QUEUE": config["HARVEST_QUEUE"], "HARVEST_QUEUE_KEY_PREFIX": config["HARVEST_QUEUE_KEY_PREFIX"],
           **{name: str(value) for name, value in {**FAST_RETRIES, "HARVEST_LEASE_SECONDS": LEASE_SECONDS}.items()}}
    workers = []
    for number in range(count):
        log = open(log_dir / f"worker{number}.log", "w")
        workers.append(subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal.harvest_queue", "worker", "--concurrency", str(concurrency),
             *(["--queues", queues] if queues else []), "--pool", "prefork", "--hostname", f"w{number}-{uuid.uuid4().hex[:6]}@%h", "--without-gossip",
             "--without-mingle", "--loglevel", "INFO"],
            cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
    try:
        for number, worker in enumerate(workers):
            _wait_for(lambda: "ready." in (log_dir / f"worker{number}.log").read_text() or worker.poll() is not None,
                      60, "a worker to start")
            assert worker.poll() is None, (log_dir / f"worker{number}.log").read_text()
    except BaseException:
        _stop_workers(workers)
        raise
    return workers


def _stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        try:
            os.killpg(worker.pid, signal.SIGKILL)  # the worker and its pool processes: the test's own group
        except ProcessLookupError:
            pass
        worker.wait(timeout=30)


def _forget_queue(app) -> None:
    """The test's keys in the shared Redis: its queue, its bindings, its markers."""
    store = redis.Redis.from_url(app.config["CELERY_BROKER_URL"])
    for key in store.scan_iter(f"{app.config['HARVEST_QUEUE_KEY_PREFIX']}*"):
        store.delete(key)


def _wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"waited {seconds} s for {what}")


def _parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def _owner_pid(run: HarvestRun) -> int:
    return int(run.lease_owner.split(":")[-2])


def assert_taken_over_once(app, run: HarvestRun, first: HarvestRun, records, count: int) -> None:
    """The run that ended is the one first claimed, resumed once, each record counted once, the index
    equal to the source."""
    assert len(source_runs(app)) == 1  # taken over, not started again
    assert (run.id, run.mode, run.state, run.resumed) == (first.id, "full", "done", 1)
    assert (run.added, run.updated, run.failed, run.processed) == (count, 0, 0, count)
    assert set(indexed(app)) == live_ids(records)
    client = build_client(app.config["OPENSEARCH_URL"])
    alias = alias_name(app.config["OPENSEARCH_INDEX_PREFIX"])
    assert client.count(index=alias, body={"query": {"term": {"source_id": SOURCE}}})["count"] == count


def test_a_run_whose_worker_is_killed_is_taken_over_by_another_worker_from_its_checkpoint(
        tmp_path_factory, database_url):
    records = numbered_records(RECORDS)
    with ServerThread(FaultProvider(records, Faults(page_size=PAGE_SIZE, delay=0.3))) as server:
        app = portal_for(tmp_path_factory, server.url, database_url=database_url, **_queue_config())
        workers = _start_workers(app, 2, tmp_path_factory.mktemp("workers"))
        try:
            runner = app.test_cli_runner()
            queued = runner.invoke(args=["harvest", "--source", SOURCE, "--full", "--enqueue"])
            again = runner.invoke(args=["harvest", "--source", SOURCE, "--full", "--enqueue"])
            assert queued.exit_code == 0 and f"{SOURCE}: queued" in queued.output, queued.output
            assert again.exit_code == 0 and f"{SOURCE}: a run is already queued or running" in again.output

            # Mid-run: some pages committed, most still to come.
            first = _wait_for(lambda: next((r for r in source_runs(app) if r.state == "running" and r.processed >= 8),
                                           None), 120, "the run's first pages")
            killed = _owner_pid(first)
            first_worker = _parent_of(killed)
            assert first_worker in {w.pid for w in workers}
            assert first.processed < RECORDS
            os.kill(killed, signal.SIGKILL)

            taken = _wait_for(lambda: next((r for r in source_runs(app) if r.state == "running" and r.lease_owner
                                            and _owner_pid(r) != killed), None), 120, "another worker to take it")
            successor_worker = _parent_of(_owner_pid(taken))
            run = _wait_for(lambda: next((r for r in source_runs(app) if r.state != "running"), None), 180,
                            "the run to end")

            assert successor_worker in {w.pid for w in workers} - {first_worker}  # the other worker
            assert_taken_over_once(app, run, first, records, RECORDS)

            # The run ended: its marker with it, so the source can be queued again (and runs incrementally). The
            # task lets the marker go just after it writes the run's end, so the test waits for that moment.
            with app.app_context():
                _wait_for(lambda: enqueue_harvest(app.config, SOURCE) is not None, 30, "the run's marker to go")
            _wait_for(lambda: len(source_runs(app)) == 2 and source_runs(app)[1].state == "done", 120, "the next run")
            assert (source_runs(app)[1].mode, source_runs(app)[1].added) == ("incremental", 0)
        finally:
            _stop_workers(workers)
            _forget_queue(app)
            drop_indices(app)


def test_enqueueing_without_a_reachable_broker_says_so_and_queues_nothing(tmp_path_factory):
    app = portal_for(tmp_path_factory, "http://127.0.0.1:9", **{**_queue_config(),
                                                                "CELERY_BROKER_URL": "redis://127.0.0.1:9/0"})
    result = app.test_cli_runner().invoke(args=["harvest", "--source", SOURCE, "--enqueue"])
    assert result.exit_code == 1
    assert "the harvest queue (redis://127.0.0.1:9/0) cannot be reached" in result.output
    with app.app_context():
        try:
            enqueue_harvest(app.config, SOURCE)
        except QueueUnavailable:
            pass
        else:
            raise AssertionError("queued without a broker")
    assert source_runs(app) == []


def test_a_source_harvested_by_a_live_process_is_not_queued(tmp_path_factory, database_url):
    app = portal_for(tmp_path_factory, "http://127.0.0.1:9", database_url=database_url, **_queue_config())
    with app.app_context():
        db = database.get_db()
        claim_run(db, SOURCE, lambda owner: HarvestRun.begin(SOURCE, "incremental", owner),
                  lease_seconds=LEASE_SECONDS)  # a `flask harvest` at the console, alive: this process

        result = app.test_cli_runner().invoke(args=["harvest", "--source", SOURCE, "--enqueue"])

    assert result.exit_code == 0 and f"{SOURCE}: a run is already queued or running" in result.output
    assert redis.Redis.from_url(app.config["CELERY_BROKER_URL"]).keys(f"{app.config['HARVEST_QUEUE_KEY_PREFIX']}*") == []


def test_a_copy_of_a_task_whose_run_has_ended_does_nothing(tmp_path_factory, monkeypatch):
    app = portal_for(tmp_path_factory, "http://127.0.0.1:9", **_queue_config())
    monkeypatch.setattr(harvest_queue, "_worker_app", app)  # the task run here, in this test's portal
    with app.app_context():
        task_id = enqueue_harvest(app.config, SOURCE)
        store = redis.Redis.from_url(app.config["CELERY_BROKER_URL"])
        store.delete(f"{app.config['HARVEST_QUEUE_KEY_PREFIX']}harvest-queued:{SOURCE}")  # as its run's end does
        try:
            outcome = harvest_source_task.apply((SOURCE,), task_id=task_id).get()
        finally:
            _forget_queue(app)

    assert outcome == "superseded"
    assert source_runs(app) == []
