"""`/admin/sources` as a place to manage sources: national admins add and change any source,
archive admins their own province's, staff only look; every change and every run asked for is an
audit row with what changed; a run asked for here waits in the database for `flask harvest --due`."""
from __future__ import annotations

import json
import re
from datetime import timezone
from zoneinfo import ZoneInfo

import pytest

from portal import database
from portal.audit import actions
from schema.tables import Source
from tests.accounts import csrf_token, signed_in_client
from tests.audit_support import audit_rows
from tests.conftest import make_portal


@pytest.fixture()
def portal(tmp_path_factory, database_url):
    app = make_portal(tmp_path_factory, database_url=database_url)
    with app.app_context():
        db = database.get_db()
        db.add_all([
            Source(id="vinhlong", holding_province="86", url="http://vl.example/oai", kind="oai-pmh",
                   metadata_prefix="auto", schedule="daily", enabled=True, name="Lưu trữ Vĩnh Long"),
            Source(id="hue", holding_province="46", url="http://hue.example/oai", kind="oai-pmh",
                   metadata_prefix="oai_dc", schedule=None, enabled=True, name=""),
        ])
        db.commit()
    return app


def _source(app, source_id) -> Source | None:
    with app.app_context():
        db = database.get_db()
        source = db.get(Source, source_id)
        if source is not None:
            db.expunge(source)
        return source


def _source_changes(app) -> list[tuple[str, str, dict]]:
    """Target, province and details of the SOURCE_CHANGE rows. A row written by the admin pages carries
    its request's id, one written on the command line none (checked here); the id is set aside, so that
    the tests compare what changed."""
    changes = []
    for row in audit_rows(app, actions.SOURCE_CHANGE):
        details = json.loads(row.details)
        request_id = details.pop("request_id", None)
        if row.actor.startswith("cli"):
            assert request_id is None, row.details
        else:
            assert re.fullmatch(r"[0-9a-f]{32}", request_id or ""), row.details
        changes.append((row.target_id, row.target_province, details))
    return changes


def _post(client, path, data):
    """A POST with the CSRF token of the page the person saw."""
    token = csrf_token(client.get("/admin/sources").text)
    return client.post(path, data={"csrf_token": token, **data})


def _form(**values):
    fields = {"kind": "oai-pmh", "url": "https://tayninh.example/oai", "province": "80", "metadata_prefix": "auto",
              "set_spec": "", "schedule": "weekly", "name": "", "enabled": "y"}
    fields.update(values)
    return {name: value for name, value in fields.items() if value is not None}


def _row(page_html: str, source_id: str) -> str:
    return page_html.split(f'data-source="{source_id}"')[1].split("</tr>")[0]


def test_national_admin_adds_edits_disables_and_enables_a_source(portal):
    national = signed_in_client(portal, "national@example.vn", "national_admin")
    assert national.get("/admin/sources/new").status_code == 200

    added = _post(national, "/admin/sources/new", _form(source_id="tayninh", name="Lưu trữ Tây Ninh"))
    assert added.status_code == 303, added.text[:2000]
    source = _source(portal, "tayninh")
    assert (source.holding_province, source.url, source.schedule, source.enabled) == \
        ("80", "https://tayninh.example/oai", "weekly", True)
    assert 'data-source="tayninh"' in national.get("/admin/sources").text

    edit_page = national.get("/admin/sources/tayninh/edit")
    assert edit_page.status_code == 200 and "https://tayninh.example/oai" in edit_page.text
    edited = _post(national, "/admin/sources/tayninh/edit", _form(
        url="https://new.tayninh.example/oai", metadata_prefix="oai_ead", set_spec="P01", schedule="every 6h",
        name="Lưu trữ Tây Ninh", source_id="renamed"))
    assert edited.status_code == 303
    source = _source(portal, "tayninh")
    assert (source.url, source.metadata_prefix, source.set_spec, source.schedule) == \
        ("https://new.tayninh.example/oai", "oai_ead", "P01", "every 6h")
    assert _source(portal, "renamed") is None  # the id is part of every record id: it never changes

    assert _post(national, "/admin/sources/tayninh/disable", {}).status_code == 303
    assert _source(portal, "tayninh").enabled is False
    assert "data-disabled" in _row(national.get("/admin/sources").text, "tayninh")
    assert _post(national, "/admin/sources/tayninh/enable", {}).status_code == 303
    assert _source(portal, "tayninh").enabled is True

    add, edit, disable, enable = _source_changes(portal)
    assert add[0:2] == ("tayninh", "80") and add[2]["change"] == "add"
    assert add[2]["changes"]["url"] == [None, "https://tayninh.example/oai"]
    assert add[2]["changes"]["holding_province"] == [None, "80"]
    assert edit[2] == {"change": "update", "changes": {
        "url": ["https://tayninh.example/oai", "https://new.tayninh.example/oai"],
        "metadata_prefix": ["auto", "oai_ead"], "set_spec": [None, "P01"], "schedule": ["weekly", "every 6h"]}}
    assert disable[2] == {"change": "disable", "changes": {"enabled": [True, False]}}
    assert enable[2] == {"change": "enable", "changes": {"enabled": [False, True]}}
    assert all(row.actor != "anonymous" for row in audit_rows(portal, actions.SOURCE_CHANGE))


def test_file_hosts_are_set_on_the_form_as_origins_and_audited(portal):
    national = signed_in_client(portal, "national@example.vn", "national_admin")
    assert _post(national, "/admin/sources/new", _form(source_id="tayninh")).status_code == 303
    edited = _post(national, "/admin/sources/tayninh/edit", _form(
        file_hosts="https://CDN.example.org/\r\nfiles.tayninh.gov.vn\r\nhttp://anh.tayninh.gov.vn:8080"))
    assert edited.status_code == 303, edited.text[:2000]
    hosts = ["https://cdn.example.org", "https://files.tayninh.gov.vn", "http://anh.tayninh.gov.vn:8080"]
    assert _source(portal, "tayninh").file_hosts == hosts
    assert "\n".join(hosts) in national.get("/admin/sources/tayninh/edit").text
    *_, edit = _source_changes(portal)
    assert edit[2] == {"change": "update", "changes": {"file_hosts": [[], hosts]}}

    cleared = _post(national, "/admin/sources/tayninh/edit", _form(file_hosts=""))
    assert cleared.status_code == 303 and _source(portal, "tayninh").file_hosts == []
    assert _source_changes(portal)[-1][2]["changes"] == {"file_hosts": [hosts, []]}


def test_file_hosts_from_the_command_line_are_checked_and_audited(portal):
    runner = portal.test_cli_runner()
    refused = runner.invoke(args=["sources", "add", "--id", "tayninh", "--province", "80", "--url",
                                  "https://tayninh.example/oai", "--file-host", "https://cdn.example.org/x"])
    assert refused.exit_code == 2 and "--file-host" in refused.output and _source(portal, "tayninh") is None
    added = runner.invoke(args=["sources", "add", "--id", "tayninh", "--province", "80", "--url",
                                "https://tayninh.example/oai", "--file-host", "cdn.example.org"])
    assert added.exit_code == 0, added.output
    assert _source(portal, "tayninh").file_hosts == ["https://cdn.example.org"]
    kept = runner.invoke(args=["sources", "add", "--id", "tayninh", "--province", "80", "--url",
                               "https://tayninh.example/oai", "--schedule", "daily"])
    assert kept.exit_code == 0 and _source(portal, "tayninh").file_hosts == ["https://cdn.example.org"]
    assert "file-hosts=https://cdn.example.org" in runner.invoke(args=["sources", "list"]).output
    add, *_ = _source_changes(portal)
    assert add[2]["file_hosts"] == ["https://cdn.example.org"]
    assert add[2]["changes"]["file_hosts"] == [None, ["https://cdn.example.org"]]


def test_national_admin_adds_a_package_source_whose_inbox_is_made_absolute(portal, tmp_path):
    (tmp_path / "inbox").mkdir()
    national = signed_in_client(portal, "national@example.vn", "national_admin")

    added = _post(national, "/admin/sources/new", _form(source_id="vinhlong-nop", kind="package",
                                                        url=f"{tmp_path}/inbox/../inbox/", province="86"))

    assert added.status_code == 303, added.text[:2000]
    assert _source(portal, "vinhlong-nop").url == str(tmp_path / "inbox")


def test_national_admin_moves_a_source_to_another_province(portal):
    national = signed_in_client(portal, "national@example.vn", "national_admin")
    _post(national, "/admin/sources/hue/edit", _form(url="http://hue.example/oai", province="86",
                                                     metadata_prefix="oai_dc", schedule=""))
    assert _source(portal, "hue").holding_province == "86"
    (target, province, details), = _source_changes(portal)
    assert (target, province) == ("hue", "86") and details["changes"]["holding_province"] == ["46", "86"]


def test_archive_admin_edits_their_own_provinces_source_and_it_stays_in_their_province(portal):
    admin = signed_in_client(portal, "admin86@example.vn", "archive_admin", "86")
    page = admin.get("/admin/sources/vinhlong/edit")
    assert page.status_code == 200 and 'name="province"' not in page.text  # the province is theirs

    response = _post(admin, "/admin/sources/vinhlong/edit", _form(
        url="https://luutru.vinhlong.example/oai", province="46", schedule="hourly", name="Vĩnh Long"))

    assert response.status_code == 303
    source = _source(portal, "vinhlong")
    assert (source.url, source.schedule, source.holding_province) == ("https://luutru.vinhlong.example/oai",
                                                                       "hourly", "86")
    (target, province, details), = _source_changes(portal)
    assert (target, province) == ("vinhlong", "86")
    assert details["changes"]["schedule"] == ["daily", "hourly"]
    assert details["changes"]["name"] == ["Lưu trữ Vĩnh Long", "Vĩnh Long"]
    assert "holding_province" not in details["changes"]


def test_archive_admin_neither_sees_nor_changes_another_provinces_source(portal):
    admin = signed_in_client(portal, "admin86@example.vn", "archive_admin", "86")

    assert 'data-source="hue"' not in admin.get("/admin/sources").text
    assert admin.get("/admin/sources/hue/edit").status_code == 404
    assert admin.get("/admin/sources/hue/full-run").status_code == 404
    assert _post(admin, "/admin/sources/hue/edit", _form(url="http://evil.example/oai", province="46")).status_code == 404
    assert _post(admin, "/admin/sources/hue/disable", {}).status_code == 404
    assert _post(admin, "/admin/sources/hue/run", {}).status_code == 404
    assert _post(admin, "/admin/sources/hue/full-run", {"confirm": "y"}).status_code == 404

    hue = _source(portal, "hue")
    assert (hue.url, hue.enabled, hue.run_requested_at) == ("http://hue.example/oai", True, None)
    assert _source_changes(portal) == []


def test_archive_admin_cannot_create_a_source_in_another_province_even_with_a_doctored_form(portal, tmp_path):
    admin = signed_in_client(portal, "admin86@example.vn", "archive_admin", "86")
    page = admin.get("/admin/sources/new")
    assert page.status_code == 200 and 'name="province"' not in page.text and 'value="package"' not in page.text

    response = _post(admin, "/admin/sources/new", _form(source_id="hue2", province="46", url="http://hue2.example/oai"))

    assert response.status_code == 303
    assert _source(portal, "hue2").holding_province == "86"  # their own province, whatever was posted
    (target, province, _details), = _source_changes(portal)
    assert (target, province) == ("hue2", "86")

    package = _post(admin, "/admin/sources/new", _form(source_id="inbox86", kind="package", url=str(tmp_path),
                                                       province="86"))
    assert package.status_code == 400 and _source(portal, "inbox86") is None  # a directory: national admins only
    assert len(_source_changes(portal)) == 1


def test_staff_see_the_sources_without_forms_and_their_posts_are_refused(portal):
    staff = signed_in_client(portal, "staff86@example.vn", "staff", "86")
    page = staff.get("/admin/sources").text

    assert 'data-source="vinhlong"' in page
    assert "/admin/sources/new" not in page and "/admin/sources/vinhlong/" not in page
    assert 'method="post" action="/admin/sources' not in page
    assert staff.get("/admin/sources/new").status_code == 403
    assert staff.get("/admin/sources/vinhlong/edit").status_code == 403
    assert staff.get("/admin/sources/vinhlong/full-run").status_code == 403
    for path, data in (("/admin/sources/new", _form(source_id="x", province="86")),
                       ("/admin/sources/vinhlong/edit", _form(url="http://x.example/oai", province="86")),
                       ("/admin/sources/vinhlong/disable", {}), ("/admin/sources/vinhlong/run", {}),
                       ("/admin/sources/vinhlong/full-run", {"confirm": "y"})):
        assert _post(staff, path, data).status_code == 403, path
    assert staff.get("/admin/sources/hue/edit").status_code == 404

    vinhlong = _source(portal, "vinhlong")
    assert (vinhlong.url, vinhlong.enabled, vinhlong.run_requested_at) == ("http://vl.example/oai", True, None)
    assert _source(portal, "x") is None and _source_changes(portal) == []


def test_anonymous_is_sent_to_sign_in_and_a_reader_is_refused(portal):
    anonymous = portal.test_client()
    for path in ("/admin/sources/new", "/admin/sources/vinhlong/edit", "/admin/sources/vinhlong/full-run"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    token = csrf_token(anonymous.get("/login").text)
    refused = anonymous.post("/admin/sources/vinhlong/run", data={"csrf_token": token})
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]

    reader = signed_in_client(portal, "reader@example.vn", "reader")
    assert reader.get("/admin/sources/new").status_code == 403
    assert _post(reader, "/admin/sources/vinhlong/run", {}).status_code == 403
    assert _source(portal, "vinhlong").run_requested_at is None and _source_changes(portal) == []


@pytest.mark.parametrize("values, field, message", [
    ({"url": "ftp://tayninh.example/oai"}, "url", "http://"),
    ({"url": "tayninh.example/oai"}, "url", "http://"),
    ({"schedule": "sometimes"}, "schedule", "sometimes"),
    ({"province": "99"}, "province", "34"),
    ({"source_id": "Tây Ninh:1"}, "source_id", "lower-case"),
    ({"kind": "package", "url": "/no/such/inbox"}, "url", "/no/such/inbox"),
    ({"metadata_prefix": "oai dc"}, "metadata_prefix", "oai dc"),
    ({"file_hosts": "https://cdn.example.org/files"}, "file_hosts", "is not a host"),
    ({"file_hosts": "ftp://cdn.example.org"}, "file_hosts", "scheme://host[:port]"),
])
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(portal, values, field, message):
    national = signed_in_client(portal, "national@example.vn", "national_admin")

    response = _post(national, "/admin/sources/new?lang=en", _form(**{"source_id": "tayninh", **values}))

    assert response.status_code == 400
    error = response.text.split(f'id="{field}-error"')[1].split("</p>")[0]
    assert message in error.replace("&#39;", "'")
    assert f'aria-describedby="{field}-error"' in response.text or f'{field}-hint {field}-error' in response.text
    assert _source(portal, "tayninh") is None and _source(portal, values.get("source_id", "x")) is None
    assert _source_changes(portal) == []


def test_bad_edit_leaves_the_source_as_it_was_and_the_error_is_in_vietnamese(portal):
    admin = signed_in_client(portal, "admin86@example.vn", "archive_admin", "86")

    response = _post(admin, "/admin/sources/vinhlong/edit", _form(url="http://vl.example/oai", schedule="thỉnh thoảng"))

    assert response.status_code == 400
    assert "không phải là lịch" in response.text.split('id="schedule-error"')[1].split("</p>")[0]
    assert _source(portal, "vinhlong").schedule == "daily" and _source_changes(portal) == []


def test_an_existing_id_is_not_taken_over_by_adding(portal):
    national = signed_in_client(portal, "national@example.vn", "national_admin")
    response = _post(national, "/admin/sources/new", _form(source_id="hue", url="http://other.example/oai"))
    assert response.status_code == 400 and 'id="source_id-error"' in response.text
    assert _source(portal, "hue").url == "http://hue.example/oai" and _source_changes(portal) == []


def test_posts_without_the_csrf_token_are_refused(portal):
    national = signed_in_client(portal, "national@example.vn", "national_admin")
    for path, data in (("/admin/sources/new", _form(source_id="tayninh")),
                       ("/admin/sources/vinhlong/edit", _form(url="http://x.example/oai", province="86")),
                       ("/admin/sources/vinhlong/disable", {}), ("/admin/sources/vinhlong/run", {}),
                       ("/admin/sources/vinhlong/full-run", {"confirm": "y"})):
        assert national.post(path, data=data).status_code == 400, path
    vinhlong = _source(portal, "vinhlong")
    assert (vinhlong.url, vinhlong.enabled, vinhlong.run_requested_at) == ("http://vl.example/oai", True, None)
    assert _source(portal, "tayninh") is None and _source_changes(portal) == []


def test_harvest_now_is_recorded_shown_and_audited(portal):
    admin = signed_in_client(portal, "admin86@example.vn", "archive_admin", "86")
    before = _row(admin.get("/admin/sources?lang=en").text, "vinhlong")
    assert "Harvest now" in before and "data-run-requested" not in before

    response = _post(admin, "/admin/sources/vinhlong/run", {})

    assert response.status_code == 303
    source = _source(portal, "vinhlong")
    assert source.run_requested_at is not None and source.run_requested_full is False
    assert source.run_requested_by == "admin86@example.vn"
    row = _row(admin.get("/admin/sources?lang=en").text, "vinhlong")
    asked_at = source.run_requested_at.replace(tzinfo=source.run_requested_at.tzinfo or timezone.utc)
    shown = asked_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))  # Việt Nam's time, English day pattern
    assert f"Harvest asked for by admin86@example.vn at {shown.day} {shown:%b %Y %H:%M}" in row
    assert "due now" in row
    (target, province, details), = _source_changes(portal)
    assert (target, province, details) == ("vinhlong", "86", {"requested": "incremental"})


def test_a_full_re_harvest_needs_its_confirmation_and_then_is_recorded_as_full(portal):
    national = signed_in_client(portal, "national@example.vn", "national_admin")
    page = national.get("/admin/sources/hue/full-run?lang=en")
    assert page.status_code == 200 and 'name="confirm"' in page.text

    unconfirmed = _post(national, "/admin/sources/hue/full-run", {})
    assert unconfirmed.status_code == 400 and 'id="confirm-error"' in unconfirmed.text
    assert _source(portal, "hue").run_requested_at is None and _source_changes(portal) == []

    confirmed = _post(national, "/admin/sources/hue/full-run", {"confirm": "y"})

    assert confirmed.status_code == 303
    source = _source(portal, "hue")
    assert source.run_requested_at is not None and source.run_requested_full is True
    row = _row(national.get("/admin/sources?lang=en").text, "hue")
    assert "Full re-harvest asked for by national@example.vn" in row and "due now" in row  # hue has no schedule
    # A harvest now asked for afterwards does not make the waiting full run incremental.
    _post(national, "/admin/sources/hue/run", {})
    assert _source(portal, "hue").run_requested_full is True
    assert [details for _t, _p, details in _source_changes(portal)] == [
        {"requested": "full"}, {"requested": "incremental", "kept": "full"}]


def test_a_disabled_source_takes_no_run_request_and_drops_the_one_it_had(portal):
    national = signed_in_client(portal, "national@example.vn", "national_admin")
    _post(national, "/admin/sources/hue/run", {})
    assert _source(portal, "hue").run_requested_at is not None
    _post(national, "/admin/sources/hue/disable", {})
    assert _source(portal, "hue").run_requested_at is None
    row = _row(national.get("/admin/sources?lang=en").text, "hue")
    assert "Harvest now" not in row and "Enable" in row

    response = _post(national, "/admin/sources/hue/run", {})

    assert response.status_code == 303
    assert _source(portal, "hue").run_requested_at is None
    assert [details for _t, _p, details in _source_changes(portal)] == [
        {"requested": "incremental"},
        {"change": "disable", "changes": {"enabled": [True, False]}, "run_request": "dropped"}]


def test_migration_0006_merges_the_heads_and_adds_the_run_request_columns_both_ways(portal, database_url):
    import os

    from alembic import command
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine, inspect, text

    project = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    config = AlembicConfig(os.path.join(project, "alembic.ini"))
    config.set_main_option("script_location", os.path.join(project, "migrations"))
    config.attributes["database_url"] = database_url
    assert set(ScriptDirectory.from_config(config).get_revision("0006").down_revision) == {"0003", "0004", "0005"}
    engine = create_engine(database_url)

    def state():
        with engine.connect() as connection:
            versions = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
            columns = {column["name"] for column in inspect(connection).get_columns("sources")}
        return versions, {"run_requested_at", "run_requested_full", "run_requested_by"} <= columns

    head = ScriptDirectory.from_config(config).get_current_head()
    assert state() == ({head}, True)
    command.downgrade(config, "0005")  # undoes 0006 (and what came after): back to the three heads it merges
    assert state() == ({"0003", "0004", "0005"}, False)
    command.upgrade(config, "heads")
    assert state() == ({head}, True)
    engine.dispose()
    assert _source(portal, "vinhlong").run_requested_full is False  # the rows survive (SQLite rebuilds the table)


def test_archive_admin_changes_their_package_source_but_not_its_inbox(portal, tmp_path):
    (tmp_path / "inbox").mkdir()
    with portal.app_context():
        db = database.get_db()
        db.add(Source(id="vinhlong-nop", holding_province="86", url=str(tmp_path / "inbox"), kind="package",
                      metadata_prefix="auto", schedule=None, enabled=True, name=""))
        db.commit()
    admin = signed_in_client(portal, "admin86@example.vn", "archive_admin", "86")
    page = admin.get("/admin/sources/vinhlong-nop/edit")
    assert page.status_code == 200 and "readonly" in page.text

    other_kind = _post(admin, "/admin/sources/vinhlong-nop/edit", _form(kind="oai-pmh", url="http://x.example/oai"))
    assert other_kind.status_code == 400 and _source(portal, "vinhlong-nop").kind == "package"

    response = _post(admin, "/admin/sources/vinhlong-nop/edit", _form(kind="package", url="/etc", schedule="daily"))

    assert response.status_code == 303
    source = _source(portal, "vinhlong-nop")
    assert (source.kind, source.url, source.schedule) == ("package", str(tmp_path / "inbox"), "daily")
    (_target, _province, details), = _source_changes(portal)
    assert details["changes"] == {"schedule": [None, "daily"]}
