"""The harvest on Celery workers, side by side with the thinnest OAI-PMH harvester, in one run.

One fleet of real `celery worker` processes for each N of --workers (HARVEST_PAGE_TASKS: one process
coordinates a run, N import its pages), each on its own database and index prefix, up for the whole bench as
workers are in production: what a process does once (its app, SQLAlchemy's compiled statements) is not
charged to a run. For each round: a first full run of a new source (the same list) by each fleet, then the
thinnest harvester (bench.harvest.thinnest_harvest: read, parse, bulk; nothing else). The warm-up round is
also printed: the first runs of processes just started.
A run's time is the database's (started_at → finished_at of the run); its CPU is every worker process's
(the coordinator's and the page processes', user + system, from /proc) over the records. Printed: records/s
of each, full(N)/thinnest, CPU ms a record, and the ratio of the largest N to 1.

    python -m bench.harvest --skip-files --skip-memory --workers 1,2
"""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

from opensearchpy import OpenSearch, helpers
from sqlalchemy import create_engine, select

from bench.harvest import (FAULT_PROVIDER_CODE, OPENSEARCH_URL, REPO, TIKA_URL, cpu_seconds, free_port, log,
                           serve_in_child, thinnest_harvest)


def _process_tree(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid, *(int(child) for child in children)]


class Workers:
    """One `celery worker` with N + 1 processes (the run's coordinator and N page importers) on a fresh
    SQLite database (migrated) and its own queue and keys in Redis."""

    def __init__(self, importers: int, provider_url: str, database_url: str | None):
        from cryptography.fernet import Fernet

        self.importers = importers
        self.folder = Path(tempfile.mkdtemp(prefix="bench-harvest-workers-"))
        self.database_url = database_url or f"sqlite:///{self.folder / 'portal.db'}"
        self.prefix = f"bench-workers-{uuid.uuid4().hex[:6]}-"
        queue = f"bench-{uuid.uuid4().hex[:8]}"
        self.provider_url = provider_url
        redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6380/0")
        self.env = dict(os.environ, SECRET_KEY=secrets.token_hex(32), PERSONAL_DATA_KEY=Fernet.generate_key().decode(),
                        DATABASE_URL=self.database_url, OPENSEARCH_URL=OPENSEARCH_URL, TIKA_SERVER_ENDPOINT=TIKA_URL,
                        OPENSEARCH_INDEX_PREFIX=self.prefix, FLASK_APP="app", LOG_LEVEL="WARNING",
                        RATELIMIT_STORAGE_URI="memory://", CELERY_BROKER_URL=redis_url, REDIS_URL=redis_url,
                        HARVEST_QUEUE=queue, HARVEST_QUEUE_KEY_PREFIX=f"{queue}:", HARVEST_PAGE_TASKS="1",
                        HARVEST_PAGE_QUEUE=f"{queue}-pages", HARVEST_PAGE_WINDOW=str(4 * importers))
        self.queue = queue

    def flask(self, *args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "flask", *args], cwd=REPO, env=self.env, capture_output=True,
                              text=True)
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(args)}: {done.stdout[-1000:]}{done.stderr[-2000:]}")

    def __enter__(self) -> "Workers":
        self.flask("db", "upgrade")
        self.log_path = self.folder / "worker.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal.harvest_queue", "worker", "--concurrency",
             str(self.importers + 1), "--queues", f"{self.queue},{self.queue}-pages", "--pool", "prefork",
             "--without-gossip", "--without-mingle", "--loglevel", "INFO", "--hostname",
             f"bench-{uuid.uuid4().hex[:6]}@%h"],
            cwd=REPO, env=self.env, stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while len(_process_tree(self.process.pid)) < self.importers + 2:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"the workers did not start: {self.log_path.read_text()[-2000:]}")
            time.sleep(0.2)
        self._wait_until_idle(deadline)
        return self

    def _wait_until_idle(self, deadline: float) -> None:
        """Until the processes have made their app (worker_process_init) and wait for work: a run's CPU is
        then the run's own, as on a worker that has been up for a while."""
        last = -1.0
        while time.monotonic() < deadline:
            time.sleep(0.5)
            spent = sum(cpu_seconds(pid) for pid in _process_tree(self.process.pid))
            if spent - last < 0.02:
                return
            last = spent

    def harvest(self, source_id: str) -> dict:
        """The first (full) run of a new source of the provider's list: records, seconds (the run's own), CPU
        seconds of the worker processes."""
        from schema.tables import HarvestRun

        self.flask("sources", "add", "--id", source_id, "--kind", "oai-pmh", "--url", self.provider_url,
                   "--province", "86", "--prefix", "oai_dc")
        engine = create_engine(self.database_url)
        pids = _process_tree(self.process.pid)
        before = sum(cpu_seconds(pid) for pid in pids)
        self.flask("harvest", "--source", source_id, "--full", "--enqueue")
        try:
            while True:
                with engine.connect() as connection:
                    run = connection.execute(select(HarvestRun.__table__).order_by(HarvestRun.id.desc())).first()
                if run is not None and run.state != "running":
                    break
                time.sleep(0.1)
        finally:
            engine.dispose()
        cpu = sum(cpu_seconds(pid) for pid in pids) - before
        seconds = (run.finished_at - run.started_at).total_seconds()
        return {"records": run.added + run.updated + run.unchanged, "seconds": seconds, "cpu": cpu,
                "state": run.state, "failed": run.failed}

    def __exit__(self, *exc) -> None:
        os.killpg(self.process.pid, 9)
        log(f"  (worker log: {self.log_path})")
        self.process.wait(timeout=30)
        import redis

        store = redis.Redis.from_url(self.env["CELERY_BROKER_URL"])
        for key in store.scan_iter(f"{self.queue}*"):
            store.delete(key)


def bench_workers(records: int, rounds: int, importers: list[int], database_url: str | None = None) -> None:
    port = free_port()
    provider = serve_in_child(FAULT_PROVIDER_CODE.format(records=records, port=port), port)
    url = f"http://127.0.0.1:{port}/oai"
    client = OpenSearch(hosts=[OPENSEARCH_URL], timeout=120)
    from schema.index import INDEX_BODY

    results: dict[str, list[dict]] = {}
    try:
        with ExitStack() as fleets_up:
            fleets = {count: fleets_up.enter_context(Workers(count, url, database_url)) for count in importers}
            for number in range(rounds + 1):
                documents = None
                order = importers if number % 2 == 0 else list(reversed(importers))
                label = "warm-up" if number == 0 else f"round {number}"
                for count in order:
                    workers = fleets[count]
                    try:
                        outcome = workers.harvest(f"bench-{number}")
                        if documents is None:
                            documents = [hit["_source"] for hit in helpers.scan(
                                client, index=f"{workers.prefix}records", query={"query": {"match_all": {}}})]
                    finally:
                        client.indices.delete(index=f"{workers.prefix}*", ignore_unavailable=True)
                    outcome["rate"] = outcome["records"] / outcome["seconds"]
                    log(f"workers {label}: {count} page process(es): {outcome['records']} records in "
                        f"{outcome['seconds']:.2f} s = {outcome['rate']:,.0f}/s (run {outcome['state']}, "
                        f"{outcome['failed']} failed; CPU of the worker processes {outcome['cpu']:.2f} s = "
                        f"{1000 * outcome['cpu'] / max(outcome['records'], 1):.3f} ms a record)")
                    if number:
                        results.setdefault(str(count), []).append(outcome)
                thin_index = f"bench-thin-{uuid.uuid4().hex[:6]}"
                client.indices.create(index=thin_index, body=INDEX_BODY)
                try:
                    started = time.perf_counter()
                    read = thinnest_harvest(client, url, documents, thin_index)
                    thin = {"rate": read / (time.perf_counter() - started)}
                finally:
                    client.indices.delete(index=thin_index, ignore_unavailable=True)
                log(f"workers {label}: thinnest harvester {thin['rate']:,.0f}/s")
                if number:
                    results.setdefault("thin", []).append(thin)
    finally:
        provider.kill()

    def median(name: str, key: str) -> float:
        values = sorted(r[key] for r in results[name])
        return values[len(values) // 2]

    thin_rate = median("thin", "rate")
    cores = os.cpu_count() or 1
    for count in importers:
        rate = median(str(count), "rate")
        log(f"workers: median of {rounds}: {count} page process(es) {rate:,.0f} records/s = "
            f"{rate / thin_rate:.2f}× the thinnest harvester ({thin_rate:,.0f}/s; goal ≥ 0.8× with 2); CPU "
            f"{1000 * median(str(count), 'cpu') / records:.3f} ms a record (goal ≤ 0.25 ms)")
    if len(importers) > 1:
        low, high = str(min(importers)), str(max(importers))
        log(f"workers: {high} page processes / {low}: {median(high, 'rate') / median(low, 'rate'):.2f}× "
            f"(goal ≥ 1.6× where the cores allow; this machine has {cores}, shared with OpenSearch, the provider "
            f"and the coordinator)")
