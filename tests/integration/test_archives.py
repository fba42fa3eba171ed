"""The holding archives (issue 19): the 34 seeded by the migration, each archive's page with its fonds counted
through the permission filter and its sources' last harvest, and its description edited by those who manage
the province's sources, each change an audit row."""
from __future__ import annotations

import json
import re

import pytest

from portal import database
from portal.archives.models import Archive
from portal.audit import actions
from schema.provinces import current_provinces, province_centres
from schema.tables import HarvestRun, Source, utcnow
from tests.accounts import csrf_token, signed_in_client
from tests.audit_support import audit_rows
from tests.conftest import make_portal


@pytest.fixture()
def portal(tmp_path_factory, database_url):
    return make_portal(tmp_path_factory, database_url=database_url)


def _archive(app, province) -> Archive:
    with app.app_context():
        db = database.get_db()
        archive = db.get(Archive, province)
        db.expunge(archive)
        return archive


def _form(archive: Archive, **values) -> dict:
    fields = {name: getattr(archive, name) or "" for name in ("name", "other_names", "address", "phone", "email",
                                                              "website", "opening_hours", "reading_room", "copies")}
    fields["latitude"] = "" if archive.latitude is None else str(archive.latitude)
    fields["longitude"] = "" if archive.longitude is None else str(archive.longitude)
    fields.update(values)
    return fields


def _post_edit(client, province, data):
    page = client.get(f"/archives/{province}/edit")
    return client.post(f"/archives/{province}/edit", data={"csrf_token": csrf_token(page.text), **data})


def test_migration_seeds_the_34_archives_with_names_and_centres_and_nothing_invented(portal):
    with portal.app_context():
        archives = {a.province: a for a in database.get_db().query(Archive)}
    assert set(archives) == set(current_provinces()) and len(archives) == 34
    assert archives["86"].name == "Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long"
    assert archives["46"].name == "Trung tâm Lưu trữ lịch sử thành phố Huế"
    assert (archives["86"].latitude, archives["86"].longitude) == province_centres()["86"]
    for archive in archives.values():
        assert (archive.address, archive.phone, archive.email, archive.opening_hours) == ("", "", "", "")


def test_the_home_page_and_the_archives_page_list_all_34_with_their_places(portal):
    client = portal.test_client()
    for path in ("/", "/archives", "/?lang=en"):
        page = client.get(path).text
        links = set(re.findall(r'href="/archives/(\d\d)"', page))
        assert links == set(current_provinces()), path
        assert len(re.findall(r"data-archive-latitude=", page)) == 34
        assert "vendor/leaflet/leaflet.js" in page and "archives-map.js" in page
    assert "The provincial historical archives" in client.get("/archives?lang=en").text


def test_an_archive_page_says_what_is_not_given_yet_and_unknown_ones_are_404(portal):
    client = portal.test_client()
    page = client.get("/archives/86", headers={"Accept-Language": "vi"}).text
    assert "<h1>Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long</h1>" in page
    assert re.search(r'data-field="address"><span class="muted">Chưa có thông tin</span>', page)
    assert "Edit the description" not in client.get("/archives/86?lang=en").text
    assert client.get("/archives/99").status_code == 404
    assert client.get("/archives/83").status_code == 404  # Bến Tre is part of Vĩnh Long since 2025


def test_sources_last_harvest_is_shown_without_their_addresses(portal):
    finished = utcnow()
    with portal.app_context():
        db = database.get_db()
        db.add_all([Source(id="vinhlong", holding_province="86", url="http://10.0.0.7/oai", kind="oai-pmh",
                           name="Cổng OAI Vĩnh Long", enabled=True),
                    Source(id="vinhlong-old", holding_province="86", url="http://old.example/oai", kind="oai-pmh",
                           name="Cổng cũ", enabled=False)])
        db.flush()
        db.add(HarvestRun(source_id="vinhlong", mode="full", state="done", finished_at=finished, errors={}))
        db.commit()
    page = portal.test_client().get("/archives/86?lang=en").text
    assert "Cổng OAI Vĩnh Long: last harvested on" in page
    assert "10.0.0.7" not in page and "Cổng cũ" not in page


def test_archive_admin_edits_own_province_national_admin_any_each_change_audited(portal):
    admin = signed_in_client(portal, "admin86@example.vn", "archive_admin", province="86")
    archive = _archive(portal, "86")
    saved = _post_edit(admin, "86", _form(archive, address="Số 1 đường Ví Dụ, phường 1, Vĩnh Long",
                                          email="luutru@example.vn", opening_hours="Thứ Hai – Thứ Sáu, 7:30–17:00",
                                          latitude="10,2537"))
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/archives/86")
    archive = _archive(portal, "86")
    assert archive.address == "Số 1 đường Ví Dụ, phường 1, Vĩnh Long" and archive.latitude == 10.2537
    assert archive.updated_by == "admin86@example.vn"
    page = admin.get("/archives/86").text
    assert 'href="mailto:luutru@example.vn"' in page and "Thứ Hai – Thứ Sáu" in page

    assert admin.get("/archives/46/edit").status_code == 403
    assert _post_edit_raw(admin, "46", {"address": "x"}).status_code in (400, 403)
    national = signed_in_client(portal, "national@example.vn", "national_admin")
    assert _post_edit(national, "46", _form(_archive(portal, "46"), phone="0234 000 000")).status_code == 303
    assert _archive(portal, "46").phone == "0234 000 000"
    assert _post_edit(national, "46", _form(_archive(portal, "46"))).status_code == 303  # no change: no row

    rows = audit_rows(portal, actions.ARCHIVE_CHANGE)
    assert [(row.target_id, row.target_province) for row in rows] == [("archive:86", "86"), ("archive:46", "46")]
    first = json.loads(rows[0].details)["changes"]
    assert first["address"] == ["", "Số 1 đường Ví Dụ, phường 1, Vĩnh Long"]
    assert first["latitude"] == [province_centres()["86"][0], 10.2537]
    assert set(first) == {"address", "email", "opening_hours", "latitude"}
    assert json.loads(rows[1].details)["changes"] == {"phone": ["", "0234 000 000"]}


def _post_edit_raw(client, province, data):
    """A POST to another province's form, with a token from a page the person may open."""
    token = csrf_token(client.get("/archives/86/edit").text)
    return client.post(f"/archives/{province}/edit", data={"csrf_token": token, **data})


def test_staff_readers_and_visitors_may_not_edit(portal):
    staff = signed_in_client(portal, "staff86@example.vn", "staff", province="86")
    assert staff.get("/archives/86/edit").status_code == 403
    reader = signed_in_client(portal, "reader@example.vn", "reader")
    assert reader.get("/archives/86/edit").status_code == 403
    anonymous = portal.test_client().get("/archives/86/edit")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert audit_rows(portal, actions.ARCHIVE_CHANGE) == []


def test_a_wrong_description_is_refused_field_by_field_and_nothing_is_saved(portal):
    admin = signed_in_client(portal, "admin86@example.vn", "archive_admin", province="86")
    before = _archive(portal, "86")
    admin.get("/archives?lang=en")  # the messages in English from here on
    refused = _post_edit(admin, "86", _form(before, name=" ", email="không phải thư", website="ftp://x",
                                            latitude="48.85", longitude="2.35", address="x" * 1001))
    assert refused.status_code == 200
    page = refused.text
    for message in ("Give the archive", "This is not an e-mail address", "must start with http",
                    "within Việt Nam", "At most 1000 characters"):
        assert message in page.replace("&#39;", "'"), message
    assert _archive(portal, "86").name == before.name
    assert audit_rows(portal, actions.ARCHIVE_CHANGE) == []


def test_archives_are_listed_by_their_provinces_own_names(portal):
    page = portal.test_client().get("/archives").text
    order = re.findall(r'<a href="/archives/(\d\d)">', page)
    assert len(order) == 34
    # Cần Thơ among the C, Hà Nội before Hà Tĩnh before Huế: never all the cities together under "Thành phố"
    assert order.index("92") < order.index("48") < order.index("01") < order.index("42") < order.index("46") \
        < order.index("86")


def test_migration_0017_goes_down_and_up_again(database_url):
    from sqlalchemy import create_engine, inspect, text

    from tests.databases import alembic

    alembic(database_url, "upgrade", "0017")
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM archives")).scalar() == 34
        alembic(database_url, "downgrade", "0013")
        assert "archives" not in inspect(engine).get_table_names()
        alembic(database_url, "upgrade", "0017")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT name FROM archives WHERE province = '92'")).scalar() == \
                "Trung tâm Lưu trữ lịch sử thành phố Cần Thơ"
    finally:
        engine.dispose()
