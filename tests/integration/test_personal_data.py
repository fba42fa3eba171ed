"""Personal data (Decree 13/2023/NĐ-CP) on the real database, SQLite and PostgreSQL: the ID number
encrypted at rest and shown only to the staff who decide, a missing or wrong key failing clearly,
key rotation, migration 0011 encrypting numbers stored before it, consent stored with the reader,
anonymous visitors' addresses hashed in the audit log, and a reader's download and deletion of
their own data."""
from __future__ import annotations

import json
import os
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import create_engine, text

from portal.audit import actions
from tests.access_requests import unique_email
from tests.accounts import TEST_PASSWORD, create_user, csrf_token, sign_in
from tests.audit_support import audit_rows
from tests.conftest import make_portal
from tests.integration.test_audit_actions import index_prefix  # noqa: F401 - its indexed records

PROJECT_DIR = Path(__file__).resolve().parents[2]
ID_NUMBER = "079301001234"
OTHER_ID_NUMBER = "001199004321"
FONDS, SERIES, FILE = "vinhlong:VL.PD", "vinhlong:VL.PD/ML01", "vinhlong:VL.PD/ML01/HS001"
ANCESTORS = [{"id": FONDS, "level": "fonds", "title": "Phông thử"},
             {"id": SERIES, "level": "series", "title": "Mục lục 1"},
             {"id": FILE, "level": "file", "title": "Hồ sơ 1"}]
KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _record(record_id: str) -> dict:
    return {"id": record_id, "level": "item", "access": "restricted", "content_visible": False,
            "title": f"Quyết định {record_id[-4:]}", "reference_code": record_id, "path": [FONDS, SERIES, FILE],
            "holding_province": "86"}


@pytest.fixture()
def portal(tmp_path_factory, database_url, mail_sink):
    return make_portal(tmp_path_factory, database_url=database_url, PERSONAL_DATA_KEY=KEY_A, **mail_sink.settings)


def _raw_id_numbers(database_url: str) -> dict[int, str | None]:
    """The column as the database holds it, read past the portal."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT id, id_number FROM users")).all())
    engine.dispose()
    return rows


def _reader(app, email: str, id_number: str = ID_NUMBER, **fields) -> int:
    """A confirmed reader with an ID number, phone and workplace; returns the id."""
    from portal.auth.models import User
    from portal.database import get_db
    from portal.personal_data.encryption import encrypt_id_number

    user_id = create_user(app, email, full_name=fields.pop("full_name", "Trần Thị Bình"))
    with app.app_context():
        user = get_db().get(User, user_id)
        user.id_number_encrypted = encrypt_id_number(id_number)
        user.phone = fields.get("phone", "0912 345 678")
        user.workplace = fields.get("workplace", "Viện Sử học")
        get_db().commit()
    return user_id


def _identity(app, user_id: int):
    from portal.access.identity import Identity
    from portal.auth.models import User
    from portal.database import get_db

    with app.app_context():
        user = get_db().get(User, user_id)
        return Identity(user_id=str(user.id), roles=user.role_set, province=user.province)


def _ask(app, user_id: int, record_id: str) -> int:
    from portal.access import workflow
    from portal.database import get_db

    with app.test_request_context():
        access_request, _entries = workflow.create_request(
            get_db(), _identity(app, user_id), _record(record_id),
            workflow.RequestDetails("personal", "Viết luận văn", "Lịch sử", "1990–1995"))
        return access_request.id


def _approve(app, staff_id: int, request_id: int):
    from portal.access import workflow
    from portal.access.models import AccessRequest
    from portal.database import get_db

    with app.test_request_context():
        db = get_db()
        access_request = db.get(AccessRequest, request_id)
        options = workflow.scope_options(_record(access_request.record_id), ANCESTORS)
        grant, _entries = workflow.approve(db, _identity(app, staff_id), access_request, expected_version=1,
                                           scope="record", options=options,
                                           expires_on=date.today() + timedelta(days=30))
        return grant.id


def _comment(app, user_id: int, request_id: int, body: str) -> None:
    from portal.access import workflow
    from portal.access.models import AccessRequest
    from portal.database import get_db

    with app.test_request_context():
        db = get_db()
        workflow.add_comment(db, _identity(app, user_id), db.get(AccessRequest, request_id), body)


def _signed_in(app, email: str):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def _all_audit_text(app) -> str:
    return "\n".join(f"{row.actor} {row.ip} {row.target_id} {row.details}" for row in audit_rows(app))


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


# ---- the ID number, encrypted ---------------------------------------------------------------

def test_registration_stores_the_id_number_encrypted_with_the_consent(portal, database_url, caplog):
    from portal.personal_data import NOTICE_VERSION

    client = portal.test_client()
    page = client.get("/register")
    assert 'type="checkbox"' in page.text and "checked" not in page.text.split('id="consent"')[1].split(">")[0]
    assert "13/2023" in page.text and NOTICE_VERSION in page.text
    caplog.set_level("DEBUG")
    response = client.post("/register", data={
        "csrf_token": csrf_token(page.text), "full_name": "Trần Thị Bình", "id_number": ID_NUMBER,
        "email": "binh.consent@example.vn", "phone": "0912 345 678", "workplace": "Viện Sử học",
        "password": "sông Cửu Long chín nhánh", "confirm": "sông Cửu Long chín nhánh", "consent": "y"})
    assert response.status_code == 200

    stored = [value for value in _raw_id_numbers(database_url).values() if value]
    assert len(stored) == 1 and ID_NUMBER not in stored[0] and stored[0].startswith("gAAAAA")
    assert Fernet(KEY_A.encode()).decrypt(stored[0].encode()).decode() == ID_NUMBER
    assert ID_NUMBER not in caplog.text
    with portal.app_context():
        from portal.auth.accounts import find_by_email
        from portal.database import get_db

        user = find_by_email(get_db(), "binh.consent@example.vn")
        assert user.consent_at is not None and user.consent_notice_version == NOTICE_VERSION


def test_registration_without_consent_is_refused_next_to_the_box(portal):
    client = portal.test_client()
    page = client.get("/register")
    response = client.post("/register", data={
        "csrf_token": csrf_token(page.text), "full_name": "Trần Thị Bình", "id_number": ID_NUMBER,
        "email": "no.consent@example.vn", "workplace": "Viện Sử học",
        "password": "sông Cửu Long chín nhánh", "confirm": "sông Cửu Long chín nhánh"})
    assert response.status_code == 400
    error = response.text.split('id="consent-error"')[1].split("</p>")[0]
    assert "đồng ý" in error  # Vietnamese by default: "tick the box to agree"
    assert 'aria-describedby="consent-error"' in response.text
    with portal.app_context():
        from portal.auth.accounts import find_by_email
        from portal.database import get_db

        assert find_by_email(get_db(), "no.consent@example.vn") is None


def test_staff_deciding_see_the_id_number_which_stays_out_of_the_audit_log(portal, caplog):
    reader = _reader(portal, unique_email("reader"))
    create_user(portal, "staff86@example.vn", "staff", "86")
    create_user(portal, "staff46@example.vn", "staff", "46")
    request_id = _ask(portal, reader, f"{FILE}/VB01")
    caplog.set_level("DEBUG")

    page = _signed_in(portal, "staff86@example.vn").get(f"/staff/requests/{request_id}")
    assert page.status_code == 200 and ID_NUMBER in page.text and "Trần Thị Bình" in page.text
    assert _signed_in(portal, "staff46@example.vn").get(f"/staff/requests/{request_id}").status_code == 404
    create_user(portal, "another.reader@example.vn")
    reader_page = _signed_in(portal, "another.reader@example.vn").get(f"/staff/requests/{request_id}")
    assert reader_page.status_code in (403, 404) and ID_NUMBER not in reader_page.text
    assert ID_NUMBER not in caplog.text
    assert ID_NUMBER not in _all_audit_text(portal)
    assert _verify(portal).exit_code == 0


# ---- the key ---------------------------------------------------------------------------------

def test_the_portal_does_not_start_without_a_key_and_says_how_to_make_one(tmp_path):
    from app import create_app

    with pytest.raises(SystemExit) as missing:
        create_app({"TESTING": False, "DEBUG": False, "PERSONAL_DATA_KEY": "",
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}"})
    assert "PERSONAL_DATA_KEY is not set" in str(missing.value) and "Fernet.generate_key()" in str(missing.value)
    with pytest.raises(SystemExit) as malformed:
        create_app({"TESTING": False, "PERSONAL_DATA_KEY": "not-a-key",
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}"})
    assert "key 1 is not a Fernet key" in str(malformed.value)

    environment = {name: value for name, value in os.environ.items() if name != "PERSONAL_DATA_KEY"}
    environment.update(FLASK_APP="app", DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}", FLASK_DEBUG="0")
    result = subprocess.run([str(PROJECT_DIR / ".venv/bin/flask"), "users", "list"], cwd=PROJECT_DIR,
                            env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if "PERSONAL_DATA_KEY" in line]
    assert len(lines) == 1 and "Fernet.generate_key()" in lines[0] and ".env" in lines[0]


def test_a_wrong_key_fails_clearly_and_changes_nothing(portal, tmp_path_factory, database_url):
    reader_email = unique_email("reader")
    reader = _reader(portal, reader_email)
    create_user(portal, "staff86@example.vn", "staff", "86")
    request_id = _ask(portal, reader, f"{FILE}/VB02")
    before = _raw_id_numbers(database_url)

    wrong = make_portal(tmp_path_factory, database_url=database_url, PERSONAL_DATA_KEY=KEY_B)
    page = _signed_in(wrong, "staff86@example.vn").get(f"/staff/requests/{request_id}")
    assert page.status_code == 200 and ID_NUMBER not in page.text
    # "ID number unreadable: the portal's key does not open it", instead of the number
    assert "data-id-number" not in page.text and "khoá của cổng thông tin" in page.text
    assert _signed_in(wrong, reader_email).get("/account/data").status_code == 503
    result = wrong.test_cli_runner().invoke(args=["users", "rotate-key"])
    assert result.exit_code == 1 and "nothing was changed" in result.output and str(reader) in result.output
    assert _raw_id_numbers(database_url) == before


def test_rotation_re_encrypts_every_row_with_the_first_key(portal, tmp_path_factory, database_url):
    first = _reader(portal, unique_email("first"), ID_NUMBER)
    second = _reader(portal, unique_email("second"), OTHER_ID_NUMBER)
    before = _raw_id_numbers(database_url)

    rotating = make_portal(tmp_path_factory, database_url=database_url, PERSONAL_DATA_KEY=f"{KEY_B},{KEY_A}")
    result = rotating.test_cli_runner().invoke(args=["users", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "2 ID number(s) re-encrypted" in result.output
    after = _raw_id_numbers(database_url)
    assert after[first] != before[first] and after[second] != before[second]

    only_new = make_portal(tmp_path_factory, database_url=database_url, PERSONAL_DATA_KEY=KEY_B)
    with only_new.app_context():
        from portal.auth.models import User
        from portal.database import get_db
        from portal.personal_data.encryption import id_number_of

        assert id_number_of(get_db().get(User, first)) == ID_NUMBER
        assert id_number_of(get_db().get(User, second)) == OTHER_ID_NUMBER
    with pytest.raises(InvalidToken):  # the old key alone no longer opens it
        Fernet(KEY_A.encode()).decrypt(after[first].encode())
    rotation, = audit_rows(rotating, actions.SETTING_CHANGE)
    assert json.loads(rotation.details) == {"change": "rotate-key", "rows": 2}
    assert ID_NUMBER not in _all_audit_text(rotating)
    assert _verify(rotating).exit_code == 0


# ---- migration 0011 --------------------------------------------------------------------------

def _migrate(database_url: str, revision: str, key: str = "") -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_DIR / "migrations"))
    config.attributes["database_url"] = database_url
    config.attributes["personal_data_key"] = key
    engine = create_engine(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


def _plaintext_readers(database_url: str) -> None:
    _migrate(database_url, "0009")
    engine = create_engine(database_url)
    with engine.begin() as connection:
        for number, id_number in enumerate((ID_NUMBER, OTHER_ID_NUMBER), start=1):
            connection.execute(text(
                "INSERT INTO users (email, full_name, id_number, roles, active, failed_logins, created_at)"
                " VALUES (:email, 'Người đọc cũ', :id_number, 'reader', :active, 0, CURRENT_TIMESTAMP)"),
                {"email": f"old{number}@example.vn", "id_number": id_number, "active": True})
    engine.dispose()


def test_migration_0011_encrypts_the_numbers_stored_before_it(tmp_path_factory, database_url):
    _plaintext_readers(database_url)
    assert sorted(v for v in _raw_id_numbers(database_url).values()) == sorted([ID_NUMBER, OTHER_ID_NUMBER])
    app = make_portal(tmp_path_factory, database_url=database_url, PERSONAL_DATA_KEY=KEY_A)
    stored = _raw_id_numbers(database_url)
    assert all(value.startswith("gAAAAA") for value in stored.values())
    assert sorted(Fernet(KEY_A.encode()).decrypt(value.encode()).decode() for value in stored.values()) == \
        sorted([ID_NUMBER, OTHER_ID_NUMBER])
    with app.app_context():
        from portal.auth.accounts import find_by_email
        from portal.database import get_db
        from portal.personal_data.encryption import id_number_of

        assert id_number_of(find_by_email(get_db(), "old1@example.vn")) == ID_NUMBER


def test_migration_0011_without_a_key_stops_before_changing_anything(database_url, monkeypatch):
    monkeypatch.delenv("PERSONAL_DATA_KEY", raising=False)
    _plaintext_readers(database_url)
    with pytest.raises(RuntimeError, match="2 reader\\(s\\) have an ID number in plain text"):
        _migrate(database_url, "heads", key="")
    assert sorted(_raw_id_numbers(database_url).values()) == sorted([ID_NUMBER, OTHER_ID_NUMBER])
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0009"
    engine.dispose()


# ---- anonymous visitors' addresses in the audit log ------------------------------------------

@pytest.fixture()
def search_portal(tmp_path_factory, database_url, index_prefix):  # noqa: F811 - the imported fixture
    prefix, _files_url = index_prefix
    return make_portal(tmp_path_factory, database_url=database_url, OPENSEARCH_INDEX_PREFIX=prefix,
                       AUDIT_IP_KEY="khóa thử của địa chỉ")


def test_an_anonymous_search_keeps_a_keyed_hash_and_a_readers_search_the_address(search_portal):
    from portal.personal_data.addresses import keyed_address

    anonymous = search_portal.test_client()
    anonymous.environ_base["REMOTE_ADDR"] = "198.51.100.23"
    assert anonymous.get("/api/v1/search?q=quyết+định").status_code == 200
    create_user(search_portal, "searching.reader@example.vn")
    reader = search_portal.test_client()
    reader.environ_base["REMOTE_ADDR"] = "198.51.100.24"
    assert sign_in(reader, "searching.reader@example.vn").status_code == 302
    assert reader.get("/api/v1/search?q=quyết+định").status_code == 200

    by_anonymous, by_reader = audit_rows(search_portal, actions.SEARCH)
    assert by_anonymous.actor == "anonymous" and "198.51.100.23" not in by_anonymous.ip
    assert by_anonymous.ip == keyed_address("198.51.100.23", "khóa thử của địa chỉ".encode())
    assert by_anonymous.ip.startswith("hmac:") and len(by_anonymous.ip) <= 64
    assert by_reader.actor != "anonymous" and by_reader.ip == "198.51.100.24"
    assert "198.51.100.23" not in _all_audit_text(search_portal)
    result = _verify(search_portal)
    assert result.exit_code == 0 and "chain intact" in result.output


# ---- a reader's own data ---------------------------------------------------------------------

@pytest.fixture()
def people(portal):
    """A reader with a request decided (a grant), one open, a thread and an inbox; another reader
    with a request of their own; the staff of Vĩnh Long who decide."""
    reader_email, other_email = unique_email("reader"), unique_email("other")
    reader = _reader(portal, reader_email, ID_NUMBER, full_name="Trần Thị Bình")
    other = _reader(portal, other_email, OTHER_ID_NUMBER, full_name="Ngô Văn Khác", workplace="Sở Nội vụ")
    staff = create_user(portal, unique_email("staff"), "staff", "86", full_name="Cán Bộ Lưu Trữ")
    decided = _ask(portal, reader, f"{FILE}/VB10")
    _comment(portal, staff, decided, "Xin nói rõ mục đích nghiên cứu.")
    _comment(portal, reader, decided, "Luận văn thạc sĩ về kinh tế nông thôn.")
    grant = _approve(portal, staff, decided)
    still_open = _ask(portal, reader, f"{FILE}/VB11")
    _comment(portal, reader, still_open, "Tôi cần bản này gấp.")
    others_request = _ask(portal, other, f"{FILE}/VB12")
    _comment(portal, other, others_request, "Thư của người khác.")
    return {"reader": reader, "reader_email": reader_email, "other": other, "other_email": other_email,
            "staff": staff, "decided": decided, "open": still_open, "grant": grant,
            "others_request": others_request}


def test_download_holds_the_readers_data_and_nothing_of_anyone_else(portal, people):
    client = _signed_in(portal, people["reader_email"])
    account = client.get("/account")
    assert "Tải xuống dữ liệu của tôi" in account.text and ID_NUMBER in account.text
    response = client.get("/account/data")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.text)

    assert data["account"]["id_number"] == ID_NUMBER
    assert data["account"]["email"] == people["reader_email"] and data["account"]["full_name"] == "Trần Thị Bình"
    assert data["account"]["phone"] == "0912 345 678" and data["account"]["workplace"] == "Viện Sử học"
    assert {entry["id"] for entry in data["access_requests"]} == {people["decided"], people["open"]}
    assert {entry["id"] for entry in data["grants"]} == {people["grant"]}
    assert [(m["from"], m["body"]) for m in data["messages"]] == [
        ("archive", "Xin nói rõ mục đích nghiên cứu."), ("you", "Luận văn thạc sĩ về kinh tế nông thôn."),
        ("you", "Tôi cần bản này gấp.")]
    assert {entry["kind"] for entry in data["inbox"]} >= {"request_approved", "comment_added"}
    assert "audit" not in json.dumps(data) and "hash" not in data

    whole = response.text
    for someone_else in ("Ngô Văn Khác", people["other_email"], OTHER_ID_NUMBER, "Sở Nội vụ",
                         "Thư của người khác.", "Cán Bộ Lưu Trữ", f"{FILE}/VB12"):
        assert someone_else not in whole, someone_else
    exported, = audit_rows(portal, actions.ACCOUNT_EXPORT)
    assert exported.target_id == f"user:{people['reader']}" and exported.actor == str(people["reader"])
    assert ID_NUMBER not in _all_audit_text(portal)


def test_deletion_needs_the_password(portal, people):
    client = _signed_in(portal, people["reader_email"])
    page = client.get("/account")
    refused = client.post("/account/delete", data={"csrf_token": csrf_token(page.text), "password": "không đúng"})
    assert refused.status_code == 400 and 'id="password-error"' in refused.text
    assert client.get("/account").status_code == 200  # still signed in, still there
    assert audit_rows(portal, actions.ACCOUNT_DELETE) == []


def test_deletion_anonymises_the_reader_and_keeps_requests_and_grants(portal, people, database_url):
    from portal.access.models import AccessGrant, AccessRequest, Notification, RequestComment
    from portal.auth.models import User

    client = _signed_in(portal, people["reader_email"])
    other_device = _signed_in(portal, people["reader_email"])
    page = client.get("/account")
    response = client.post("/account/delete", data={"csrf_token": csrf_token(page.text), "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get("/account").status_code == 302 and other_device.get("/account").status_code == 302
    assert sign_in(portal.test_client(), people["reader_email"]).status_code == 401

    session = portal.extensions["db_sessionmaker"]()
    user = session.get(User, people["reader"])
    assert (user.full_name, user.email, user.id_number_encrypted, user.phone, user.workplace, user.password_hash,
            user.active) == ("", None, None, None, None, None, False)
    assert user.deleted_at is not None
    assert _raw_id_numbers(database_url)[people["reader"]] is None
    requests = {r.id: r for r in session.query(AccessRequest).filter_by(requester_id=people["reader"])}
    assert set(requests) == {people["decided"], people["open"]}
    assert requests[people["decided"]].state == "approved" and requests[people["open"]].state == "withdrawn"
    grant = session.get(AccessGrant, people["grant"])
    assert grant.user_id == people["reader"] and grant.state == "revoked"
    assert session.query(RequestComment).filter_by(author_id=people["reader"]).count() == 2
    assert session.query(Notification).filter_by(user_id=people["reader"]).count() == 0
    other = session.get(User, people["other"])
    assert other.full_name == "Ngô Văn Khác" and other.active and other.email == people["other_email"]
    session.close()

    staff_email = session_email(portal, people["staff"])
    staff = _signed_in(portal, staff_email)
    request_page = staff.get(f"/staff/requests/{people['decided']}")
    assert "độc giả đã xoá tài khoản" in request_page.text and "Trần Thị Bình" not in request_page.text
    assert ID_NUMBER not in request_page.text
    inbox = staff.get("/inbox")
    assert "Trần Thị Bình" not in inbox.text and "độc giả đã xoá tài khoản" in inbox.text

    deleted, = audit_rows(portal, actions.ACCOUNT_DELETE)
    assert deleted.target_id == f"user:{people['reader']}" and deleted.actor == str(people["reader"])
    assert json.loads(deleted.details) == {"requests": 2, "grants": 1, "withdrawn": 1, "revoked": 1,
                                           "saved_searches": 0, "search_history": 0,
                                           "request_id": response.headers["X-Request-ID"]}
    everything = _all_audit_text(portal)
    assert ID_NUMBER not in everything and "Trần Thị Bình" not in everything
    assert _verify(portal).exit_code == 0

    # The address is free for a new registration.
    newcomer = portal.test_client()
    form = newcomer.get("/register")
    again = newcomer.post("/register", data={
        "csrf_token": csrf_token(form.text), "full_name": "Trần Thị Bình", "id_number": ID_NUMBER,
        "email": people["reader_email"], "workplace": "Viện Sử học", "password": "sông Cửu Long chín nhánh",
        "confirm": "sông Cửu Long chín nhánh", "consent": "y"})
    assert again.status_code == 200
    with portal.app_context():
        from portal.auth.accounts import find_by_email
        from portal.database import get_db

        fresh = find_by_email(get_db(), people["reader_email"])
        assert fresh is not None and fresh.id != people["reader"]


def session_email(app, user_id: int) -> str:
    from portal.auth.models import User

    session = app.extensions["db_sessionmaker"]()
    email = session.get(User, user_id).email
    session.close()
    return email


def test_staff_and_officials_are_not_offered_deletion(portal):
    create_user(portal, "staff-self@example.vn", "staff", "86")
    client = _signed_in(portal, "staff-self@example.vn")
    page = client.get("/account")
    assert "data-deletion-refused" in page.text and "data-delete-account" not in page.text
    refused = client.post("/account/delete", data={"csrf_token": csrf_token(page.text), "password": TEST_PASSWORD})
    assert refused.status_code == 403
    assert audit_rows(portal, actions.ACCOUNT_DELETE) == []
