"""Dates, times and numbers as a Vietnamese reader writes them (issue 18): 07/12/2026 03:05 in Việt Nam's
time for a UTC 20:05 the evening before, 1.285 for a thousand two hundred and eighty-five; the English pages
say 7 Dec 2026 and 1,285."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from portal import database
from schema.tables import HarvestRun, Source
from tests.accounts import signed_in_client
from tests.conftest import make_portal


@pytest.fixture()
def portal(tmp_path_factory):
    app = make_portal(tmp_path_factory)
    with app.app_context():
        db = database.get_db()
        db.add(Source(id="vinhlong", holding_province="86", url="http://vl.example/oai", kind="oai-pmh",
                      metadata_prefix="auto", enabled=True, name=""))
        db.flush()
        db.add(HarvestRun(source_id="vinhlong", mode="incremental", state="done", errors={}, added=1285,
                          started_at=datetime(2026, 12, 6, 20, 5, 7, tzinfo=timezone.utc),
                          finished_at=datetime(2026, 12, 6, 20, 9, 0, tzinfo=timezone.utc)))
        db.commit()
    return app


def test_times_are_vietnams_and_written_day_first(portal):
    admin = signed_in_client(portal, "national@example.vn", "national_admin")
    page = admin.get("/admin/harvests?lang=vi").text
    assert "07/12/2026 03:05:07" in page and "07/12/2026 03:09:00" in page
    assert "2026-12-06" not in page
    english = admin.get("/admin/harvests?lang=en").text
    assert "7 Dec 2026 03:05:07" in english


def test_counts_group_thousands_the_vietnamese_way(harvested_app):
    client = harvested_app.test_client()
    total = client.get("/api/v1/search?size=0").get_json()["total"]
    assert total >= 1000  # the demo archives: over a thousand records anyone may see
    assert f"{total:,}".replace(",", ".") in client.get("/?lang=vi").text
    assert f"{total:,}" in client.get("/?lang=en").text
