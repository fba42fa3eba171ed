"""Each sensitive action leaves exactly one audit row, on every database; an action whose row
cannot be written does not happen (fail closed: 503, nothing shown)."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import uuid
from datetime import datetime, timezone

import pytest

from indexer.writer import RecordWriter
from portal.audit import actions
from portal.database import get_db
from portal.opensearch import build_client
from schema.tables import Source
from tests import accounts
from tests.conftest import ServerThread
from tests.audit_support import (audit_rows, count_by_action, create_user, make_audit_table_read_only,
                                 portal_on, sign_in, signed_in_client)

PUBLIC_ID = "audittest:AT.UBND/ML01/HS001"
RESTRICTED_ID = "audittest:AT.UBND/ML01/HS002"
SECRET_WORDS = "nội dung toàn văn bí mật của hồ sơ"
FILE_BYTES = b"%PDF-1.4 audit test file"


def _serve_file(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/pdf"), ("Content-Length", str(len(FILE_BYTES)))])
    return [FILE_BYTES]


def _record(record_id: str, access: str, title: str, file_url: str) -> dict:
    return {"id": record_id, "source_id": "audittest", "holding_province": "86", "origin_province": "86",
            "level": "file", "reference_code": record_id.split(":")[1], "title": title,
            "description": "Hồ sơ thử cho nhật ký kiểm toán", "access": access, "path": [],
            "content": f"{title}: {SECRET_WORDS}",
            "files": [{"name": "to-trinh.pdf", "url": file_url, "media_type": "application/pdf",
                       "size": len(FILE_BYTES), "sha256": hashlib.sha256(FILE_BYTES).hexdigest()}], "date_start": "1990-01-01",
            "date_end": "1990-12-31", "year_start": 1990, "year_end": 1990,
            "harvested_at": datetime.now(timezone.utc).isoformat(), "deleted": False}


@pytest.fixture(scope="module")
def index_prefix():
    """Two records of Vĩnh Long (86), each with a file served here, in indices of this module's prefix;
    and the address of their source (the portal fetches files only from a source's own hosts)."""
    prefix = f"test-audit-{uuid.uuid4().hex[:8]}-"
    client = build_client(os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9200"))
    with ServerThread(_serve_file) as files:
        writer = RecordWriter(client, "audittest", prefix)
        assert writer.write([
            _record(PUBLIC_ID, "public", "Quyết định thành lập kho lưu trữ", f"{files.url}/1.pdf"),
            _record(RESTRICTED_ID, "restricted", "Tờ trình về hồ sơ hạn chế", f"{files.url}/2.pdf")], []) == []
        writer.refresh()
        yield prefix, files.url
    client.indices.delete(index=f"{prefix}records-*", ignore_unavailable=True)


@pytest.fixture()
def portal(tmp_path_factory, database_url, index_prefix):
    prefix, files_url = index_prefix
    app = portal_on(tmp_path_factory, database_url, OPENSEARCH_INDEX_PREFIX=prefix, HARVEST_HTTP_TIMEOUT=2)
    app.config["TEST_DATABASE_URL"] = database_url
    with app.app_context():  # written straight to the table: adding it is not the action under test
        db = get_db()
        db.add(Source(id="audittest", holding_province="86", kind="oai-pmh", url=f"{files_url}/oai"))
        db.commit()
    return app


def _get(path):
    return lambda app, client: client.get(path)


def _login_failed(app, client):
    user = create_user(app)
    return sign_in(client, user, password="wrong password, sorry")


def _login(app, client):
    return sign_in(client, create_user(app))


def _logout(app, client):
    sign_in(client, create_user(app))
    return client.post("/logout", data={"csrf_token": accounts.csrf_token(client.get("/account").text)})


def _download(app, client):
    response = client.get(f"/records/{PUBLIC_ID}/files/1")
    assert response.status_code == 200 and response.data == FILE_BYTES
    return response


def _download_refused(app, client):
    assert client.get(f"/records/{RESTRICTED_ID}/files/1").status_code == 403


def _role_change(app, client):
    admin, _user = signed_in_client(app, "national_admin")
    reader = create_user(app)
    token = accounts.csrf_token(admin.get("/admin/users").text)
    response = admin.post(f"/admin/users/{reader.id}/role", data={"csrf_token": token, "role": "staff",
                                                                  "province": "86"})
    assert response.status_code in (302, 303)
    return response


def _cli(*args):
    return lambda app, client: app.test_cli_runner().invoke(args=list(args))


def _harvest_unreachable(app, client):
    app.test_cli_runner().invoke(args=["sources", "add", "--id", "nowhere", "--province", "86",
                                       "--url", "http://127.0.0.1:9/oai"])
    return app.test_cli_runner().invoke(args=["harvest", "--source", "nowhere"])


def _audit_export(app, client):
    auditor, _user = signed_in_client(app, "auditor")
    return auditor.get("/audit/export?format=json")


def _audit_archive(app, client):
    client.get("/api/v1/search?q=lưu+trữ")  # a row to archive: the archive step is then the one row left
    path = os.path.join(tempfile.mkdtemp(), "archive.jsonl")
    result = app.test_cli_runner().invoke(args=["audit", "archive", "--before", "2999-01-01", "--to", path])
    assert result.exit_code == 0, result.output
    return result


def _users_add(app, client):
    result = app.test_cli_runner().invoke(
        args=["users", "add", "auditor@example.invalid", "--role", "auditor"],
        env={"PORTAL_USER_PASSWORD": accounts.TEST_PASSWORD})
    assert result.exit_code == 0, result.output
    return result


# (action, what a person or the command line does, rows of that action it must leave)
SENSITIVE_ACTIONS = [
    (actions.SEARCH, _get("/api/v1/search?q=quyết+định&province=86")),
    (actions.SEARCH, _get("/search?q=quyết+định")),
    (actions.SUGGEST, _get("/api/v1/suggest?q=quyet")),
    (actions.RECORD_VIEW, _get(f"/api/v1/records/{RESTRICTED_ID}")),
    (actions.RECORD_VIEW, _get(f"/records/{RESTRICTED_ID}")),
    (actions.FULLTEXT_VIEW, _get(f"/records/{PUBLIC_ID}")),
    (actions.FULLTEXT_VIEW, _get(f"/api/v1/records/{PUBLIC_ID}")),
    (actions.EXPORT, _get("/api/v1/export?format=csv&province=86")),
    (actions.EXPORT, _get(f"/api/v1/cite/{PUBLIC_ID}?format=bibtex")),
    (actions.SIGN_IN, _login),
    (actions.SIGN_IN_FAILED, _login_failed),
    (actions.SIGN_OUT, _logout),
    (actions.FILE_DOWNLOAD, _download),
    (actions.FILE_DOWNLOAD, _download_refused),
    (actions.ROLE_CHANGE, _role_change),
    (actions.ROLE_CHANGE, _users_add),
    (actions.SOURCE_CHANGE, _cli("sources", "add", "--id", "elsewhere", "--province", "86",
                                 "--url", "http://127.0.0.1:9/oai")),
    (actions.HARVEST_START, _harvest_unreachable),
    (actions.HARVEST_END, _harvest_unreachable),
    (actions.AUDIT_EXPORT, _audit_export),
    (actions.AUDIT_ARCHIVE, _audit_archive),
]


@pytest.mark.parametrize("action,perform", SENSITIVE_ACTIONS,
                         ids=[f"{action}-{number}" for number, (action, _p) in enumerate(SENSITIVE_ACTIONS)])
def test_each_sensitive_action_leaves_exactly_one_row(portal, action, perform):
    client = portal.test_client()
    before = count_by_action(portal).get(action, 0)
    perform(portal, client)
    after = count_by_action(portal)
    assert after.get(action, 0) == before + 1, after
    assert portal.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_search_row_holds_query_filters_and_hits(portal):
    portal.test_client().get("/api/v1/search?q=quyết+định&province=86&level=file",
                             headers={"User-Agent": "audit-test/1.0"})
    row, = audit_rows(portal, actions.SEARCH)
    details = json.loads(row.details)
    assert details["params"]["q"] == "quyết định"
    assert details["params"]["province"] == ["86"] and details["params"]["level"] == ["file"]
    assert details["hits"] >= 1 and details["channel"] == "api"
    assert row.actor == "anonymous" and row.ip.startswith("hmac:") and row.user_agent == "audit-test/1.0"


def test_record_view_row_names_record_province_and_signed_in_actor(portal):
    client, user = signed_in_client(portal, "staff", "86")
    assert client.get(f"/records/{RESTRICTED_ID}").status_code == 200
    view, = audit_rows(portal, actions.RECORD_VIEW)
    fulltext, = audit_rows(portal, actions.FULLTEXT_VIEW)  # staff of 86 read the restricted content
    assert view.target_id == RESTRICTED_ID and view.target_province == "86"
    assert view.actor == str(user.id) and view.roles == ["staff"] and view.actor_province == "86"
    assert fulltext.target_id == RESTRICTED_ID


def test_restricted_record_seen_by_anonymous_logs_no_fulltext_view(portal):
    assert portal.test_client().get(f"/records/{RESTRICTED_ID}").status_code == 200
    assert len(audit_rows(portal, actions.RECORD_VIEW)) == 1
    assert audit_rows(portal, actions.FULLTEXT_VIEW) == []


def test_unknown_record_view_is_logged_as_denied(portal):
    assert portal.test_client().get("/api/v1/records/audittest:nope").status_code == 404
    row, = audit_rows(portal, actions.RECORD_VIEW)
    assert row.outcome == "denied" and row.target_id == "audittest:nope"


def test_record_page_with_audit_table_read_only_answers_503_without_content(portal):
    make_audit_table_read_only(portal.config["TEST_DATABASE_URL"])
    client = portal.test_client()
    page = client.get(f"/records/{PUBLIC_ID}")
    assert page.status_code == 503
    body = page.get_data(as_text=True)
    assert SECRET_WORDS not in body and "Quyết định thành lập kho lưu trữ" not in body
    api = client.get(f"/api/v1/records/{PUBLIC_ID}")
    assert api.status_code == 503
    assert api.get_json()["error"]["code"] == "audit_unavailable"
    assert SECRET_WORDS not in api.get_data(as_text=True)
    search = client.get("/api/v1/search?q=quyết+định")
    assert search.status_code == 503 and "Quyết định" not in search.get_data(as_text=True)
    assert audit_rows(portal) == []


def test_file_download_with_audit_table_read_only_answers_503_without_the_file(portal):
    make_audit_table_read_only(portal.config["TEST_DATABASE_URL"])
    response = portal.test_client().get(f"/records/{PUBLIC_ID}/files/1")
    assert response.status_code == 503 and FILE_BYTES not in response.data


def test_role_change_that_cannot_be_recorded_is_undone(portal):
    admin, _user = signed_in_client(portal, "national_admin")
    reader = create_user(portal)
    token = accounts.csrf_token(admin.get("/admin/users").text)
    make_audit_table_read_only(portal.config["TEST_DATABASE_URL"])
    response = admin.post(f"/admin/users/{reader.id}/role", data={"csrf_token": token, "role": "national_admin"})
    assert response.status_code == 503
    from portal.auth.models import User
    with portal.app_context():
        from portal.database import get_db
        assert get_db().get(User, reader.id).roles == "reader"


def test_sign_in_that_cannot_be_recorded_does_not_sign_in(portal):
    user = create_user(portal, "national_admin")
    make_audit_table_read_only(portal.config["TEST_DATABASE_URL"])
    client = portal.test_client()
    assert sign_in(client, user).status_code == 503
    with client.session_transaction() as session:
        assert "_user_id" not in session
