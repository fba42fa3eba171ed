"""The harvest engine's small parts without services: schedules, Retry-After, granularity,
the choice of metadata format, leases and content hashes."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
import requests
from requests.adapters import BaseAdapter

from indexer.errors import SourceUnavailable
from indexer.harvest import content_hash
from indexer.mapping.registry import MAPPERS, richest_known
from indexer.runs import lease_is_stale, new_lease_owner
from indexer.sources.oai_pmh import OaiPmhClient, RepositoryInfo, RetryPolicy
from schema.tables import Source, next_due, schedule_interval
from tests.unit.test_oai_client import list_records_body, make_response


@pytest.mark.parametrize("text, interval", [
    ("hourly", timedelta(hours=1)), ("daily", timedelta(days=1)), ("Weekly", timedelta(weeks=1)),
    ("every 6h", timedelta(hours=6)), ("every 30m", timedelta(minutes=30)), ("every 2d", timedelta(days=2)),
    ("", None), (None, None),
])
def test_schedules_are_read_as_intervals(text, interval):
    assert schedule_interval(text) == interval


@pytest.mark.parametrize("text", ["sometimes", "every 0h", "every h", "6h"])
def test_an_unreadable_schedule_is_refused(text):
    with pytest.raises(ValueError):
        schedule_interval(text)


def test_next_due_is_the_last_start_plus_the_interval_and_never_run_is_due_now():
    source = Source(id="x", schedule="daily", enabled=True)
    started = datetime(2026, 1, 1, 8, 0, tzinfo=timezone.utc)
    assert next_due(source, started) == started + timedelta(days=1)
    assert next_due(source, None) <= datetime.now(timezone.utc)
    assert next_due(Source(id="y", schedule=None, enabled=True), started) is None
    assert next_due(Source(id="z", schedule="daily", enabled=False), started) is None


class SequenceTransport(BaseAdapter):
    def __init__(self, answers):
        super().__init__()
        self.answers = list(answers)

    def send(self, request, **kwargs):
        status, headers, body = self.answers.pop(0)
        response = make_response(request, status, body, "text/xml")
        response.headers.update(headers)
        return response

    def close(self):
        pass


def _client(answers, retry, sleeps):
    session = requests.Session()
    session.mount("http://", SequenceTransport(answers))
    return OaiPmhClient("http://oai.test/oai", session, retry=retry, sleep=sleeps.append)


def test_retry_after_is_honoured_and_capped():
    sleeps: list[float] = []
    client = _client([(503, {"Retry-After": "7"}, b""), (503, {"Retry-After": "900"}, b""),
                      (200, {}, list_records_body(b""))], RetryPolicy(attempts=3, backoff=1, max_wait=60), sleeps)

    assert list(client.list_records("oai_dc")) == []
    assert sleeps == [7, 60]


def test_retries_are_bounded_with_a_doubling_backoff():
    sleeps: list[float] = []
    client = _client([(500, {}, b"")] * 4, RetryPolicy(attempts=4, backoff=0.5, max_wait=60), sleeps)

    with pytest.raises(SourceUnavailable, match="after 4 tries"):
        list(client.list_records("oai_dc"))
    assert sleeps == [0.5, 1, 2]


def test_from_is_written_at_the_repositorys_granularity():
    assert RepositoryInfo(granularity="YYYY-MM-DD").format_datestamp("2025-03-05T10:11:12Z") == "2025-03-05"
    assert RepositoryInfo().format_datestamp("2025-03-05T10:11:12Z") == "2025-03-05T10:11:12Z"
    assert RepositoryInfo().format_datestamp("2025-03-05") == "2025-03-05T00:00:00Z"
    assert RepositoryInfo().format_datestamp(None) is None


def test_until_a_day_is_its_last_second_at_a_granularity_of_seconds():
    """pyoai refuses a day-granular until beside a from with seconds (issue 15)."""
    assert RepositoryInfo().format_datestamp("2025-03-05", end_of_day=True) == "2025-03-05T23:59:59Z"
    assert RepositoryInfo(granularity="YYYY-MM-DD").format_datestamp("2025-03-05T10:11:12Z", end_of_day=True) \
        == "2025-03-05"


def test_the_richest_known_format_is_chosen(monkeypatch):
    assert richest_known(["marc21", "oai_dc"]) == "oai_dc"
    assert richest_known(["marc21"]) is None
    monkeypatch.setitem(MAPPERS, "oai_ead", MAPPERS["oai_dc"])
    assert richest_known(["oai_dc", "oai_ead"]) == "oai_ead"


def test_a_lease_is_stale_when_its_heartbeat_is_old_or_its_process_is_gone():
    now = datetime.now(timezone.utc)
    host = os.uname().nodename
    alive = SimpleNamespace(heartbeat_at=now, started_at=now, lease_owner=f"{host}:{os.getpid()}")
    assert not lease_is_stale(alive, 300, now)
    assert lease_is_stale(SimpleNamespace(**{**vars(alive), "heartbeat_at": now - timedelta(seconds=301)}), 300, now)
    assert lease_is_stale(SimpleNamespace(**{**vars(alive), "lease_owner": f"{host}:999999999"}), 300, now)
    elsewhere = SimpleNamespace(**{**vars(alive), "lease_owner": "another-host:1"})
    assert not lease_is_stale(elsewhere, 300, now)  # another machine: only the heartbeat can tell


def test_each_claim_has_its_own_lease_owner_and_a_gone_process_is_still_recognised_by_it():
    now = datetime.now(timezone.utc)
    first, second = new_lease_owner(), new_lease_owner()
    this_process = f"{os.uname().nodename}:{os.getpid()}"
    assert first != second and first.rsplit(":", 1)[0] == second.rsplit(":", 1)[0] == this_process
    alive = SimpleNamespace(heartbeat_at=now, started_at=now, lease_owner=first)
    assert not lease_is_stale(alive, 300, now)
    gone = SimpleNamespace(**{**vars(alive), "lease_owner": f"{os.uname().nodename}:999999999:0a1b2c3d"})
    assert lease_is_stale(gone, 300, now)
    elsewhere = SimpleNamespace(**{**vars(alive), "lease_owner": "another-host:1:0a1b2c3d"})
    assert not lease_is_stale(elsewhere, 300, now)


def test_the_content_hash_ignores_when_the_record_was_read():
    document = {"id": "a:1", "title": "Hồ sơ", "harvested_at": "2026-01-01T00:00:00Z"}
    assert content_hash(document) == content_hash({**document, "harvested_at": "2026-02-02T00:00:00Z"})
    assert content_hash(document) != content_hash({**document, "title": "Hồ sơ khác"})
