"""Prometheus metrics at `GET /metrics` (DESIGN §8), for configured addresses or a bearer token only.

What is measured: each request's latency by route (endpoint, method, status), searches, OpenSearch
requests' latency, audit rows written, and each source's last harvest run (read from the database at
scrape time, so runs made by `flask harvest` in another process or on another host show too).

Under gunicorn, gunicorn.conf.py sets PROMETHEUS_MULTIPROC_DIR before the workers start: every
worker writes its figures there and a scrape, whichever worker answers it, sums them all. Without it
(`flask run`, tests) the process's own registry is read.
"""
from __future__ import annotations

import hmac
import ipaddress
import os
import time
from datetime import timezone

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select
from sqlalchemy.orm import Session

REQUEST_SECONDS = Histogram("portal_http_request_duration_seconds", "Time to answer a request, by route",
                            ("endpoint", "method", "status"))
SEARCHES = Counter("portal_searches", "Searches run (the search page and the search API)", ("channel",))
OPENSEARCH_SECONDS = Histogram("portal_opensearch_request_duration_seconds",
                               "Time OpenSearch took to answer the portal, by operation", ("operation",))
AUDIT_WRITES = Counter("portal_audit_writes", "Audit rows written", ("action", "outcome"))
AUDIT_WRITE_FAILURES = Counter("portal_audit_write_failures", "Audit rows that could not be written "
                               "(the action they recorded was refused)")

# Anything else is counted as "other", so a client inventing methods cannot add label values.
KNOWN_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
RECORD_STATES = ("added", "updated", "deleted", "unchanged", "failed")

metrics_blueprint = Blueprint("metrics", __name__)


def init_app(app: Flask) -> None:
    """Time every request (the blueprint is registered with the others in create_app)."""
    # First of the before-request functions, so the time includes theirs.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_timer)
    app.after_request(_observe_request)


def multiprocess_mode() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _observe_request(response):
    started = g.pop("metrics_started", None)
    if started is not None:
        method = request.method if request.method in KNOWN_METHODS else "other"
        REQUEST_SECONDS.labels(request.endpoint or "unmatched", method, str(response.status_code)).observe(
            time.perf_counter() - started)
    return response


def opensearch_operation(url: str) -> str:
    """A request's path named by its API (`_search`, `_cluster/health`, `_bulk`), never by index or id,
    so the label has few values: "/test-records/_search" → "_search", "/records-x/_doc/1" → "_doc"."""
    parts = [part for part in url.split("?", 1)[0].split("/") if part]
    for position, part in enumerate(parts):
        if part.startswith("_"):
            if part in ("_cluster", "_cat", "_nodes", "_snapshot", "_tasks") and position + 1 < len(parts):
                return f"{part}/{parts[position + 1]}"
            return part
    return "index" if parts else "root"


def caller_may_read_metrics() -> bool:
    """A bearer token equal to METRICS_TOKEN, or a client address within METRICS_ALLOWED_IPS (after
    ProxyFix: behind a proxy, the address it forwards)."""
    token = current_app.config.get("METRICS_TOKEN") or ""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    for allowed in current_app.config.get("METRICS_ALLOWED_IPS", ()):
        try:
            if address in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            current_app.logger.warning("METRICS_ALLOWED_IPS: %r is not an address or network", allowed)
    return False


class LastHarvestCollector:
    """Each source's last finished harvest run, read from the database when Prometheus scrapes."""

    def __init__(self, engine):
        self.engine = engine

    def collect(self):
        from schema.tables import HarvestRun

        records = GaugeMetricFamily("portal_harvest_last_run_records",
                                    "Records of the source's last finished harvest run, by what became of them "
                                    "(failed: the run's record errors)", labels=("source", "state"))
        files = GaugeMetricFamily("portal_harvest_last_run_files",
                                  "Files of the source's last finished harvest run, with text extracted or not; "
                                  "reused: of those with text, the ones whose text an earlier extraction of the same "
                                  "bytes gave",
                                  labels=("source", "outcome"))
        errors = GaugeMetricFamily("portal_harvest_last_run_errors",
                                   "Errors of the source's last finished run by kind, as its report lists them "
                                   "(at most 100 a kind are kept)", labels=("source", "kind"))
        succeeded = GaugeMetricFamily("portal_harvest_last_run_succeeded",
                                      "1 if the source's last finished run ended without errors, else 0",
                                      labels=("source",))
        finished = GaugeMetricFamily("portal_harvest_last_run_finished_timestamp_seconds",
                                     "When the source's last finished run ended (Unix time)", labels=("source",))
        last_ids = (select(func.max(HarvestRun.id)).where(HarvestRun.state != "running")
                    .group_by(HarvestRun.source_id))
        with Session(self.engine) as session:
            runs = session.scalars(select(HarvestRun).where(HarvestRun.id.in_(last_ids))).all()
        for run in runs:
            for state in RECORD_STATES:
                records.add_metric((run.source_id, state), getattr(run, state) or 0)
            files.add_metric((run.source_id, "extracted"), run.files_extracted or 0)
            files.add_metric((run.source_id, "failed"), run.files_failed or 0)
            files.add_metric((run.source_id, "reused"), run.files_reused or 0)
            for kind, count, _ in sorted(run.error_kinds()):
                errors.add_metric((run.source_id, kind), count)
            succeeded.add_metric((run.source_id,), 1 if run.state == "done" else 0)
            if run.finished_at is not None:
                ended = run.finished_at  # SQLite hands back naive datetimes, stored in UTC
                finished.add_metric((run.source_id,), (ended if ended.tzinfo else ended.replace(
                    tzinfo=timezone.utc)).timestamp())
        return [records, files, errors, succeeded, finished]


@metrics_blueprint.get("/metrics")
def metrics():
    if not caller_may_read_metrics():
        abort(404)  # as if there were nothing here
    harvest = CollectorRegistry(auto_describe=False)
    harvest.register(LastHarvestCollector(current_app.extensions["db_engine"]))
    if multiprocess_mode():
        from prometheus_client import multiprocess

        workers = CollectorRegistry(auto_describe=False)
        multiprocess.MultiProcessCollector(workers)
        body = generate_latest(workers)
    else:
        body = generate_latest(REGISTRY)
    return Response(body + generate_latest(harvest), content_type=CONTENT_TYPE_LATEST)
