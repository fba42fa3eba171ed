"""/metrics in one process (no gunicorn): each source's figures come from its last *finished* run in the
database (a run still going is not a result yet), whatever process harvested; the request histogram
names routes, never raw paths; and it is closed to addresses not allowed. SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import make_portal


def scrape(app) -> dict[tuple, float]:
    answer = app.test_client().get("/metrics")
    assert answer.status_code == 200
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(answer.text) for sample in family.samples}


def value(samples: dict, name: str, **labels) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


def add_runs(app) -> datetime:
    from portal.database import get_db
    from schema.tables import HarvestRun, Source

    ended = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
    with app.app_context():
        db = get_db()
        db.add_all([Source(id="vinhlong", holding_province="86", url="http://vinhlong.invalid/oai"),
                    Source(id="hue", holding_province="46", url="http://hue.invalid/oai")])
        db.flush()
        older = HarvestRun.begin("vinhlong", "full", "host:1:a", added=1200)
        older.state, older.finished_at = "done", ended - timedelta(days=1)
        last = HarvestRun.begin("vinhlong", "incremental", "host:2:b", added=3, updated=7, unchanged=1190,
                                failed=2, files_extracted=40, files_failed=1, files_reused=35)
        last.note("mapping", "VL/1", "no title")
        last.note("mapping", "VL/2", "no title")
        last.note("tika", "VL/3", "encrypted")
        last.state, last.finished_at = "done-with-errors", ended
        db.add_all([older, last])
        db.flush()
        db.add(HarvestRun.begin("vinhlong", "incremental", "host:3:c", added=99))  # still running
        hue = HarvestRun.begin("hue", "full", "host:4:d", added=411)
        hue.state, hue.finished_at = "done", ended
        db.add(hue)
        db.commit()
    return ended


def test_each_source_shows_its_last_finished_run(tmp_path_factory, database_url):
    app = make_portal(tmp_path_factory, database_url=database_url)
    ended = add_runs(app)
    samples = scrape(app)

    assert value(samples, "portal_harvest_last_run_records", source="vinhlong", state="added") == 3
    assert value(samples, "portal_harvest_last_run_records", source="vinhlong", state="updated") == 7
    assert value(samples, "portal_harvest_last_run_records", source="vinhlong", state="unchanged") == 1190
    assert value(samples, "portal_harvest_last_run_records", source="vinhlong", state="failed") == 2
    assert value(samples, "portal_harvest_last_run_files", source="vinhlong", outcome="extracted") == 40
    assert value(samples, "portal_harvest_last_run_files", source="vinhlong", outcome="failed") == 1
    assert value(samples, "portal_harvest_last_run_files", source="vinhlong", outcome="reused") == 35
    assert value(samples, "portal_harvest_last_run_errors", source="vinhlong", kind="mapping") == 2
    assert value(samples, "portal_harvest_last_run_errors", source="vinhlong", kind="tika") == 1
    assert value(samples, "portal_harvest_last_run_succeeded", source="vinhlong") == 0
    assert value(samples, "portal_harvest_last_run_finished_timestamp_seconds", source="vinhlong") == ended.timestamp()
    assert value(samples, "portal_harvest_last_run_records", source="hue", state="added") == 411
    assert value(samples, "portal_harvest_last_run_succeeded", source="hue") == 1
    assert value(samples, "portal_harvest_last_run_errors", source="hue", kind="mapping") is None


def test_requests_are_timed_by_route_not_by_path(tmp_path_factory):
    app = make_portal(tmp_path_factory)
    client = app.test_client()
    before = scrape(app)
    for identifier in ("vinhlong:A/1", "hue:B/2", "cantho:C/3"):
        client.get(f"/api/v1/records/{identifier}")
    client.get("/no-such-page/at-all")
    client.open("/healthz", method="BREW")
    after = scrape(app)

    def count(**labels) -> float:
        name = "portal_http_request_duration_seconds_count"
        return (value(after, name, **labels) or 0) - (value(before, name, **labels) or 0)

    assert count(endpoint="records.api_record", method="GET", status="404") == 3
    assert count(endpoint="unmatched", method="GET", status="404") == 1
    assert count(endpoint="unmatched", method="other", status="405") == 1  # no invented method becomes a label
    assert not any("vinhlong:A/1" in str(key) for key in after)


def test_metrics_are_not_found_by_other_addresses(tmp_path_factory):
    app = make_portal(tmp_path_factory, METRICS_ALLOWED_IPS=("10.20.0.0/16",))
    client = app.test_client()
    assert client.get("/metrics").status_code == 404  # 127.0.0.1 is not on this list
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.3.4"}).status_code == 200
