"""Search latency: the portal against raw OpenSearch, at 1, 8 and 16 concurrent clients.

Fills `bench-records` with N synthetic records (`bench.generate`), starts the real portal under
gunicorn on a free local port, and sends the same seeded mix of searches (`bench.queries`) to
three targets, one target and one concurrency level at a time (within a level the targets take
turns in a few rounds, so background load on a shared machine falls on all of them alike):

  base  POST bench-records/_search with the body the portal built before issue 21
        (`bench.baseline_query`, a frozen copy of that code), the baseline of the speed-up
  raw   POST bench-records/_msearch with the very requests the portal sends for an anonymous reader
        (`search_requests(ANONYMOUS, parse_search_params(...))`: hits and facets, permission filter in both)
  api   GET /api/v1/search?...   (the JSON API)
  page  GET /search?...          (the HTML results page)

It prints docs/s and the index size, then p50/p95/p99 and throughput per target and level, and
the p95 ratios api/raw (goal ≤ 1.2) and page/raw (goal ≤ 1.5), and raw/base (goal ≤ 0.5 at a
million records). With `--sizes 200000,1000000` one catalogue is loaded in steps and measured at
each. A script that prints figures, never a test; all traffic goes to 127.0.0.1; indices are
deleted at the end unless --keep.

    python -m bench.search --sizes 200000,1000000 --queries-per-level 100 --levels 1,8
"""
from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests
from werkzeug.datastructures import MultiDict

from bench.generate import (
    BENCH_PREFIX,
    DEFAULT_SEED,
    bench_index_names,
    drop_bench_indices,
    human_bytes,
    index_stats,
    IndexLoader,
    print_load_report,
)
from bench.queries import Query, build_query_mix

REPO = Path(__file__).resolve().parent.parent
TARGETS = ("base", "raw", "api", "page")
GOALS = {"api": 1.2, "page": 1.5}  # p95 of the target at most this times raw's p95
SPEED_UP_GOAL = 0.5  # p95 of the new body at most this times the baseline body's (issue 21)
REQUEST_TIMEOUT = 60


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# The portal, served as in production (or by werkzeug in this process).

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Portal:
    """The real app on 127.0.0.1:<free port>, reading the bench- indices, with a throwaway database."""

    def __init__(self, server: str, opensearch_url: str, workers: int, threads: int):
        self.server = server
        self.opensearch_url = opensearch_url
        self.workers = workers
        self.threads = threads
        self.tmp = tempfile.TemporaryDirectory(prefix="bench-portal-")
        self.database_url = f"sqlite:///{self.tmp.name}/portal.db"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.werkzeug = None
        self.log_path = Path(self.tmp.name) / "server.log"
        self.app = None

    def config(self) -> dict:
        return {"OPENSEARCH_INDEX_PREFIX": BENCH_PREFIX, "DATABASE_URL": self.database_url,
                "OPENSEARCH_URL": self.opensearch_url}

    def describe(self) -> str:
        if self.server == "gunicorn":
            return f"gunicorn -w {self.workers} -k gthread --threads {self.threads} (app:create_app())"
        return "werkzeug threaded server in the benchmark's own process"

    def __enter__(self) -> Portal:
        from app import create_app

        from cryptography.fernet import Fernet

        os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))  # this process only: no warning
        # The portal refuses to start without the key of readers' personal data; the bench stores none.
        os.environ.setdefault("PERSONAL_DATA_KEY", Fernet.generate_key().decode())
        self.app = create_app(self.config())
        try:  # search does not need the database today; the audit log of searches will
            from portal.database import upgrade_schema
            upgrade_schema(self.app)
        except Exception as error:  # noqa: BLE001 - a benchmark goes on without it, and says so
            log(f"note: could not migrate the throwaway database ({error}); continuing")
        if self.server == "gunicorn":
            self._start_gunicorn()
        else:
            self._start_werkzeug()
        self._wait_ready()
        return self

    def _start_gunicorn(self) -> None:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        if not gunicorn.exists():
            gunicorn = Path(shutil.which("gunicorn") or "gunicorn")
        env = dict(os.environ, SECRET_KEY=secrets.token_hex(32), **self.config())
        command = [str(gunicorn), "-w", str(self.workers), "-k", "gthread", "--threads", str(self.threads),
                   "-b", f"127.0.0.1:{self.port}", "--chdir", str(REPO), "--timeout", "120",
                   "--log-level", "warning", "app:create_app()"]
        with open(self.log_path, "wb") as server_log:
            self.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=server_log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def _start_werkzeug(self) -> None:
        from werkzeug.serving import make_server

        self.app.config["SECRET_KEY"] = secrets.token_hex(32)
        self.werkzeug = make_server("127.0.0.1", self.port, self.app, threaded=True)
        threading.Thread(target=self.werkzeug.serve_forever, daemon=True).start()

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                break
            try:
                if requests.get(f"{self.url}/api/v1/search?size=1", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the portal did not come up on {self.url}:\n{self.server_log()}")

    def server_log(self, last: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-last:]
        except OSError:
            return ""

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()  # the gunicorn master stops its workers
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.werkzeug is not None:
            self.werkzeug.shutdown()
        self.tmp.cleanup()


# ---------------------------------------------------------------------------------------------
# Requests and timing.

@dataclass
class Request:
    """One query for one target, ready to send: the send itself is all that is timed."""

    kind: str
    method: str
    url: str
    body: bytes | None = None
    content_type: str = "application/json"

    def send(self, session: requests.Session) -> requests.Response:
        if self.method == "POST":
            return session.post(self.url, data=self.body, headers={"Content-Type": self.content_type},
                                timeout=REQUEST_TIMEOUT)
        return session.get(self.url, timeout=REQUEST_TIMEOUT)


def build_requests(queries: list[Query], portal_url: str, opensearch_url: str, alias: str, max_size: int,
                   max_window: int) -> dict[str, list[Request]]:
    from bench.baseline_query import build_search as build_baseline_search
    from portal.access.identity import ANONYMOUS
    from portal.search.params import parse_search_params
    from portal.search.query import search_requests

    targets: dict[str, list[Request]] = {t: [] for t in TARGETS}
    for query in queries:
        params = parse_search_params(MultiDict(list(query.args)), max_size, max_window)
        lines = [line for body in search_requests(ANONYMOUS, params) for line in ({}, body)]
        body = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
        baseline = json.dumps(build_baseline_search(ANONYMOUS, params), ensure_ascii=False).encode()
        address = urlencode(list(query.args))
        targets["base"].append(Request(query.kind, "POST", f"{opensearch_url}/{alias}/_search", baseline))
        targets["raw"].append(Request(query.kind, "POST", f"{opensearch_url}/{alias}/_msearch", body,
                                      "application/x-ndjson"))
        targets["api"].append(Request(query.kind, "GET", f"{portal_url}/api/v1/search?{address}"))
        targets["page"].append(Request(query.kind, "GET", f"{portal_url}/search?{address}"))
    return targets


@dataclass
class Phase:
    target: str
    clients: int
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    kinds: list[str] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    skipped: int = 0
    bytes: int = 0
    wall: float = 0.0  # summed over the rounds
    cache_hits: int = 0  # shard request-cache hits while this target's requests ran

    def merge(self, other: Phase) -> None:
        self.cache_hits += other.cache_hits
        self.latencies += other.latencies
        self.kinds += other.kinds
        self.errors.update(other.errors)
        self.skipped += other.skipped
        self.bytes += other.bytes
        self.wall += other.wall

    def percentile(self, p: float, values: list[float] | None = None) -> float:
        data = sorted(self.latencies if values is None else values)
        if not data:
            return float("nan")
        return data[max(0, math.ceil(p / 100 * len(data)) - 1)]  # nearest rank

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0


def run_phase(target: str, requests_: list[Request], clients: int, time_limit: float) -> Phase:
    """Send every request once with `clients` closed-loop clients (one thread and session each)."""
    phase = Phase(target, clients)
    local = threading.local()
    sessions: list[requests.Session] = []
    lock = threading.Lock()
    deadline = time.monotonic() + time_limit

    def send(request: Request):
        if time.monotonic() > deadline:
            return None
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            with lock:
                sessions.append(session)
        started = time.perf_counter()
        try:
            response = request.send(session)
            content = response.content
        except requests.RequestException as error:
            return ("error", type(error).__name__)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            return ("error", f"HTTP {response.status_code}")
        return ("ok", elapsed, len(content), request.kind)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients, thread_name_prefix=f"bench-{target}") as pool:
        outcomes = list(pool.map(send, requests_))
    phase.wall = time.perf_counter() - started
    for session in sessions:
        session.close()
    for outcome in outcomes:
        if outcome is None:
            phase.skipped += 1
        elif outcome[0] == "error":
            phase.errors[outcome[1]] += 1
        else:
            phase.latencies.append(outcome[1])
            phase.bytes += outcome[2]
            phase.kinds.append(outcome[3])
    return phase


def hits_answer(answer: dict) -> dict:
    """The answer holding the hits: the first of an `_msearch` (the portal's request), or a `_search`'s."""
    return answer["responses"][0] if "responses" in answer else answer


def warm_up_and_check(targets: dict[str, list[Request]], clients: int = 4) -> list[str]:
    """Send every query once to each target (untimed) and check the portal's totals equal raw's,
    and the new body's first page of hits equals the baseline's (the same records, same order)."""
    problems = []
    totals: dict[str, list] = {}
    first_ids: dict[str, list] = {}
    for target in ("base", "raw"):
        def ids_of(request: Request):
            try:
                answer = hits_answer(request.send(requests.Session()).json())
                return [hit["_id"] for hit in answer["hits"]["hits"]], answer["hits"]["total"]
            except (requests.RequestException, ValueError, KeyError) as error:
                return f"error {type(error).__name__}", None

        with ThreadPoolExecutor(max_workers=clients) as pool:
            first_ids[target] = list(pool.map(ids_of, targets[target]))
    differing = [i for i, (base, new) in enumerate(zip(first_ids["base"], first_ids["raw"])) if base[0] != new[0]]
    log(f"warm-up: the new body's page of hits equals the baseline's for "
        f"{len(targets['raw']) - len(differing)} of {len(targets['raw'])} queries")
    for index in differing[:10]:
        log(f"  differs: {targets['api'][index].url}")
    for target in ("raw", "api"):
        def total_of(request: Request, target=target):
            try:
                response = request.send(requests.Session())
            except requests.RequestException as error:
                return f"error {type(error).__name__}"
            if response.status_code != 200:
                return f"HTTP {response.status_code}"
            answer = response.json()
            return hits_answer(answer)["hits"]["total"]["value"] if target == "raw" else answer["total"]

        with ThreadPoolExecutor(max_workers=clients) as pool:
            totals[target] = list(pool.map(total_of, targets[target]))
    with ThreadPoolExecutor(max_workers=clients) as pool:
        pages = list(pool.map(lambda r: r.send(requests.Session()).status_code, targets["page"]))
    for index, (raw, api) in enumerate(zip(totals["raw"], totals["api"])):
        if raw != api:
            problems.append(f"query {index} ({targets['api'][index].url}): raw total {raw}, api total {api}")
    for index, status in enumerate(pages):
        if status != 200:
            problems.append(f"query {index} ({targets['page'][index].url}): page answered {status}")
    hits = [t for t in totals["raw"] if isinstance(t, int)]
    log(f"warm-up: {len(hits)} queries, {sum(1 for t in hits if t == 0)} with no hits, "
        f"median total {sorted(hits)[len(hits) // 2] if hits else 0:,}")
    return problems


# ---------------------------------------------------------------------------------------------
# Report.

def print_results(phases: list[Phase], levels: list[int], out=sys.stdout) -> bool:
    by_key = {(p.target, p.clients): p for p in phases}
    print("\nlatency per target and concurrency (ms; req/s = successful requests / wall time; cached = shard "
          "request-cache hits, the cache emptied before each target's turn)", file=out)
    print(f"{'clients':>7} {'target':<6} {'n':>5} {'err':>4} {'skip':>4} {'p50':>8} {'p95':>8} {'p99':>8} "
          f"{'req/s':>7} {'KiB/resp':>8} {'cached':>6}", file=out)
    for clients in levels:
        for target in TARGETS:
            p = by_key.get((target, clients))
            if p is None:
                continue
            size = p.bytes / len(p.latencies) / 1024 if p.latencies else 0
            print(f"{clients:>7} {target:<6} {len(p.latencies):>5} {sum(p.errors.values()):>4} {p.skipped:>4} "
                  f"{p.percentile(50) * 1000:>8.1f} {p.percentile(95) * 1000:>8.1f} "
                  f"{p.percentile(99) * 1000:>8.1f} {p.throughput:>7.1f} {size:>8.1f} {p.cache_hits:>6}", file=out)
            for reason, count in p.errors.items():
                print(f"{'':>14}error: {reason} × {count}", file=out)

    print("\np95 ratios, the goal (api/raw ≤ 1.2, page/raw ≤ 1.5); p50 ratios for comparison", file=out)
    print(f"{'clients':>7} {'p95 api/raw':>12} {'p95 page/raw':>13} {'p50 api/raw':>12} {'p50 page/raw':>13}",
          file=out)
    met = {"api": True, "page": True}
    for clients in levels:
        raw = by_key.get(("raw", clients))
        cells, medians = [], []
        for target in ("api", "page"):
            p = by_key.get((target, clients))
            if raw is None or p is None or not raw.latencies or not p.latencies:
                cells.append(f"{'n/a':>12}")
                medians.append(f"{'n/a':>12}")
                met[target] = False
                continue
            ratio = p.percentile(95) / raw.percentile(95)
            ok = ratio <= GOALS[target] and not p.errors and not p.skipped
            met[target] &= ok
            cells.append(f"{ratio:>7.2f} {'ok' if ok else 'MISS':>4}")
            medians.append(f"{p.percentile(50) / raw.percentile(50):>12.2f}")
        print(f"{clients:>7} {cells[0]:>12} {cells[1]:>13} {medians[0]:>12} {medians[1]:>13}", file=out)
    print(f"goal api p95 ≤ 1.2× raw: {'met' if met['api'] else 'NOT met'}; "
          f"goal page p95 ≤ 1.5× raw: {'met' if met['page'] else 'NOT met'}", file=out)
    return met["api"] and met["page"]


def print_kinds(phases: list[Phase], clients: int, out=sys.stdout) -> None:
    """p95 by kind of query at one concurrency level: where the time goes."""
    by_target = {p.target: p for p in phases if p.clients == clients}
    if not by_target:
        return
    kinds = sorted({k for p in by_target.values() for k in p.kinds})
    print(f"\np95 by kind of query at {clients} client(s), ms", file=out)
    print(f"{'kind':<16} {'n':>4} " + " ".join(f"{t:>8}" for t in TARGETS), file=out)
    for kind in kinds:
        cells = []
        count = 0
        for target in TARGETS:
            p = by_target.get(target)
            values = [lat for lat, k in zip(p.latencies, p.kinds) if k == kind] if p else []
            count = max(count, len(values))
            cells.append(f"{p.percentile(95, values) * 1000:>8.1f}" if values else f"{'-':>8}")
        print(f"{kind:<16} {count:>4} " + " ".join(cells), file=out)


# ---------------------------------------------------------------------------------------------

def _loopback_only(url: str) -> str:
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"the benchmark only talks to this machine; {url} is not local")
    return url.rstrip("/")


def speed_ups(phases: list[Phase], levels: list[int]) -> dict[int, float]:
    """p95 of the new body over the baseline body's, at each level (raw OpenSearch both)."""
    by_key = {(p.target, p.clients): p for p in phases}
    ratios = {}
    for clients in levels:
        base, new = by_key.get(("base", clients)), by_key.get(("raw", clients))
        if base and new and base.latencies and new.latencies:
            ratios[clients] = new.percentile(95) / base.percentile(95)
    return ratios


def print_speed_ups(ratios: dict[int, float], records: int, out=sys.stdout) -> None:
    print(f"\nthe new body against the baseline (raw OpenSearch, same index), goal p95 ≤ {SPEED_UP_GOAL}× at a "
          f"million records", file=out)
    for clients, ratio in ratios.items():
        print(f"{clients:>7} client(s): p95 new/baseline {ratio:.2f}", file=out)


def clear_request_cache(opensearch_url: str, alias: str) -> None:
    """Empty the shard request cache of the bench index. The portal's facets request (size 0) is cached
    by OpenSearch until the next refresh; the bench sends each query to several targets and levels, so
    without this every facets request after the first would be a cache hit and the new request would
    look faster than a first search is. (Pages 2, 3, … of one search do reuse it: docs/scaling.md.)"""
    requests.post(f"{opensearch_url}/{alias}/_cache/clear", params={"request": "true"},
                  timeout=REQUEST_TIMEOUT).raise_for_status()


def request_cache_hits(opensearch_url: str, alias: str) -> int:
    answer = requests.get(f"{opensearch_url}/{alias}/_stats/request_cache", timeout=REQUEST_TIMEOUT)
    answer.raise_for_status()
    return answer.json()["_all"]["total"]["request_cache"]["hit_count"]


def measure(targets: dict[str, list[Request]], levels: list[int], rounds_wanted: int,
            time_limit: float, clear_cache=lambda: None, cache_hits=lambda: 0) -> list[Phase]:
    """Every target at every level; within a level the targets take turns round by round, in a
    rotating order, so a change in the shared machine's background load hits all alike. The request
    cache is emptied before each target's turn (`clear_cache`); the hits it gives within a turn (the
    same search's facets asked again, e.g. by its deeper pages) are counted (`cache_hits`)."""
    phases = []
    turn = 0
    count = len(targets["raw"])
    for clients in levels:
        merged = {t: Phase(t, clients) for t in TARGETS}
        rounds = max(1, min(rounds_wanted, count // (4 * clients)))
        bounds = [count * r // rounds for r in range(rounds + 1)]
        log(f"  {clients:>2} client(s): {rounds} round(s) of the {len(TARGETS)} targets ...")
        for start, end in zip(bounds, bounds[1:]):
            shift = turn % len(TARGETS)
            order = TARGETS[shift:] + TARGETS[:shift]
            turn += 1
            for target in order:
                clear_cache()
                hits_before = cache_hits()
                phase = run_phase(target, targets[target][start:end], clients, time_limit / rounds)
                phase.cache_hits = cache_hits() - hits_before
                merged[target].merge(phase)
        phases += merged.values()
    return phases


def main(argv: list[str] | None = None) -> int:
    from portal.opensearch import build_client

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000, help="synthetic records to load (20,000)")
    parser.add_argument("--sizes", default="",
                        help="load one catalogue in steps and measure at each, e.g. 200000,1000000 "
                             "(instead of --records)")
    parser.add_argument("--queries-per-level", type=int, default=200,
                        help="queries each target gets at each concurrency level (200)")
    parser.add_argument("--levels", default="1,8,16", help="concurrent clients, comma-separated (1,8,16)")
    parser.add_argument("--keep", action="store_true", help="keep the bench- index at the end")
    parser.add_argument("--skip-load", action="store_true", help="use the bench- index a --keep run left")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--server", choices=("gunicorn", "werkzeug"), default="gunicorn")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--phase-time-limit", type=float, default=120,
                        help="seconds one target may take at one level; the rest is skipped (120)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="the targets take turns in this many rounds per level (5)")
    parser.add_argument("--opensearch-url", default="http://127.0.0.1:9200")
    args = parser.parse_args(argv)
    opensearch_url = _loopback_only(args.opensearch_url)
    levels = [int(v) for v in args.levels.split(",") if v.strip()]
    sizes = sorted(int(v) for v in args.sizes.split(",") if v.strip()) or [args.records]
    if args.skip_load and len(sizes) > 1:
        raise SystemExit("--skip-load measures the index as it is: give --sizes without it")
    started = time.perf_counter()

    client = build_client(opensearch_url, timeout=120)
    version = client.info()["version"]["number"]
    alias, _ = bench_index_names(BENCH_PREFIX)
    print(f"OpenSearch {version} at {opensearch_url}; {os.cpu_count()} CPUs on this machine, load average "
          f"{os.getloadavg()[0]:.1f} at the start")

    exit_code = 0
    by_size: dict[int, dict[str, object]] = {}
    try:
        loader = None if args.skip_load else IndexLoader(client, sizes[-1], args.seed, progress=log)
        queries = build_query_mix(args.queries_per_level, args.seed)
        mix = Counter(q.kind for q in queries)
        with Portal(args.server, opensearch_url, args.workers, args.threads) as portal:
            print(f"portal: {portal.describe()} at {portal.url}")
            print(f"queries: {len(queries)} per target per level, the same list for every target and level; "
                  f"anonymous identity; mix: " + ", ".join(f"{k} {v}" for k, v in sorted(mix.items())))
            targets = build_requests(queries, portal.url, opensearch_url, alias,
                                     portal.app.config["SEARCH_MAX_PAGE_SIZE"],
                                     portal.app.config["SEARCH_MAX_WINDOW"])
            for size in sizes:
                records = size
                if loader is None:
                    index = sorted(client.indices.get_alias(name=alias))[-1] \
                        if client.indices.exists_alias(name=alias) else None
                    if index is None:
                        raise SystemExit(f"--skip-load: there is no {alias}; run once with --keep first")
                    store, records, segments = index_stats(client, index)
                    print(f"\nindex {index} (alias {alias}), reused")
                    print(f"index size: {store:,} bytes ({human_bytes(store)}), {records:,} docs, {segments} segments")
                else:
                    log(f"loading up to {size:,} records (seed {args.seed}) ...")
                    report = loader.load_up_to(size)
                    print(f"\n=== {size:,} records ===")
                    print_load_report(report)
                    if report.failed:
                        return 1
                log("warming up (every query once to each target, untimed) ...")
                problems = warm_up_and_check(targets)
                for problem in problems[:10]:
                    print(f"CHECK FAILED: {problem}")
                if problems:
                    exit_code = 1
                phases = measure(targets, levels, args.rounds, args.phase_time_limit,
                                 lambda: clear_request_cache(opensearch_url, alias),
                                 lambda: request_cache_hits(opensearch_url, alias))
                if any(p.errors for p in phases):
                    log(f"server log (last lines):\n{portal.server_log()}")
                print(f"\n--- {records:,} records; load average {os.getloadavg()[0]:.1f} ---")
                print_results(phases, levels)
                print_kinds(phases, levels[0])
                ratios = speed_ups(phases, levels)
                print_speed_ups(ratios, records)
                by_size[records] = {"phases": phases, "ratios": ratios}
        print_growth(by_size, levels)
        last_size = max(by_size) if by_size else 0
        ratios = by_size[last_size]["ratios"] if by_size else {}
    finally:
        if args.keep:
            print(f"kept {alias}")
        else:
            dropped = drop_bench_indices(client, BENCH_PREFIX)
            print(f"deleted {', '.join(dropped) or 'nothing'}")
        print(f"total run time {time.perf_counter() - started:,.0f} s; load average {os.getloadavg()[0]:.1f} "
              f"at the end")
    print(f"p95 at {last_size} records, new/baseline: "
          + ", ".join(f"{ratio:.2f} at {clients} client{'s' if clients > 1 else ''}"
                      for clients, ratio in ratios.items()))
    return exit_code


def print_growth(by_size: dict[int, dict], levels: list[int], out=sys.stdout) -> None:
    """How each target's p95 grows with the catalogue, from the first size measured to the last."""
    if len(by_size) < 2:
        return
    first, last = min(by_size), max(by_size)
    print(f"\ngrowth of p95 from {first:,} to {last:,} records ({last / first:.1f}× the records)", file=out)
    print(f"{'clients':>7} {'target':<6} {'p95 first':>10} {'p95 last':>10} {'growth':>7}", file=out)
    for clients in levels:
        for target in ("base", "raw"):
            cells = [next((p for p in by_size[size]["phases"] if p.target == target and p.clients == clients), None)
                     for size in (first, last)]
            if not all(c and c.latencies for c in cells):
                continue
            before, after = (c.percentile(95) * 1000 for c in cells)
            print(f"{clients:>7} {target:<6} {before:>10.1f} {after:>10.1f} {after / before:>6.2f}×", file=out)


if __name__ == "__main__":
    sys.exit(main())
