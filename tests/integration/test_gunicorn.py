"""The portal served by a real `gunicorn -w 3` with the repository's gunicorn.conf.py, on the database
and index of the session's harvested portal, its rate limits in the Redis of scripts/redis.sh and
behind one (pretend) proxy: what one worker does, the others honour, and /metrics sums them all.

Which worker answered is read from gunicorn's access log (the worker's pid ends each line); requests
go out many at once on fresh connections, so that every worker takes some."""
from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from tests.accounts import TEST_PASSWORD, create_user, csrf_token
from tests.conftest import DEMO_SOURCES

PROJECT_DIR = Path(__file__).resolve().parents[2]
WORKERS = 3
METRICS_TOKEN = secrets.token_urlsafe(24)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_url() -> str:
    """The Redis of scripts/redis.sh (scripts/test.sh starts it; started here when it is not)."""
    script = str(PROJECT_DIR / "scripts" / "redis.sh")
    subprocess.run([script, "start"], check=True, timeout=60, capture_output=True)
    return os.environ.get("REDIS_URL") or subprocess.run([script, "url"], check=True, capture_output=True,
                                                         text=True).stdout.strip()


class Gunicorn:
    def __init__(self, process: subprocess.Popen, url: str, log_path: Path):
        self.process, self.url, self.log_path = process, url, log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def worker_pids(self) -> set[int]:
        """The workers alive now (a reload replaces them all)."""
        log = self.log()
        booted = {int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", log)}
        return booted - {int(pid) for pid in re.findall(r"Worker exiting \(pid: (\d+)\)", log)}

    def worker_for(self, marker: str) -> int:
        """The pid of the worker whose access-log line holds `marker` (a probe in the request's query)."""
        pattern = re.compile(rf"{re.escape(marker)}\b.*<(\d+)>$", re.MULTILINE)
        for _ in range(50):  # the line is written just after the response
            match = pattern.search(self.log())
            if match:
                return int(match.group(1))
            time.sleep(0.1)
        raise AssertionError(f"no access-log line for {marker}")


@pytest.fixture(scope="module")
def gunicorn(harvested_app, tmp_path_factory):
    port = free_port()
    log_path = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    config = harvested_app.config
    # Configuration reaches gunicorn's workers as it would in production: through the environment.
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("OIDC_", "PROMETHEUS_", "RATELIMIT_", "GUNICORN_"))}
    env.update(SECRET_KEY=secrets.token_hex(32), DATABASE_URL=config["DATABASE_URL"],
               OPENSEARCH_URL=config["OPENSEARCH_URL"], OPENSEARCH_INDEX_PREFIX=config["OPENSEARCH_INDEX_PREFIX"],
               TIKA_SERVER_ENDPOINT=config["TIKA_SERVER_ENDPOINT"], REDIS_URL=redis_url(),
               RATELIMIT_KEY_PREFIX=f"test-gunicorn-{uuid.uuid4().hex}", RATELIMIT_SIGN_IN="5 per minute",
               PROXY_FIX_HOPS="1", METRICS_TOKEN=METRICS_TOKEN, PORTAL_BIND=f"127.0.0.1:{port}")
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", str(WORKERS)],
                                   cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Gunicorn(process, f"http://127.0.0.1:{port}", log_path)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, f"gunicorn exited:\n{server.log()[-3000:]}"
            assert time.monotonic() < deadline, f"gunicorn did not answer:\n{server.log()[-3000:]}"
            try:
                requests.get(f"{server.url}/healthz", timeout=10)
                if len(server.worker_pids()) == WORKERS:
                    break
            except requests.RequestException:  # not listening yet, or the workers still loading the app
                pass
            time.sleep(0.5)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def fresh_connection_get(url: str, **kwargs) -> requests.Response:
    return requests.get(url, headers={"Connection": "close", **kwargs.pop("headers", {})},
                        allow_redirects=False, timeout=60, **kwargs)


def fan_out(call, count: int) -> list:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(call, range(count)))


def metric_samples(text: str) -> dict[tuple, float]:
    """Every sample of a /metrics answer: (name, sorted labels) → value."""
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def sample(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def sign_in_through(gunicorn, app, marker: str) -> dict:
    """A new reader signed in through the real form; returns the browser's cookies."""
    email = f"gunicorn-{uuid.uuid4().hex[:8]}@example.vn"
    create_user(app, email, full_name="Đặng Thị Gunicorn")
    browser = requests.Session()
    page = browser.get(f"{gunicorn.url}/login", timeout=60)
    signed = browser.post(f"{gunicorn.url}/login?probe={marker}", timeout=60, allow_redirects=False,
                          data={"csrf_token": csrf_token(page.text), "email": email, "password": TEST_PASSWORD})
    assert signed.status_code == 302
    return browser.cookies.get_dict()


def searches_counted(gunicorn) -> float:
    scrape = requests.get(f"{gunicorn.url}/metrics", timeout=60)
    assert scrape.status_code == 200
    return sample(metric_samples(scrape.text), "portal_http_request_duration_seconds_count",
                  endpoint="search.search_page", method="GET", status="200")


def test_a_sign_in_through_one_worker_is_honoured_by_all_the_others(gunicorn, harvested_app):
    cookies = sign_in_through(gunicorn, harvested_app, "sign-in")
    signed_in_by = gunicorn.worker_for("probe=sign-in")

    answered_by: set[int] = set()
    for attempt in range(20):
        pages = fan_out(lambda n: fresh_connection_get(f"{gunicorn.url}/account?probe=account-{attempt}-{n}",
                                                       cookies=cookies), 12)
        assert [page.status_code for page in pages] == [200] * 12  # never sent back to the sign-in page
        assert all("Đặng Thị Gunicorn" in page.text for page in pages)
        answered_by |= {gunicorn.worker_for(f"probe=account-{attempt}-{n}") for n in range(12)}
        if answered_by == gunicorn.worker_pids():
            break
    assert answered_by == gunicorn.worker_pids()
    assert answered_by - {signed_in_by}  # workers that did not sign them in knew them all the same


def test_the_sign_in_limit_is_counted_across_workers(gunicorn):
    """Five failed sign-ins answered by more than one worker, then the sixth is refused: with a count
    per worker (memory://) no worker would have reached five."""
    for attempt in range(10):
        # A client of its own each time, forwarded by the proxy: a count of its own.
        client = {"X-Forwarded-For": f"203.0.113.{attempt + 1}"}
        page = requests.get(f"{gunicorn.url}/login", headers=client, timeout=60)
        form = {"csrf_token": csrf_token(page.text), "email": "nobody@example.vn", "password": "wrong password here"}

        def failed_sign_in(n: int, marker: str = f"limit-{attempt}") -> int:
            return requests.post(f"{gunicorn.url}/login?probe={marker}-{n}", data=form, cookies=page.cookies,
                                 headers={"Connection": "close", **client}, allow_redirects=False,
                                 timeout=60).status_code

        assert fan_out(failed_sign_in, 5) == [401] * 5
        counted_by = {gunicorn.worker_for(f"probe=limit-{attempt}-{n}") for n in range(5)}
        refused = fan_out(lambda n: failed_sign_in(n, f"refused-{attempt}"), 3)
        assert refused == [429] * 3
        if len(counted_by) > 1:
            break
    assert len(counted_by) > 1, "the five attempts all went to one worker ten times over"
    refused_by = {gunicorn.worker_for(f"probe=refused-{attempt}-{n}") for n in range(3)}
    assert refused_by <= gunicorn.worker_pids()


def test_metrics_sum_every_worker_and_show_each_sources_last_harvest(gunicorn, harvested_app):
    from schema.tables import HarvestRun

    counted_before = searches_counted(gunicorn)  # other tests of this server may have searched
    searches, served_by = 0, set()
    for attempt in range(10):
        answers = fan_out(lambda n: fresh_connection_get(
            f"{gunicorn.url}/search?q=vinh+long&probe=search-{attempt}-{n}"), 9)
        assert [answer.status_code for answer in answers] == [200] * 9
        searches += 9
        served_by |= {gunicorn.worker_for(f"probe=search-{attempt}-{n}") for n in range(9)}
        if len(served_by) > 1:
            break
    assert len(served_by) > 1

    scrape = requests.get(f"{gunicorn.url}/metrics", timeout=60)  # from 127.0.0.1, an allowed address
    assert scrape.status_code == 200 and scrape.headers["Content-Type"].startswith("text/plain")
    samples = metric_samples(scrape.text)
    # Summed across the workers that served the searches.
    counted = sample(samples, "portal_http_request_duration_seconds_count",
                     endpoint="search.search_page", method="GET", status="200")
    assert counted - counted_before == searches
    assert sample(samples, "portal_http_request_duration_seconds_bucket",
                  endpoint="search.search_page", method="GET", status="200", le="+Inf") == counted
    assert sample(samples, "portal_searches_total", channel="page") == counted
    assert sample(samples, "portal_opensearch_request_duration_seconds_count", operation="_search") >= counted
    assert sample(samples, "portal_audit_writes_total", action="search.query", outcome="allowed") >= counted

    # Each source's last run, from the database the harvest wrote (the CLI, another process).
    with harvested_app.app_context():
        from portal.database import get_db

        db = get_db()
        for source in DEMO_SOURCES:
            run = db.scalars(select(HarvestRun).where(HarvestRun.id == select(func.max(HarvestRun.id)).where(
                HarvestRun.source_id == source, HarvestRun.state != "running").scalar_subquery())).one()
            for state in ("added", "updated", "deleted", "unchanged", "failed"):
                assert sample(samples, "portal_harvest_last_run_records", source=source,
                              state=state) == getattr(run, state)
            assert run.added > 0
            assert sample(samples, "portal_harvest_last_run_files", source=source,
                          outcome="extracted") == run.files_extracted
            assert sample(samples, "portal_harvest_last_run_succeeded", source=source) == (run.state == "done")
            assert sample(samples, "portal_harvest_last_run_finished_timestamp_seconds", source=source) > 0


def test_a_graceful_reload_keeps_the_sessions_and_the_counts(gunicorn, harvested_app):
    """SIGHUP (systemctl reload): new workers replace the old ones; a session signed in before is still
    signed in, and what the old workers counted is still counted (their files stay in the metrics
    directory, marked dead by the child_exit hook)."""
    cookies = sign_in_through(gunicorn, harvested_app, "before-reload")
    assert [answer.status_code for answer in fan_out(
        lambda n: fresh_connection_get(f"{gunicorn.url}/search?q=hue&probe=before-reload-{n}"), 6)] == [200] * 6
    counted_before = searches_counted(gunicorn)
    old_workers = gunicorn.worker_pids()

    gunicorn.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 120
    while not (len(gunicorn.worker_pids()) == WORKERS and not gunicorn.worker_pids() & old_workers):
        assert time.monotonic() < deadline, f"no new workers:\n{gunicorn.log()[-3000:]}"
        time.sleep(0.5)

    pages = fan_out(lambda n: fresh_connection_get(f"{gunicorn.url}/account?probe=after-reload-{n}",
                                                   cookies=cookies), 6)
    assert [page.status_code for page in pages] == [200] * 6
    assert {gunicorn.worker_for(f"probe=after-reload-{n}") for n in range(6)} <= gunicorn.worker_pids()
    assert searches_counted(gunicorn) == counted_before
    assert [answer.status_code for answer in fan_out(
        lambda n: fresh_connection_get(f"{gunicorn.url}/search?q=hue&probe=after-reload-{n}"), 4)] == [200] * 4
    assert searches_counted(gunicorn) == counted_before + 4


def test_metrics_are_refused_to_other_addresses_without_the_token(gunicorn):
    other_client = {"X-Forwarded-For": "198.51.100.23"}  # a client behind the proxy, not the scraper
    assert requests.get(f"{gunicorn.url}/metrics", headers=other_client, timeout=60).status_code == 404
    wrong = {"Authorization": "Bearer not-the-token", **other_client}
    assert requests.get(f"{gunicorn.url}/metrics", headers=wrong, timeout=60).status_code == 404
    right = {"Authorization": f"Bearer {METRICS_TOKEN}", **other_client}
    answer = requests.get(f"{gunicorn.url}/metrics", headers=right, timeout=60)
    assert answer.status_code == 200 and "portal_http_request_duration_seconds" in answer.text


def test_gunicorn_refuses_to_start_without_a_secret_key(tmp_path):
    # Empty rather than absent, so that a .env of the clone (make demo writes one) cannot fill it in;
    # the metrics directory gunicorn.conf.py makes goes under TMPDIR, to see that it is removed.
    env = {name: value for name, value in os.environ.items() if name != "PROMETHEUS_MULTIPROC_DIR"}
    env.update(SECRET_KEY="", PORTAL_BIND=f"127.0.0.1:{free_port()}", TMPDIR=str(tmp_path))
    started = subprocess.run([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", "1"],
                             cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=60)
    assert started.returncode != 0
    assert "SECRET_KEY is not set" in started.stderr
    assert "python -c 'import secrets; print(secrets.token_hex(32))'" in started.stderr
    assert "Booting worker" not in started.stdout + started.stderr
    assert list(tmp_path.glob("archives-portal-metrics-*")) == []


def test_headers_readiness_and_request_ids_hold_under_gunicorn(gunicorn):
    """The production server keeps what the test client sees: the security headers, /readyz, and one
    request id in the response and on the worker's own JSON log line."""
    ready = requests.get(f"{gunicorn.url}/readyz", timeout=60)
    assert ready.status_code == 200 and ready.json()["down"] == []
    assert ready.json()["services"]["opensearch"]["state"] == "up"
    request_id = f"probe{uuid.uuid4().hex}"
    page = fresh_connection_get(f"{gunicorn.url}/search?q=vinh+long", headers={"X-Request-ID": request_id})
    assert page.status_code == 200 and page.headers["X-Request-ID"] == request_id
    policy = page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    for _ in range(50):  # the worker writes its line just after the response
        lines = [json.loads(line) for line in gunicorn.log().splitlines() if line.startswith("{")]
        mine = [line for line in lines if line.get("request_id") == request_id and "status" in line]
        if mine:
            break
        time.sleep(0.1)
    assert mine and mine[-1]["status"] == 200 and mine[-1]["route"] == "search.search_page"
    assert "vinh" not in mine[-1]["path"]  # the path without its query
