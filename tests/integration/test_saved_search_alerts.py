"""Saved searches and their alerts on the real OpenSearch, the real database (SQLite and PostgreSQL) and the
real mail sink (issue 19): a reader saves a search through the search page's form, the notices job mails
what was harvested since, through the same search and permission filter — a closed record's title never,
a restricted record's content never, a record matched only by content the reader may not read not at all —,
the mail's one-click unsubscribe (RFC 8058) works with the signed token alone, and the reader's data export
and account deletion take the saved searches and the history with them."""
from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.access_requests import unique_email
from tests.accounts import create_user, sign_in
from tests.audit_support import audit_rows
from tests.conftest import make_portal
from tests.extra_records import extra_records, one_record

BASE_URL = "http://portal.test"
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
_SAVE_CSRF = re.compile(r'name="save-csrf_token" type="hidden" value="([^"]+)"')


class Clock:
    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture()
def portal(tmp_path_factory, database_url, mail_sink, harvested_app):
    """A portal on its own database that reads the session's harvested index, with a clock the test turns."""
    clock = Clock(T0)
    app = make_portal(tmp_path_factory, database_url=database_url, PORTAL_BASE_URL=BASE_URL, ACCESS_CLOCK=clock,
                      OPENSEARCH_INDEX_PREFIX=harvested_app.config["OPENSEARCH_INDEX_PREFIX"], **mail_sink.settings)
    app.clock = clock
    return app


@pytest.fixture()
def new_records(harvested_app):
    """Records holding one made-up word: one harvested before the alert began, the others after, of every access."""
    word = f"hvx{uuid.uuid4().hex[:8]}"
    secret = f"noidungkin{uuid.uuid4().hex[:8]}"
    base = one_record(harvested_app, {"term": {"access": "public"}}, {"term": {"holding_province": "86"}})

    def record(key: str, access: str, title: str, content: str | None, harvested: datetime) -> dict:
        record_id = f"{base['source_id']}:ALERT/{word}/{key}"
        return dict(base, id=record_id, access=access, title=title, content=content, files=[],
                    path=[*base.get("path", []), record_id], harvested_at=harvested.isoformat(),
                    changed_at=harvested.isoformat(),
                    reference_code=f"ALERT.{key}", open_after=None)

    after = T0 + timedelta(hours=1)
    records = {
        "before": record("before", "public", f"Trước khi lưu {word}", None, T0 - timedelta(hours=1)),
        "public": record("public", "public", f"Công văn công khai {word}", None, after),
        "restricted": record("restricted", "restricted", f"Hồ sơ hạn chế {word}", f"Nội dung {secret}", after),
        "content_only": record("content_only", "restricted", "Biên bản không nêu từ ấy",
                               f"Chỉ nội dung có {word} và {secret}", after),
        "closed": record("closed", "closed", f"Tài liệu mật {word}", f"{secret}", after),
    }
    with extra_records(harvested_app, list(records.values())):
        yield word, secret, records


def _save_through_the_search_page(client, word: str, alert: str) -> None:
    page = client.get("/search", query_string={"q": word, "lang": "vi"})
    assert page.status_code == 200 and "Lưu tìm kiếm này" in page.text
    token = _SAVE_CSRF.search(page.text).group(1)
    response = client.post("/saved-searches", data={"save-csrf_token": token, "save-query": f"q={word}",
                                                    "save-name": f"Theo dõi {word}", "save-alert": alert})
    assert response.status_code == 302, response.text[:500]


def _saved(app, user_id: int):
    from portal.database import get_db
    from portal.saved_searches.models import SavedSearch

    with app.app_context():
        return [(s.id, s.alert, s.name, s.query) for s in get_db().scalars(
            select(SavedSearch).where(SavedSearch.user_id == user_id))]


def _notices(app):
    result = app.test_cli_runner().invoke(args=["notices", "send"])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.output


def test_an_alert_mails_new_records_the_reader_may_see_and_never_a_closed_title_or_unread_content(
        portal, new_records, mail_sink):
    word, secret, records = new_records
    reader_email, staff_email = unique_email("alert-reader"), unique_email("alert-staff")
    reader_id = create_user(portal, reader_email)
    staff_id = create_user(portal, staff_email, "staff", "86")
    reader, staff = portal.test_client(), portal.test_client()
    for client, email in ((reader, reader_email), (staff, staff_email)):
        assert sign_in(client, email).status_code == 302
        _save_through_the_search_page(client, word, "daily")
    # The staff member sees the closed record in the portal; no mail will name it.
    assert f'data-id="{records["closed"]["id"]}"' in staff.get("/search", query_string={"q": word}).text

    portal.clock.moment = T0 + timedelta(hours=23)
    assert "0 mailed, 0 with nothing new" in _notices(portal)  # not due before a day has passed
    portal.clock.moment = T0 + timedelta(days=1, minutes=5)
    assert "saved-search alerts: 2 mailed" in _notices(portal)

    mail, = mail_sink.wait_for(reader_email)
    body = mail.get_content()
    assert "2 hồ sơ mới" in mail["Subject"] and f"Theo dõi {word}" in mail["Subject"]
    assert records["public"]["title"] in body and records["restricted"]["title"] in body
    assert f"{BASE_URL}/records/{records['public']['id']}" in body
    for absent in (records["before"]["title"], records["closed"]["title"], records["content_only"]["title"], secret):
        assert absent not in body
    unsubscribe = mail["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(f"{BASE_URL}/alerts/unsubscribe/") and unsubscribe in body
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    staff_body = mail_sink.wait_for(staff_email)[0].get_content()
    assert records["content_only"]["title"] in staff_body  # staff of the province read its content
    assert records["closed"]["title"] not in staff_body and secret not in staff_body

    searches = [json.loads(row.details) for row in audit_rows(portal) if row.action == "search.query"
                and json.loads(row.details).get("channel") == "alert"]
    assert {(row["saved_search"], row["hits"]) for row in searches} == {
        (_saved(portal, reader_id)[0][0], 2), (_saved(portal, staff_id)[0][0], 3)}

    assert "0 mailed" in _notices(portal)  # the next run, the same day: nothing due
    portal.clock.moment = T0 + timedelta(days=2, minutes=10)
    assert "0 mailed, 2 with nothing new" in _notices(portal)
    assert len(mail_sink.to(reader_email)) == 1


def test_one_click_unsubscribe_needs_only_the_signed_token(portal, new_records, mail_sink):
    word, _, _ = new_records
    email = unique_email("alert-unsubscribe")
    user_id = create_user(portal, email)
    client = portal.test_client()
    sign_in(client, email)
    _save_through_the_search_page(client, word, "weekly")
    portal.clock.moment = T0 + timedelta(days=7, minutes=1)
    _notices(portal)
    unsubscribe = mail_sink.wait_for(email)[0]["List-Unsubscribe"].strip("<>")
    path = unsubscribe.removeprefix(BASE_URL)

    stranger = portal.test_client()  # no session, no CSRF token: a mail program's one-click POST
    assert "Dừng các thư này" in stranger.get(path).text and _saved(portal, user_id)[0][1] == "weekly"
    response = stranger.post(path, data="List-Unsubscribe=One-Click",
                             content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and "data-unsubscribed" in response.text
    assert _saved(portal, user_id)[0][1] == "none"
    assert stranger.post(path[:-3] + "xyz").status_code == 404  # a token altered
    saved_id = _saved(portal, user_id)[0][0]
    page = client.get("/saved-searches")
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    assert client.post(f"/saved-searches/{saved_id}/delete", data={"csrf_token": csrf}).status_code == 302
    assert stranger.post(path).status_code == 404  # the saved search is gone


def test_history_is_the_readers_own_kept_90_days_and_leaves_with_the_account(portal, new_records):
    from portal.database import get_db
    from portal.personal_data.deletion import delete_account
    from portal.personal_data.export import personal_data_of
    from portal.saved_searches.models import SavedSearch, SearchHistoryEntry
    from portal.saved_searches.service import remember_search

    word, _, _ = new_records
    email, other_email = unique_email("history"), unique_email("history-other")
    user_id = create_user(portal, email)
    create_user(portal, other_email)
    client, other = portal.test_client(), portal.test_client()
    sign_in(client, email)
    sign_in(other, other_email)
    client.get("/search", query_string={"q": word, "province": "86"})
    _save_through_the_search_page(client, word, "none")
    with portal.app_context():
        remember_search(get_db(), user_id, "q=cu+lam", 3, T0 - timedelta(days=91))

    page = client.get("/saved-searches").text
    assert f"“{word}” · Vĩnh Long" in page and f"Theo dõi {word}" in page and "cu lam" not in page
    assert word not in other.get("/saved-searches").text
    assert "1 searches older than 90 days forgotten" in _notices(portal)

    data = json.loads(client.get("/account/data").data)
    assert [entry["name"] for entry in data["saved_searches"]] == [f"Theo dõi {word}"]
    assert {entry["query"] for entry in data["search_history"]} == {f"province=86&q={word}", f"q={word}"}

    with portal.app_context():
        db = get_db()
        from portal.auth.models import User

        kept = delete_account(db, db.get(User, user_id))
        assert kept["saved_searches"] == 1 and kept["search_history"] == 2
        assert not db.scalars(select(SavedSearch).where(SavedSearch.user_id == user_id)).all()
        assert not db.scalars(select(SearchHistoryEntry).where(SearchHistoryEntry.user_id == user_id)).all()
        assert personal_data_of(db, db.get(User, user_id), now=T0)["search_history"] == []


def test_migration_0015_adds_the_tables_and_goes_down_again(database_url):
    from sqlalchemy import create_engine, inspect

    from tests.databases import alembic

    alembic(database_url, "upgrade", "0015")
    engine = create_engine(database_url)
    assert {"saved_searches", "search_history"} <= set(inspect(engine).get_table_names())
    alembic(database_url, "downgrade", "0013")
    assert not {"saved_searches", "search_history"} & set(inspect(engine).get_table_names())
    engine.dispose()
