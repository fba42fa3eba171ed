"""/admin/harvests and /admin/sources: who sees which province's sources and runs."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from portal import database
from schema.tables import HarvestObject, HarvestRun, Source
from tests.accounts import signed_in_client
from tests.conftest import make_portal


@pytest.fixture(scope="module")
def admin_app(tmp_path_factory):
    app = make_portal(tmp_path_factory)
    now = datetime.now(timezone.utc)
    with app.app_context():
        db = database.get_db()
        db.add_all([
            Source(id="vinhlong", holding_province="86", url="http://vl.example/oai", kind="oai-pmh",
                   metadata_prefix="auto", schedule="daily", enabled=True, name=""),
            Source(id="hue", holding_province="46", url="http://hue.example/oai", kind="oai-pmh",
                   metadata_prefix="oai_dc", schedule=None, enabled=True, name=""),
        ])
        db.flush()
        ok = HarvestRun(source_id="vinhlong", mode="incremental", state="done", started_at=now - timedelta(hours=3),
                        finished_at=now - timedelta(hours=3), added=120, updated=4, errors={})
        broken = HarvestRun(source_id="vinhlong", mode="full", state="stopped", started_at=now - timedelta(hours=1),
                            finished_at=now - timedelta(hours=1), added=30, failed=2, resumable=True,
                            message="http://vl.example/oai answered HTTP 503 (after 4 tries)",
                            errors={"xml": [{"record": "vinhlong:HS003", "message": "not well-formed"}]})
        hue = HarvestRun(source_id="hue", mode="incremental", state="done", started_at=now, finished_at=now,
                         added=77, errors={})
        db.add_all([ok, broken, hue])
        db.flush()
        db.add(HarvestObject(run_id=broken.id, identifier="oai:vl:HS003", state="failed", error_kind="xml",
                             error="not well-formed"))
        db.commit()
        app.config["RUN_IDS"] = {"vinhlong": broken.id, "hue": hue.id}
    return app


def test_anonymous_is_sent_to_sign_in(admin_app):
    for page in ("/admin/harvests", "/admin/sources"):
        response = admin_app.test_client().get(page)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_reader_is_refused(admin_app):
    client = signed_in_client(admin_app, "reader@example.vn", "reader")
    assert client.get("/admin/harvests").status_code == 403
    assert client.get("/admin/sources").status_code == 403


def test_staff_see_their_own_provinces_sources_and_runs_only(admin_app):
    client = signed_in_client(admin_app, "staff86@example.vn", "staff", "86")

    page = client.get("/admin/harvests")

    assert page.status_code == 200
    assert 'data-run="%d"' % admin_app.config["RUN_IDS"]["vinhlong"] in page.text
    assert 'data-run="%d"' % admin_app.config["RUN_IDS"]["hue"] not in page.text
    assert "<svg" in page.text and "answered HTTP 503" in page.text and "vinhlong:HS003" in page.text
    assert client.get(f"/admin/harvests/{admin_app.config['RUN_IDS']['hue']}").status_code == 404
    assert client.get("/admin/harvests?source=hue").status_code == 404
    detail = client.get(f"/admin/harvests/{admin_app.config['RUN_IDS']['vinhlong']}")
    assert detail.status_code == 200 and "oai:vl:HS003" in detail.text
    sources = client.get("/admin/sources")
    assert 'data-source="vinhlong"' in sources.text and 'data-source="hue"' not in sources.text


def test_the_sources_page_shows_last_success_last_error_and_next_due(admin_app):
    client = signed_in_client(admin_app, "admin86@example.vn", "archive_admin", "86")

    row = client.get("/admin/sources").text.split('data-source="vinhlong"')[1].split("</tr>")[0]

    # In words first (issue 18), the technical message one click away.
    assert "đã dừng" in row and "Máy chủ của lưu trữ trả về lỗi." in row
    assert '<details class="technical">' in row and "answered HTTP 503" in row.split('<details class="technical">')[1]
    assert "124" in row  # records of the last successful run
    # Daily, last run 1 h ago: due in 23 h, shown day first in Việt Nam's time (issue 18).
    next_due = (datetime.now(timezone.utc) + timedelta(hours=23)).astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert next_due.strftime("%d/%m/%Y") in row


def test_harvest_states_and_modes_are_words_in_both_languages(admin_app):
    client = signed_in_client(admin_app, "national-words@example.vn", "national_admin")
    broken = admin_app.config["RUN_IDS"]["vinhlong"]
    row = client.get("/admin/harvests").text.split(f'data-run="{broken}"')[1].split("</tr>")[0]
    assert "thu thập lại toàn bộ" in row and ">đã dừng</td>" in row
    english = client.get("/admin/harvests?lang=en").text.split(f'data-run="{broken}"')[1].split("</tr>")[0]
    assert "full re-harvest" in english and ">stopped</td>" in english
    page = client.get(f"/admin/harvests/{broken}?lang=vi").text
    assert "Máy chủ của lưu trữ trả về lỗi." in page and "answered HTTP 503" in page


def test_a_national_admin_sees_every_province(admin_app):
    client = signed_in_client(admin_app, "national@example.vn", "national_admin")

    page = client.get("/admin/harvests")

    assert all('data-run="%d"' % run_id in page.text for run_id in admin_app.config["RUN_IDS"].values())
    sources = client.get("/admin/sources").text
    assert 'data-source="vinhlong"' in sources and 'data-source="hue"' in sources


def test_a_report_counts_every_error_and_shows_the_first_examples(admin_app):
    """352 packages refused: the report says 352, not the 100 examples it keeps (issue 15)."""
    with admin_app.app_context():
        db = database.get_db()
        run = HarvestRun.begin("vinhlong", "incremental", "test:1:token")
        for number in range(352):
            run.note("package", f"SIP-{number:03}", "the package has no METS.xml")
        run.state, run.finished_at = "done-with-errors", datetime.now(timezone.utc)
        db.add(run)
        db.commit()
        run_id = run.id
    client = signed_in_client(admin_app, "national-counts@example.vn", "national_admin")
    page = client.get(f"/admin/harvests/{run_id}?lang=vi").text
    kind = page.split('data-error-kind="package"')[1].split("</details>")[0]
    assert "Gói bị từ chối: <span data-error-count>352</span>" in kind
    assert kind.count("<li>") == 20 and "SIP-000" in kind and "SIP-020" not in kind
    assert "20 trên 352" in kind
