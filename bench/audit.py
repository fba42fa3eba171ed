"""Audited searches per second: the audit log chained on the request path (the branch's base
commit) against rows chained by the sequencer (this tree), in one run, on PostgreSQL.

Two portals run side by side (and a third, this tree with its searches not audited: the ceiling):
the old tree checked out at `--base` in a throwaway `git worktree`, and this one, each on a fresh PostgreSQL database migrated by its own migrations,
under gunicorn (gthread) on a free local port (this one's workers run their sequencer threads).
After a warm-up they take turns, `--rounds` times, so the machine's other load falls on both
alike: `--clients` threads send GET /api/v1/search?q=... (each an audited search), then as many
threads spread over `--workers` processes call `record_event` (the audit write path alone,
without OpenSearch's share of the machine). Then each tree's `flask audit verify` (this tree:
`flask audit chain` first) and the rows counted. Both read the same small synthetic index
(`bench.generate`, prefix bench-audit-). It prints the figures, their ratios and the load average.
A script that prints figures, never a test; all traffic goes to 127.0.0.1.

    .venv/bin/python -m bench.audit --clients 16 --seconds 30
"""
from __future__ import annotations

import argparse
import contextlib
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
CEILING = "ceiling (this tree, its searches not audited: bench/unaudited.py)"
WORDS = ("quyết định", "ubnd", "vinh long", "đất đai", "hồ sơ", "công văn", "huế", "xây dựng", "1995", "tờ trình")


def _postgres_url(given: str | None) -> str:
    if given or os.environ.get("TEST_POSTGRES_URL"):
        return given or os.environ["TEST_POSTGRES_URL"]
    return subprocess.run([str(REPO / "scripts" / "postgres.sh"), "url"], check=True, capture_output=True,
                          text=True).stdout.strip()


class Tree:
    """One checkout's portal on a database of its own."""

    def __init__(self, label: str, path: Path, postgres_url: str, workers: int, threads: int,
                 app_module: str | None = None):
        self.label, self.path, self.workers, self.threads = label, path, workers, threads
        self.app_module = app_module  # gunicorn's APP_MODULE instead of gunicorn.conf.py's wsgi_app
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
             "--access-logfile", "/dev/null", *([self.app_module] if self.app_module else [])],
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


def probe_writes(tree: Tree, clients: int, processes: int, seconds: float) -> float:
    """record_event/s from `clients` threads spread over `processes` processes, as gunicorn spreads them."""
    running = [subprocess.Popen([sys.executable, "-c", WRITE_PROBE, str(max(1, clients // processes)), str(seconds)],
                                cwd=tree.path, env=tree.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                text=True) for _ in range(processes)]
    return sum(float(process.communicate()[0].strip() or "nan") for process in running)


def measure(trees: list[Tree], args) -> dict[str, dict]:
    """The trees take turns, `--rounds` times, so the machine's other load falls on both alike."""
    figures = {tree.label: {"ok": 0, "other": 0, "seconds": 0.0, "rows_during": 0, "writes": []} for tree in trees}
    for tree in trees:
        hammer(tree.url, args.clients, args.warm_up)
    share = args.seconds / args.rounds
    for round_number in range(args.rounds):
        turn = round_number % len(trees)  # each takes its turn first, so none always follows the same one
        for tree in trees[turn:] + trees[:turn]:
            log(f"round {round_number + 1}/{args.rounds}: {tree.label}")
            mine, before, started = figures[tree.label], tree.rows(), time.monotonic()
            ok, other = hammer(tree.url, args.clients, share)
            mine["seconds"] += time.monotonic() - started
            mine["ok"], mine["other"], mine["rows_during"] = mine["ok"] + ok, mine["other"] + other, \
                mine["rows_during"] + tree.rows() - before
            if tree.app_module is None:  # the ceiling's searches write no rows: nothing to probe
                mine["writes"].append(probe_writes(tree, args.clients, args.workers, share))
    for mine in figures.values():
        mine["per_second"] = mine["ok"] / mine["seconds"]
        mine["writes_per_second"] = sum(mine["writes"]) / len(mine["writes"]) if mine["writes"] else None
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default=None, help="the commit whose audit log chains on the request path "
                        "(default: where this branch left main, `git merge-base HEAD main`)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warm-up", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=4, help="the trees take turns this many times")
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--no-ceiling", action="store_true", help="leave out the unaudited searches of this tree")
    parser.add_argument("--opensearch-url", default=os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9200"))
    args = parser.parse_args(argv)

    from opensearchpy import OpenSearch

    postgres_url = _postgres_url(args.postgres_url)
    opensearch = OpenSearch(args.opensearch_url)
    load_index(opensearch, args.records, prefix=PREFIX)
    git = lambda *words: subprocess.run(["git", *words], cwd=REPO, check=True, capture_output=True,  # noqa: E731
                                        text=True).stdout.strip()
    base = git("rev-parse", "--short", args.base or git("merge-base", "HEAD", "main"))
    worktree = Path(tempfile.mkdtemp(prefix="bench-audit-base-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(worktree), base], cwd=REPO, check=True,
                   capture_output=True)
    load_before = os.getloadavg()
    try:
        with contextlib.ExitStack() as stack:
            trees = [stack.enter_context(Tree(label, path, postgres_url, args.workers, args.threads)) for label, path in
                     ((f"before ({base}: chained under one lock per row)", worktree),
                      ("after (this tree: group commit, chained by the sequencer)", REPO))]
            if not args.no_ceiling:
                trees.append(stack.enter_context(Tree(CEILING, REPO, postgres_url, args.workers, args.threads,
                                                      app_module="bench.unaudited:create_app()")))
            results = measure(trees, args)
            for tree in trees[:2]:
                figures = results[tree.label]
                if tree.path == REPO:
                    figures["chain"] = tree.flask("audit", "chain").stdout.strip()
                verify = tree.flask("audit", "verify")
                figures["verify"] = [line for line in (verify.stdout + verify.stderr).splitlines()
                                     if line.startswith(("audit log", "checkpoints"))]
                figures["verify_exit"] = verify.returncode
                figures["rows"] = tree.rows()
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=REPO, capture_output=True)
        drop_bench_indices(opensearch, PREFIX)
    load_after = os.getloadavg()

    print(f"audited searches per second, PostgreSQL, {args.clients} concurrent clients, {args.seconds:.0f} s each "
          f"in {args.rounds} turns, "
          f"gunicorn -w {args.workers} --threads {args.threads}, {args.records} records, {os.cpu_count()} cores")
    print(f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    ceiling = results.pop(CEILING, None)
    for label, figures in results.items():
        print(f"\n{label}")
        print(f"  {figures['per_second']:.1f} searches/s ({figures['ok']} answered 200, {figures['other']} other); "
              f"{figures['rows_during']} audit rows written meanwhile, {figures['rows']} in all")
        print(f"  audit write path alone: {figures['writes_per_second']:.0f} record_event/s from {args.clients} threads "
              f"in {args.workers} processes (rounds: {', '.join(f'{rate:.0f}' for rate in figures['writes'])})")
        if "chain" in figures:
            print(f"  flask audit chain: {figures['chain']}")
        print(f"  flask audit verify (exit {figures['verify_exit']}): " + " | ".join(figures["verify"][-3:]))
    before, after = (figures["per_second"] for figures in results.values())
    print(f"\nafter / before: {after / before:.2f}× audited searches/s")
    if ceiling is not None:
        print(f"ceiling: {ceiling['per_second']:.1f} unaudited searches/s of this tree ({ceiling['ok']} answered 200, "
              f"{ceiling['other']} other) = {ceiling['per_second'] / before:.2f}× the audited searches/s before; "
              f"the audit costs this tree {1 - after / ceiling['per_second']:.0%} of it")
    before, after = (figures["writes_per_second"] for figures in results.values())
    print(f"after / before: {after / before:.2f}× audit rows/s (write path alone)")
    return 0 if all(figures["verify_exit"] == 0 for figures in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
