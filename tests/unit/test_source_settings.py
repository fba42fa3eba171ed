"""The rules of a source shared by `flask sources add` and the admin form, and when a run asked
for on the admin pages is due."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from portal.admin.sources import InvalidSource, changes_between, check_source_id, checked_settings
from schema.tables import Source, next_due, run_request_pending

STARTED = datetime(2026, 1, 1, 8, 0, tzinfo=timezone.utc)


def test_settings_are_made_canonical(tmp_path):
    (tmp_path / "inbox").mkdir()
    oai = checked_settings(kind="oai-pmh", url=" https://vl.example/oai ", province="086", metadata_prefix="",
                           set_spec=" ", name=" Vĩnh Long ", schedule=" ")
    assert (oai.url, oai.holding_province, oai.metadata_prefix, oai.set_spec, oai.name, oai.schedule) == \
        ("https://vl.example/oai", "86", "auto", None, "Vĩnh Long", None)
    package = checked_settings(kind="package", url=f"{tmp_path}/inbox/../inbox", province="86")
    assert package.url == str(tmp_path / "inbox")


def test_every_wrong_setting_is_named_at_once():
    with pytest.raises(InvalidSource) as invalid:
        checked_settings(kind="oai-pmh", url="vl.example/oai", province="63", metadata_prefix="oai dc",
                         schedule="sometimes", name="x" * 256)
    assert set(invalid.value.problems) == {"url", "holding_province", "metadata_prefix", "schedule", "name"}
    assert "'sometimes' is not a schedule" in str(invalid.value)
    with pytest.raises(InvalidSource) as missing:
        checked_settings(kind="package", url="/no/such/inbox", province="86")
    assert "'/no/such/inbox' is not a directory" in missing.value.english("url")
    with pytest.raises(InvalidSource):
        checked_settings(kind="ftp", url="ftp://x", province="86")


@pytest.mark.parametrize("source_id", ["Vinhlong", "vinh long", "vl:1", "vl/1", "-vl", "", "x" * 65])
def test_a_source_id_fits_in_record_ids_and_index_names(source_id):
    with pytest.raises(InvalidSource):
        check_source_id(source_id)


def test_changes_name_old_and_new_values():
    old = checked_settings(kind="oai-pmh", url="http://a.example/oai", province="86", schedule="daily")
    new = checked_settings(kind="oai-pmh", url="http://b.example/oai", province="86", schedule="daily", enabled=False)
    assert changes_between(old, new) == {"url": ["http://a.example/oai", "http://b.example/oai"],
                                         "enabled": [True, False]}
    assert changes_between(None, new)["holding_province"] == [None, "86"]


def _source(schedule=None, requested=None, enabled=True, full=False) -> Source:
    return Source(id="x", schedule=schedule, enabled=enabled, run_requested_at=requested, run_requested_full=full)


def test_a_run_asked_for_after_the_last_run_started_is_due_from_when_it_was_asked_for():
    asked = STARTED + timedelta(hours=2)
    assert next_due(_source(requested=asked), STARTED) == asked  # no schedule: due only because asked
    assert next_due(_source(requested=asked), None) == asked
    assert next_due(_source("daily", requested=asked), STARTED) == asked  # sooner than the schedule
    assert next_due(_source("hourly", requested=asked), STARTED) == STARTED + timedelta(hours=1)
    assert next_due(_source(requested=asked.replace(tzinfo=None)), STARTED) == asked  # SQLite's naive datetimes


def test_a_run_asked_for_before_the_last_run_started_is_done_and_a_disabled_source_is_never_due():
    asked = STARTED - timedelta(minutes=1)
    assert not run_request_pending(_source(requested=asked), STARTED)
    assert next_due(_source(requested=asked), STARTED) is None
    assert next_due(_source("daily", requested=asked), STARTED) == STARTED + timedelta(days=1)
    assert next_due(_source(requested=STARTED + timedelta(hours=1), enabled=False), STARTED) is None
    assert next_due(_source(), STARTED) is None
