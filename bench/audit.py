"""Audited searches per second: the audit log chained on the request path (the branch's base
commit) against rows chained by the sequencer (this tree), in one run, on PostgreSQL.

For each tree in turn — the old one checked out at `--base` in a throwaway `git worktree`, then
this one — it creates a fresh PostgreSQL database, migrates it with that tree's migrations,
starts that tree's portal under gunicorn (gthread) on a free local port, and has `--clients`
threads send GET /api/v1/search?q=... (each an audited search) for `--seconds` after a warm-up.
Then, on the same database, `--clients` threads of one process call `record_event` for
`--seconds` (the audit write path alone, without the search), and it runs that tree's
`flask audit verify` (this tree: `flask audit chain` first) and counts
the rows. Both read the same small synthetic index (`bench.generate`, prefix bench-audit-).
It prints searches/s for each, the ratio, the rows and the verify output, and the load average.
A script that prints figures, never a test; all traffic goes to 127.0.0.1.

    .venv/bin/python -m bench.audit --clients 16 --seconds 30
"""
from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from bench.generate import drop_bench_indices, load_index
from bench.search import _free_port, log

REPO = Path(__file__).resolve().parent.parent
PREFIX = "bench-audit-"
WORDS = ("quyết định", "ubnd", "vinh long", "đất đai", "hồ sơ", "công văn", "huế", "xây dựng", "1995", "tờ trình")


def _postgres_url(given: str | None) -> str:
    if given or os.environ.get("TEST_POSTGRES_URL"):
        return given or os.environ["TEST_POSTGRES_URL"]
    return subprocess.run([str(REPO / "scripts" / "postgres.sh"), "url"], check=True, capture_output=True,
                          text=True).stdout.strip()


class Tree:
    """One checkout's portal on a database of its own."""

    def __init__(self, label: str, path: Path, postgres_url: str, workers: int, threads: int):
        self.label, self.path, self.workers, self.threads = label, path, workers, threads
        self.name = f"bench_audit_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
        self.database_url = make_url(postgres_url).set(database=self.name).render_as_string(hide_password=False)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        from cryptography.fernet import Fernet

        self.env = dict(os.environ, SECRET_KEY=secrets.token_hex(32), DATABASE_URL=self.database_url,
                        PERSONAL_DATA_KEY=Fernet.generate_key().decode(),
                        OPENSEARCH_INDEX_PREFIX=PREFIX, FLASK_APP="app", LOG_LEVEL="WARNING",
                        RATELIMIT_STORAGE_URI="memory://")
        self.process = None

    def flask(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "flask", *args], cwd=self.path, env=self.env,
                              capture_output=True, text=True)

    def __enter__(self) -> Tree:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{self.name}"')
        migrated = subprocess.run([sys.executable, "-c", "from app import create_app; from portal.database import "
                                   "upgrade_schema; upgrade_schema(create_app())"], cwd=self.path, env=self.env,
                                  capture_output=True, text=True)
        if migrated.returncode:
            raise RuntimeError(f"{self.label}: migration failed\n{migrated.stderr[-2000:]}")
        self.log = open(Path(tempfile.gettempdir()) / f"{self.name}.log", "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(self.path / "gunicorn.conf.py"), "-w", str(self.workers),
             "--threads", str(self.threads), "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
             "--access-logfile", "/dev/null"],
            cwd=self.path, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.3)
        raise RuntimeError(f"{self.label}: the portal did not come up (see {self.log.name})")

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.admin.dispose()

    def rows(self) -> int:
        engine = create_engine(self.database_url)
        with engine.connect() as connection:
            count = connection.exec_driver_sql("SELECT COUNT(*) FROM audit_log").scalar()
        engine.dispose()
        return count


# The audit write path alone, in one process of the tree: `clients` threads calling record_event for
# `seconds` (what each search pays for its row, without OpenSearch's share of the machine).
WRITE_PROBE = """
import sys, threading, time
from app import create_app
from portal.audit.log import record_event
app = create_app({"TESTING": True})
clients, seconds = int(sys.argv[1]), float(sys.argv[2])
counts, stop = [], time.monotonic() + seconds
def write():
    written = 0
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        while time.monotonic() < stop:
            record_event("search.query", details={"q": "quyết định", "hits": 12})
            written += 1
    counts.append(written)
threads = [threading.Thread(target=write) for _ in range(clients)]
started = time.monotonic()
[thread.start() for thread in threads]
[thread.join() for thread in threads]
print(sum(counts) / (time.monotonic() - started))
"""


def hammer(url: str, clients: int, seconds: float) -> tuple[int, int]:
    """(answered 200, other answers) from `clients` threads searching for `seconds`."""
    counts, lock, stop = [0, 0], threading.Lock(), time.monotonic() + seconds

    def client(number: int) -> None:
        session, ok, other, turn = requests.Session(), 0, 0, number
        while time.monotonic() < stop:
            turn += 1
            try:
                answer = session.get(f"{url}/api/v1/search", params={"q": WORDS[turn % len(WORDS)], "size": 10},
                                     timeout=60)
                ok, other = (ok + 1, other) if answer.status_code == 200 else (ok, other + 1)
            except requests.RequestException:
                other += 1
        with lock:
            counts[0] += ok
            counts[1] += other

    threads = [threading.Thread(target=client, args=(number,)) for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts[0], counts[1]


def measure(tree: Tree, clients: int, seconds: float, warm_up: float) -> dict:
    hammer(tree.url, clients, warm_up)
    before = tree.rows()
    started = time.monotonic()
    ok, other = hammer(tree.url, clients, seconds)
    elapsed = time.monotonic() - started
    return {"ok": ok, "other": other, "per_second": ok / elapsed, "rows_during": tree.rows() - before}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="main", help="the commit whose audit log chains on the request path")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warm-up", type=float, default=5)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--opensearch-url", default=os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9200"))
    args = parser.parse_args(argv)

    from opensearchpy import OpenSearch

    postgres_url = _postgres_url(args.postgres_url)
    opensearch = OpenSearch(args.opensearch_url)
    load_index(opensearch, args.records, prefix=PREFIX)
    base = subprocess.run(["git", "rev-parse", "--short", args.base], cwd=REPO, check=True, capture_output=True,
                          text=True).stdout.strip()
    worktree = Path(tempfile.mkdtemp(prefix="bench-audit-base-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(worktree), base], cwd=REPO, check=True,
                   capture_output=True)
    results, load_before = {}, os.getloadavg()
    try:
        for label, path in ((f"before ({base}: chained under one lock per row)", worktree),
                            ("after (this tree: written unchained, chained by the sequencer)", REPO)):
            log(f"{label}: {args.clients} clients for {args.seconds:.0f} s")
            with Tree(label, path, postgres_url, args.workers, args.threads) as tree:
                figures = measure(tree, args.clients, args.seconds, args.warm_up)
                probe = subprocess.run([sys.executable, "-c", WRITE_PROBE, str(args.clients), str(args.seconds)],
                                       cwd=path, env=tree.env, capture_output=True, text=True)
                figures["writes_per_second"] = float(probe.stdout.strip() or "nan")
                if path == REPO:
                    figures["chain"] = tree.flask("audit", "chain").stdout.strip()
                verify = tree.flask("audit", "verify")
                figures["verify"] = [line for line in (verify.stdout + verify.stderr).splitlines()
                                     if line.startswith(("audit log", "checkpoints"))]
                figures["verify_exit"] = verify.returncode
                figures["rows"] = tree.rows()
            results[label] = figures
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=REPO, capture_output=True)
        drop_bench_indices(opensearch, PREFIX)
    load_after = os.getloadavg()

    print(f"audited searches per second, PostgreSQL, {args.clients} concurrent clients, {args.seconds:.0f} s each, "
          f"gunicorn -w {args.workers} --threads {args.threads}, {args.records} records, {os.cpu_count()} cores")
    print(f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    for label, figures in results.items():
        print(f"\n{label}")
        print(f"  {figures['per_second']:.1f} searches/s ({figures['ok']} answered 200, {figures['other']} other); "
              f"{figures['rows_during']} audit rows written meanwhile, {figures['rows']} in all")
        print(f"  audit write path alone: {figures['writes_per_second']:.0f} record_event/s from {args.clients} threads")
        if "chain" in figures:
            print(f"  flask audit chain: {figures['chain']}")
        print(f"  flask audit verify (exit {figures['verify_exit']}): " + " | ".join(figures["verify"][-3:]))
    before, after = (figures["per_second"] for figures in results.values())
    print(f"\nafter / before: {after / before:.2f}× audited searches/s")
    before, after = (figures["writes_per_second"] for figures in results.values())
    print(f"after / before: {after / before:.2f}× audit rows/s (write path alone)")
    return 0 if all(figures["verify_exit"] == 0 for figures in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
