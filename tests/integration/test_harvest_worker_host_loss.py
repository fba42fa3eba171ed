"""The loss of a whole harvest worker host: every process of one `celery worker` (its parent and its pool
process) killed at once with SIGKILL, so nothing acknowledges, rejects or requeues its task. With the
Redis transport the unacknowledged message comes back once CELERY_VISIBILITY_TIMEOUT has passed (the
surviving worker restores it, within ~100 s more: see RESTORE_CYCLE_SECONDS), and the other host takes the run over from its checkpoint once the dead
one's lease is stale: one run, done, the index equal to the source, nothing counted twice.

Real processes on the real Redis, OpenSearch and database (SQLite and PostgreSQL); the workers, queue
and key prefix are this test's own (tests/integration/test_celery_workers.py)."""
from __future__ import annotations

import os
import signal
import time

from demo.fault_provider import FaultProvider, Faults, numbered_records
from tests.conftest import ServerThread, drop_indices
from tests.integration.harvest_helpers import SOURCE, portal_for, source_runs
from tests.integration.test_celery_workers import (LEASE_SECONDS, _forget_queue, _owner_pid, _parent_of,
                                                   _queue_config, _start_workers, _stop_workers, _wait_for,
                                                   assert_taken_over_once)

VISIBILITY_SECONDS = 8
# A live worker's Redis transport restores unacknowledged messages past their visibility timeout when it
# starts, then on every 10th of its looks, one every 10 s (kombu 5.5: QoS.restore_visible(interval=10)):
# a lost host's task comes back up to ~100 s after its visibility timeout has passed.
RESTORE_CYCLE_SECONDS = 100
RECORDS = 60
PAGE_SIZE = 4


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:  # a zombie is dead too (its parent has not reaped it yet)
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_run_whose_whole_worker_host_is_killed_comes_back_after_the_visibility_timeout_and_is_taken_over(
        tmp_path_factory, database_url, monkeypatch):
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", str(VISIBILITY_SECONDS))  # the workers' environment
    records = numbered_records(RECORDS)
    with ServerThread(FaultProvider(records, Faults(page_size=PAGE_SIZE, delay=0.3))) as server:
        app = portal_for(tmp_path_factory, server.url, database_url=database_url,
                         **{**_queue_config(), "CELERY_VISIBILITY_TIMEOUT": VISIBILITY_SECONDS})
        log_dir = tmp_path_factory.mktemp("hosts")
        hosts = _start_workers(app, 2, log_dir)  # two hostnames, a process group each
        try:
            queued = app.test_cli_runner().invoke(args=["harvest", "--source", SOURCE, "--full", "--enqueue"])
            assert queued.exit_code == 0 and f"{SOURCE}: queued" in queued.output, queued.output

            first = _wait_for(lambda: next((r for r in source_runs(app) if r.state == "running" and r.processed >= 8),
                                           None), 120, "the run's first pages")
            pool_process = _owner_pid(first)
            lost_host = next(host for host in hosts if host.pid == _parent_of(pool_process))
            survivor = next(host for host in hosts if host is not lost_host)
            assert first.processed < RECORDS  # mid-run

            os.killpg(lost_host.pid, signal.SIGKILL)  # the host's every process at once: no ack, no requeue
            killed_at = time.monotonic()
            lost_host.wait(timeout=30)
            _wait_for(lambda: not _alive(pool_process), 30, "the pool process to die with its host")

            taken = _wait_for(lambda: next((r for r in source_runs(app) if r.state == "running" and r.lease_owner
                                            and _owner_pid(r) != pool_process), None),
                              VISIBILITY_SECONDS + RESTORE_CYCLE_SECONDS + LEASE_SECONDS + 30,
                              "the other host to take the run over")
            taken_after = time.monotonic() - killed_at
            assert _parent_of(_owner_pid(taken)) == survivor.pid
            run = _wait_for(lambda: next((r for r in source_runs(app) if r.state != "running"), None), 180,
                            "the run to end")

            # The message came back through the visibility timeout (nothing requeued it sooner).
            assert taken_after >= VISIBILITY_SECONDS - 1, taken_after
            assert_taken_over_once(app, run, first, records, RECORDS)
            assert survivor.poll() is None
        except AssertionError:
            for log in sorted(log_dir.glob("*.log")):  # what the hosts did, beside the failure
                print(f"--- {log.name}\n{log.read_text()[-6000:]}")
            raise
        finally:
            _stop_workers(hosts)
            _forget_queue(app)
            drop_indices(app)
