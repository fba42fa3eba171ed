"""One run's pages shared among Celery worker processes (HARVEST_PAGE_TASKS, indexer/stages/dispatch.py), with
real processes: two `celery worker`s of two processes each on the real Redis, a provider of several pages,
OpenSearch and the database (SQLite and PostgreSQL). The run's coordinator walks the list and queues each
page; the workers' processes import them. Killed with SIGKILL mid-run (the coordinator and a page task's
process at once), the run is taken over from a checkpoint over the pages done in order, ends done, the
index equal to the source, nothing counted twice. A whole worker killed at once (a host lost: its parent and
every pool process) gives its unacknowledged run and pages back after CELERY_VISIBILITY_TIMEOUT (5 s here)
and the other worker finishes the run."""
from __future__ import annotations

import os
import re
import signal
from contextlib import contextmanager

from demo.fault_provider import FaultProvider, Faults, numbered_records
from portal.opensearch import build_client
from schema.index import alias_name
from tests.conftest import ServerThread, drop_indices
from tests.integration.harvest_helpers import SOURCE, indexed, live_ids, portal_for, source_runs
from tests.integration.test_celery_workers import (_forget_queue, _owner_pid, _parent_of, _queue_config,
                                                   _start_workers, _stop_workers, _wait_for)

PAGE_SIZE = 4
RECORDS_A_TASK = 2 * PAGE_SIZE  # HARVEST_IMPORT_RECORDS: two pages of the list taken together in each page task
VISIBILITY_SECONDS = 5  # how long Redis keeps a lost worker's unacknowledged messages from the others


def _page_workers(app, log_dir, count: int = 2, concurrency: int = 2, window: int = 4, **settings) -> list:
    """Workers taking runs and pages (by default two of two processes: one process coordinates, three import)."""
    queue = app.config["HARVEST_QUEUE"]
    return _start_workers(app, count, log_dir, concurrency=concurrency, queues=f"{queue},{queue}-pages",
                          HARVEST_PAGE_TASKS=1, HARVEST_PAGE_QUEUE=f"{queue}-pages", HARVEST_PAGE_WINDOW=window,
                          **settings)


def _pages_ended(log_dir, number: int, outcome: str = "done") -> int:
    """Page tasks worker `number` ended with this outcome (Celery's own line for each task)."""
    text = (log_dir / f"worker{number}.log").read_text()
    return len(re.findall(rf"Task portal\.harvest_page\[[^\]]+\] succeeded in [0-9.e-]+s: '{outcome}'", text))


def _assert_index_equals_source(app, records) -> None:
    assert set(indexed(app)) == live_ids(records)
    client = build_client(app.config["OPENSEARCH_URL"])
    alias = alias_name(app.config["OPENSEARCH_INDEX_PREFIX"])
    assert client.count(index=alias, body={"query": {"term": {"source_id": SOURCE}}})["count"] == len(records)


@contextmanager
def _page_harvest(tmp_path_factory, database_url: str, records, delay: float, workers: dict | None = None,
                  **settings):
    """A provider of the records, a portal and page workers (`workers`: _page_workers' count, concurrency,
    window) with these settings, a full run of the source queued: (portal, workers, their log folder);
    everything stopped and removed afterwards."""
    settings = {"HARVEST_IMPORT_RECORDS": RECORDS_A_TASK, **settings}
    with ServerThread(FaultProvider(records, Faults(page_size=PAGE_SIZE, delay=delay))) as server:
        app = portal_for(tmp_path_factory, server.url, database_url=database_url, **{**_queue_config(), **settings})
        log_dir = tmp_path_factory.mktemp("workers")
        workers = _page_workers(app, log_dir, **(workers or {}), **settings)
        try:
            queued = app.test_cli_runner().invoke(args=["harvest", "--source", SOURCE, "--full", "--enqueue"])
            assert f"{SOURCE}: queued" in queued.output, queued.output
            yield app, workers, log_dir
        finally:
            _stop_workers(workers)
            _forget_queue(app)
            drop_indices(app)


def _mid_run(app):
    """The run once its first pages are booked, most still to come."""
    run = _wait_for(lambda: next((r for r in source_runs(app) if r.state == "running" and r.processed >= 8), None),
                    120, "the run's first pages")
    assert run.processed < 48
    return run


def _assert_taken_over_and_done(app, first, records) -> None:
    """The run that was killed ended done, taken over once, every record counted once, the index the source."""
    run = _wait_for(lambda: next((r for r in source_runs(app) if r.state != "running"), None), 240, "the run to end")
    assert len(source_runs(app)) == 1  # taken over, not started again
    assert (run.id, run.mode, run.state, run.resumed) == (first.id, "full", "done", 1)
    assert (run.added, run.updated, run.failed, run.deleted, run.processed) == (48, 0, 0, 0, 48)
    assert "duplicate" not in (run.errors or {})  # pages read again after the takeover are no duplicates
    _assert_index_equals_source(app, records)


def test_the_pages_of_one_run_are_imported_by_the_processes_of_every_worker(tmp_path_factory, database_url):
    records = numbered_records(64)
    with _page_harvest(tmp_path_factory, database_url, records, delay=0.05) as (app, _, log_dir):
        run = _wait_for(lambda: next((r for r in source_runs(app) if r.state != "running"), None), 180,
                        "the run to end")

        assert (run.mode, run.state, run.resumed, run.checkpoint_token) == ("full", "done", 0, None)
        assert (run.added, run.updated, run.failed, run.deleted, run.processed) == (64, 0, 0, 0, 64)
        assert run.complete_list_size == 64
        _assert_index_equals_source(app, records)
        done = [_pages_ended(log_dir, number) for number in range(2)]
        assert sum(done) == 64 // RECORDS_A_TASK  # each page imported once, two pages a task
        assert all(done), f"pages done by each worker: {done}"


def test_a_coordinator_no_process_is_free_to_help_imports_its_pages_itself(tmp_path_factory, database_url):
    """One worker of one process: the run's task holds it, so no page task can start. Each page waits
    HARVEST_PAGE_STALL_SECONDS and is then imported by the coordinator; the page tasks, run once the process
    is free, find their pages claimed and do nothing. Without the take-back the run never ends."""
    records = numbered_records(16)
    pages = 16 // RECORDS_A_TASK  # page tasks: two pages of the list each
    with _page_harvest(tmp_path_factory, database_url, records, delay=0.05,
                       workers={"count": 1, "concurrency": 1, "window": 2}, HARVEST_PAGE_STALL_SECONDS=1) \
            as (app, _, log_dir):
        run = _wait_for(lambda: next((r for r in source_runs(app) if r.state != "running"), None), 120,
                        "the run to end")
        log = log_dir / "worker0.log"
        _wait_for(lambda: log.read_text().count("succeeded") >= pages + 1, 60, "the page tasks to run")

        assert (run.mode, run.state, run.resumed) == ("full", "done", 0)
        assert (run.added, run.updated, run.failed, run.deleted, run.processed) == (16, 0, 0, 0, 16)
        assert log.read_text().count("imported by the run's coordinator") == pages
        assert _pages_ended(log_dir, 0, "superseded") == pages
        assert (source_runs(app)[0].added, source_runs(app)[0].processed) == (16, 16)  # nothing counted twice
        _assert_index_equals_source(app, records)


def test_a_run_whose_coordinator_and_page_process_are_killed_resumes_from_the_pages_done_in_order(
        tmp_path_factory, database_url):
    records = numbered_records(48)
    with _page_harvest(tmp_path_factory, database_url, records, delay=0.3) as (app, workers, _):
        first = _mid_run(app)
        coordinator = _owner_pid(first)
        # The coordinator, and a process of the other worker (importing a page, or waiting for one).
        other_worker = next(w.pid for w in workers if w.pid != _parent_of(coordinator))
        page_process = int(open(f"/proc/{other_worker}/task/{other_worker}/children").read().split()[0])
        os.kill(coordinator, signal.SIGKILL)
        os.kill(page_process, signal.SIGKILL)

        _wait_for(lambda: next((r for r in source_runs(app) if r.state == "running" and r.lease_owner
                                and _owner_pid(r) != coordinator), None), 120, "another process to take it")
        _assert_taken_over_and_done(app, first, records)


def test_a_worker_host_lost_whole_gives_its_run_and_pages_back_after_the_visibility_timeout(
        tmp_path_factory, database_url):
    records = numbered_records(48)
    with _page_harvest(tmp_path_factory, database_url, records, delay=0.3,
                       CELERY_VISIBILITY_TIMEOUT=VISIBILITY_SECONDS) as (app, workers, _):
        first = _mid_run(app)
        lost = next(w for w in workers if w.pid == _parent_of(_owner_pid(first)))
        os.killpg(lost.pid, signal.SIGKILL)  # the host gone: its worker and every process of its pool at once
        lost.wait(timeout=30)

        _assert_taken_over_and_done(app, first, records)


def test_the_coordinator_reads_back_only_the_outcomes_of_the_pages_it_asks_about():
    """A province's run has tens of thousands of pages: each poll asks for the pages in flight (HMGET), not for
    every outcome the run has left in Redis."""
    from portal.harvest_queue import RedisPageDispatcher

    config = _queue_config()
    dispatcher = RedisPageDispatcher(config)
    try:
        for number in range(50):
            dispatcher.mark(7, "host:1:ab", number, "done")
        dispatcher.mark(7, "host:1:ab", 50, "the index refused it")
        dispatcher.mark(7, "other:2:cd", 51, "done")  # another coordinator's page

        assert dispatcher.outcomes(7, "host:1:ab", [49, 50, 51, 52]) == {49: "done", 50: "the index refused it"}
        assert dispatcher.outcomes(7, "host:1:ab", []) == {}
    finally:
        dispatcher.forget(7, "host:1:ab")
        dispatcher.forget(7, "other:2:cd")


def test_a_page_travels_beside_its_message_as_sent_until_its_outcome_is_read():
    """The page's bytes are kept in Redis as the source sent them (not base64 in the message), for as long as
    a page task may need them: dropped once the coordinator has read the page's outcome, or forgets the run."""
    from indexer.harvest import PageTask
    from portal.harvest_queue import RedisPageDispatcher

    dispatcher = RedisPageDispatcher(_queue_config())
    page = '<?xml version="1.0"?><OAI-PMH>Hồ sơ \x00\xff</OAI-PMH>'.encode("utf-8", "surrogatepass") + bytes([0, 255])
    try:
        for number in range(3):
            dispatcher.keep(PageTask(9, "host:1:ab", number, page + bytes([number])))
        assert dispatcher.content(9, "host:1:ab", 1) == page + bytes([1])
        assert dispatcher.content(9, "other:2:cd", 1) is None

        dispatcher.mark(9, "host:1:ab", 1, "done")
        assert dispatcher.outcomes(9, "host:1:ab", [0, 1, 2]) == {1: "done"}
        assert dispatcher.content(9, "host:1:ab", 1) is None  # a page delivered again after that is superseded
        assert dispatcher.content(9, "host:1:ab", 2) == page + bytes([2])

        dispatcher.forget(9, "host:1:ab")
        assert dispatcher.content(9, "host:1:ab", 0) is None and dispatcher.content(9, "host:1:ab", 2) is None
    finally:
        dispatcher.forget(9, "host:1:ab")
