"""Access requests over the harvested demo archives: a reader asks, Vĩnh Long staff decide,
the grant opens exactly what it covers (record pages, the API, search highlights), and no
more after its expiry."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import func, select

from tests.access_requests import (ask_for_access, decide, file_and_neighbour, request_id_of, restricted_files,
                                   unique_email)
from tests.accounts import csrf_token, signed_in_client


@pytest.fixture(scope="module")
def secrets(harvested_app):
    files = restricted_files(harvested_app)
    assert len(files) >= 2, "the demo should have two Vĩnh Long files with restricted text"
    return file_and_neighbour(files)


@pytest.fixture()
def reader(harvested_app):
    email = unique_email("reader")
    client = signed_in_client(harvested_app, email)
    client.email = email
    return client


@pytest.fixture()
def vinhlong_staff(harvested_app):
    return signed_in_client(harvested_app, unique_email("staff86"), "staff", "86")


def _api_content(client, record_id) -> str | None:
    response = client.get(f"/api/v1/records/{record_id}")
    assert response.status_code == 200
    return response.get_json().get("content")


def _highlighted(client, token) -> str:
    """Everything a search for the token gives back (hits and their highlights), as text."""
    return client.get("/api/v1/search", query_string={"q": token}).get_data(as_text=True)


def _requests_of(app, email, **where) -> int:
    from portal.access.models import AccessRequest
    from portal.auth.models import User
    from portal.database import get_db

    with app.app_context():
        query = select(func.count()).select_from(AccessRequest).join(
            User, User.id == AccessRequest.requester_id).where(User.email == email)
        for name, value in where.items():
            query = query.where(getattr(AccessRequest, name) == value)
        return get_db().scalar(query)


def _count(app, model, **where) -> int:
    from portal.database import get_db

    with app.app_context():
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return get_db().scalar(query)


def test_restricted_item_page_offers_to_ask_and_anonymous_is_sent_to_sign_in(harvested_app, secrets):
    item_id = next(iter(secrets[0].items))
    anonymous = harvested_app.test_client()
    page = anonymous.get(f"/records/{item_id}")
    assert "data-ask-access" in page.text and "/login?next=" in page.text
    answer = anonymous.get("/requests/new", query_string={"record": item_id})
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert "next=%2Frequests%2Fnew" in answer.headers["Location"]


def test_file_scope_grant_opens_every_item_of_the_file_and_nothing_beyond_until_it_expires(
        harvested_app, secrets, reader, vinhlong_staff, mail_sink):
    granted_file, neighbour = secrets
    item_id = next(iter(granted_file.items))
    for token in [*granted_file.items.values(), *neighbour.items.values()]:
        assert token not in _highlighted(reader, token)
    asked = ask_for_access(reader, item_id)
    assert asked.status_code == 302, asked.text[:800]
    request_id = request_id_of(asked)
    queue = vinhlong_staff.get("/staff/requests")
    assert f'data-request="{request_id}"' in queue.text
    approved = decide(vinhlong_staff, request_id, "approve", scope="file",
                      note="Mời anh đến phòng đọc nếu cần bản giấy")
    assert approved.status_code == 302, re.findall(r'class="(?:field-error|error)"[^>]*>([^<]*)', approved.text)

    mail = mail_sink.wait_for(reader.email)[-1]
    # The mail is dated, opens the record the reader asked for and carries the archive's note (issue 18).
    assert parsedate_to_datetime(mail["Date"]).utcoffset() == timedelta(hours=7)
    assert f"/records/{item_id}" in mail.get_content()
    assert "Mời anh đến phòng đọc nếu cần bản giấy" in mail.get_content()
    for record_id, token in granted_file.items.items():
        assert token in (_api_content(reader, record_id) or "")
        assert token in reader.get(f"/records/{record_id}").text
        assert reader.get(f"/records/{record_id}/files/1").status_code == 200
        found = reader.get("/api/v1/search", query_string={"q": token}).get_json()
        assert any(hit["id"] == record_id and token in str(hit["highlight"].get("content", ""))
                   for hit in found["hits"]), found
    for record_id, token in neighbour.items.items():
        assert _api_content(reader, record_id) is None
        assert reader.get(f"/records/{record_id}/files/1").status_code == 403
        assert token not in reader.get(f"/records/{record_id}").text
        assert token not in _highlighted(reader, token)
    assert "data-grant" in reader.get("/requests").text

    later = datetime.now(timezone.utc) + timedelta(days=91)
    harvested_app.config["ACCESS_CLOCK"] = lambda: later
    try:
        for record_id, token in granted_file.items.items():
            assert _api_content(reader, record_id) is None
            assert token not in reader.get(f"/records/{record_id}").text
            assert token not in _highlighted(reader, token)
            assert reader.get(f"/records/{record_id}/files/1").status_code == 403
    finally:
        harvested_app.config.pop("ACCESS_CLOCK")


def test_reader_is_told_in_the_inbox_with_an_unread_count_even_when_mail_fails(
        harvested_app, secrets, reader, vinhlong_staff):
    from portal.access.models import Notification

    item_id = list(secrets[1].items)[-1]
    request_id = request_id_of(ask_for_access(reader, item_id))
    mail_server = harvested_app.config["MAIL_SERVER"]
    harvested_app.config["MAIL_SERVER"] = ""  # the SMTP server is down: the decision must stand all the same
    try:
        assert decide(vinhlong_staff, request_id, "deny", reason="Hồ sơ đang được chỉnh lý").status_code == 302
    finally:
        harvested_app.config["MAIL_SERVER"] = mail_server
    home = reader.get("/")
    assert "data-unread" in home.text
    inbox = reader.get("/inbox")
    assert "Hồ sơ đang được chỉnh lý" in inbox.text
    assert "data-unread" not in reader.get("/").text
    # The decision stands, the failure to mail is noted on the inbox entry.
    assert _count(harvested_app, Notification, request_id=request_id, mail_state="failed") >= 1
    assert 'data-state="denied"' in reader.get(f"/requests/{request_id}").text


def test_staff_of_another_province_get_404_and_a_national_admin_decides(harvested_app, secrets, reader):
    item_id = list(secrets[0].items)[-1]
    request_id = request_id_of(ask_for_access(reader, item_id, purpose="official"))
    hue_staff = signed_in_client(harvested_app, unique_email("staff46"), "staff", "46")
    assert hue_staff.get(f"/staff/requests/{request_id}").status_code == 404
    assert f'data-request="{request_id}"' not in hue_staff.get("/staff/requests").text
    page = hue_staff.get("/staff/requests")
    forged = hue_staff.post(f"/staff/requests/{request_id}/approve", data={
        "csrf_token": csrf_token(page.text), "version": "1", "scope": "fonds",
        "expires_on": (date.today() + timedelta(days=30)).isoformat()})
    assert forged.status_code == 404
    other_reader = signed_in_client(harvested_app, unique_email("nosy"))
    assert other_reader.get(f"/requests/{request_id}").status_code == 404
    assert reader.get("/staff/requests").status_code == 403

    national = signed_in_client(harvested_app, unique_email("national"), "national_admin")
    assert f'data-request="{request_id}"' in national.get("/staff/requests").text
    assert decide(national, request_id, "deny", reason="").status_code == 400
    assert 'data-state="submitted"' in reader.get(f"/requests/{request_id}").text
    assert decide(national, request_id, "approve", scope="record").status_code == 302
    assert 'data-state="approved"' in reader.get(f"/requests/{request_id}").text


def test_bad_requests_are_refused_with_a_message_and_store_nothing(harvested_app, secrets, reader):
    item_id = next(iter(secrets[0].items))
    empty = ask_for_access(reader, item_id, purpose="")
    assert empty.status_code == 400 and "field-error" in empty.text
    no_use = ask_for_access(reader, item_id, use="   ")
    assert no_use.status_code == 400
    public = reader.get("/api/v1/search", query_string={"access": "public", "level": "item", "size": 1}).get_json()
    public_id = public["hits"][0]["id"]
    refused = ask_for_access(reader, public_id)
    assert refused.status_code == 400 and "data-problem" in refused.text
    closed = signed_in_client(harvested_app, unique_email("finder"), "national_admin").get(
        "/api/v1/search", query_string={"access": "closed", "level": "item", "size": 1}).get_json()["hits"][0]["id"]
    assert reader.get("/requests/new", query_string={"record": closed}).status_code == 404
    assert reader.get("/requests/new", query_string={"record": "nowhere:NO/SUCH"}).status_code == 404
    assert _requests_of(harvested_app, reader.email) == 0
    assert ask_for_access(reader, item_id).status_code == 302
    twice = ask_for_access(reader, item_id)
    assert twice.status_code == 409 and "data-problem" in twice.text
    assert _requests_of(harvested_app, reader.email, record_id=item_id, state="submitted") == 1


def test_scope_and_expiry_outside_what_staff_may_give_are_refused(harvested_app, secrets, reader, vinhlong_staff):
    from portal.access.models import AccessGrant

    item_id = list(secrets[1].items)[0]
    request_id = request_id_of(ask_for_access(reader, item_id))
    today = date.today()
    for fields in ({"scope": "province"},
                   {"scope": "file", "expires_on": (today - timedelta(days=1)).isoformat()},
                   {"scope": "file", "expires_on": (today + timedelta(days=800)).isoformat()}):
        refused = decide(vinhlong_staff, request_id, "approve", **fields)
        assert refused.status_code == 400, fields
    assert _count(harvested_app, AccessGrant, request_id=request_id) == 0
    stale = decide(vinhlong_staff, request_id, "approve", scope="file", version=7)
    assert stale.status_code == 409
    assert _count(harvested_app, AccessGrant, request_id=request_id) == 0


def test_reader_withdraws_and_staff_then_cannot_approve(harvested_app, secrets, reader, vinhlong_staff):
    import re

    item_id = list(secrets[0].items)[0]
    request_id = request_id_of(ask_for_access(reader, item_id, purpose="special_official"))
    staff_page = vinhlong_staff.get(f"/staff/requests/{request_id}")
    page = reader.get(f"/requests/{request_id}/withdraw")  # the confirmation step carries the form
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    withdrawn = reader.post(f"/requests/{request_id}/withdraw",
                            data={"csrf_token": csrf_token(page.text), "version": version})
    assert withdrawn.status_code == 302
    late = vinhlong_staff.post(f"/staff/requests/{request_id}/approve", data={
        "csrf_token": csrf_token(staff_page.text), "version": version, "scope": "file",
        "expires_on": (date.today() + timedelta(days=30)).isoformat()})
    assert late.status_code == 409
    assert "withdrawn" in late.text or "rút" in late.text


def test_comment_thread_between_reader_and_staff(harvested_app, secrets, reader, vinhlong_staff):
    item_id = list(secrets[1].items)[-1]
    request_id = request_id_of(ask_for_access(reader, item_id, purpose="official"))
    page = vinhlong_staff.get(f"/staff/requests/{request_id}")
    assert vinhlong_staff.post(f"/staff/requests/{request_id}/comments", data={
        "csrf_token": csrf_token(page.text), "body": "Xin gửi giấy giới thiệu của cơ quan."}).status_code == 302
    page = reader.get(f"/requests/{request_id}")
    assert "Xin gửi giấy giới thiệu" in page.text
    assert reader.post(f"/requests/{request_id}/comments", data={
        "csrf_token": csrf_token(page.text), "body": "Đã gửi qua thư điện tử."}).status_code == 302
    assert "Đã gửi qua thư điện tử." in vinhlong_staff.get(f"/staff/requests/{request_id}").text
    assert "Xin gửi giấy giới thiệu" in reader.get("/inbox").text
    assert reader.post(f"/requests/{request_id}/comments", data={"body": "no token"}).status_code == 400


def test_staff_revoke_closes_the_grant_at_once(harvested_app, secrets, reader, vinhlong_staff):
    granted_file = secrets[0]
    record_id, token = next(iter(granted_file.items.items()))
    request_id = request_id_of(ask_for_access(reader, record_id))
    assert decide(vinhlong_staff, request_id, "approve", scope="record").status_code == 302
    assert token in (_api_content(reader, record_id) or "")
    grants_page = vinhlong_staff.get("/staff/grants")
    # The grant's level in words, not the code "(item)" (issue 18), on the grants list and the request's page.
    assert "(Văn bản, " in grants_page.text and "(item" not in grants_page.text
    assert "(Văn bản)" in vinhlong_staff.get(f"/staff/requests/{request_id}").text
    import re

    grant_id = re.search(r'data-grant="(\d+)"', vinhlong_staff.get(f"/staff/requests/{request_id}").text).group(1)
    hue_staff = signed_in_client(harvested_app, unique_email("staff46"), "staff", "46")
    hue_page = hue_staff.get("/staff/grants")
    assert hue_staff.post(f"/staff/grants/{grant_id}/revoke",
                          data={"csrf_token": csrf_token(hue_page.text)}).status_code == 404
    assert vinhlong_staff.post(f"/staff/grants/{grant_id}/revoke",
                               data={"csrf_token": csrf_token(grants_page.text), "reason": "Hết nhu cầu"}).status_code == 302
    assert _api_content(reader, record_id) is None


def test_queue_is_sorted_by_due_date_with_overdue_requests_marked(harvested_app, secrets, vinhlong_staff):
    reader = signed_in_client(harvested_app, unique_email("queue-reader"))
    first_id, second_id = list(secrets[1].items)[:2] if len(secrets[1].items) > 1 else (
        list(secrets[1].items)[0], list(secrets[0].items)[-1])
    recent = request_id_of(ask_for_access(reader, first_id))
    harvested_app.config["ACCESS_CLOCK"] = lambda: datetime.now(timezone.utc) - timedelta(days=30)
    try:
        old = request_id_of(ask_for_access(reader, second_id))
    finally:
        harvested_app.config.pop("ACCESS_CLOCK")
    queue = vinhlong_staff.get("/staff/requests").text
    assert queue.index(f'data-request="{old}"') < queue.index(f'data-request="{recent}"')
    old_row = queue[queue.index(f'data-request="{old}"'):].split("</tr>")[0]
    recent_row = queue[queue.index(f'data-request="{recent}"'):].split("</tr>")[0]
    assert "data-overdue" in old_row and "data-overdue" not in recent_row


def test_a_fonds_page_offers_to_ask_for_the_fonds_and_a_fonds_grant_opens_all_of_it(
        harvested_app, secrets, reader, vinhlong_staff):
    granted_file, neighbour = secrets
    fonds_id = granted_file.fonds_id
    assert "data-ask-access" in reader.get(f"/records/{fonds_id}").text
    asked = ask_for_access(reader, fonds_id)
    assert asked.status_code == 302, asked.text[:500]
    request_id = request_id_of(asked)
    assert decide(vinhlong_staff, request_id, "approve", scope="fonds").status_code == 302
    assert "data-ask-access" not in reader.get(f"/records/{fonds_id}").text
    for files in (granted_file, neighbour):
        for record_id, token in files.items.items():
            expected = files.fonds_id == fonds_id
            assert (token in (_api_content(reader, record_id) or "")) == expected


def test_a_public_record_offers_nothing_to_ask(harvested_app, reader):
    public = reader.get("/api/v1/search", query_string={"access": "public", "level": "item", "size": 1}).get_json()
    assert "data-ask-access" not in reader.get(f"/records/{public['hits'][0]['id']}").text


def _mail_of(app, request_id: int, email: str) -> list[tuple[str, int]]:
    """(mail state, attempts) of the notices of a request to one person."""
    from portal.access.models import Notification
    from portal.auth.models import User
    from portal.database import get_db

    with app.app_context():
        return [tuple(row) for row in get_db().execute(
            select(Notification.mail_state, Notification.mail_attempts).join(User, User.id == Notification.user_id)
            .where(Notification.request_id == request_id, User.email == email))]


def _deny_form(client, request_id: int) -> dict:
    page = client.get(f"/staff/requests/{request_id}")
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    return {"csrf_token": csrf_token(page.text), "version": version, "reason": "Hồ sơ đang tu bổ"}


def test_the_mail_of_a_decision_goes_out_once_the_page_is_sent(harvested_app, secrets, reader, vinhlong_staff,
                                                               mail_sink):
    request_id = request_id_of(ask_for_access(reader, list(secrets[0].items)[0]))
    form = _deny_form(vinhlong_staff, request_id)

    # A response not yet closed is one the server is still sending: its mail must not have gone yet
    # (an SMTP server that is slow or down would hold the page as long as it takes).
    response = vinhlong_staff.post(f"/staff/requests/{request_id}/deny", data=form, buffered=False)

    assert response.status_code == 302
    assert _mail_of(harvested_app, request_id, reader.email) == [("pending", 0)]
    assert not mail_sink.to(reader.email)
    response.close()  # the server has sent the page
    assert "Hồ sơ đang tu bổ" in mail_sink.wait_for(reader.email)[-1].get_content()
    assert _mail_of(harvested_app, request_id, reader.email) == [("sent", 1)]


def test_mails_that_failed_are_sent_by_the_notices_command_and_given_up_after_the_limit(
        harvested_app, secrets, reader, vinhlong_staff, mail_sink):
    runner = harvested_app.test_cli_runner()
    request_id = request_id_of(ask_for_access(reader, list(secrets[1].items)[0]))
    mail_port = harvested_app.config["MAIL_PORT"]
    harvested_app.config["MAIL_PORT"] = 1  # nothing listens there: the SMTP server is down
    try:
        form = _deny_form(vinhlong_staff, request_id)
        assert vinhlong_staff.post(f"/staff/requests/{request_id}/deny", data=form).status_code == 302
        assert _mail_of(harvested_app, request_id, reader.email) == [("failed", 1)]

        down = runner.invoke(args=["notices", "send", "--max-attempts", "3"])
        assert down.exit_code == 1 and "failed" in down.output, down.output
        assert _mail_of(harvested_app, request_id, reader.email) == [("failed", 2)]
    finally:
        harvested_app.config["MAIL_PORT"] = mail_port

    back = runner.invoke(args=["notices", "send"])

    assert back.exit_code == 0, back.output
    assert "Hồ sơ đang tu bổ" in mail_sink.wait_for(reader.email)[-1].get_content()
    assert _mail_of(harvested_app, request_id, reader.email) == [("sent", 3)]
    assert runner.invoke(args=["notices", "send"]).exit_code == 0
    assert len(mail_sink.to(reader.email)) == 1  # sent once, never again


def test_a_mail_that_keeps_failing_is_given_up_and_stays_in_the_inbox(harvested_app, secrets, reader,
                                                                      vinhlong_staff):
    runner = harvested_app.test_cli_runner()
    request_id = request_id_of(ask_for_access(reader, list(secrets[1].items)[-1]))
    mail_port = harvested_app.config["MAIL_PORT"]
    harvested_app.config["MAIL_PORT"] = 1
    try:
        form = _deny_form(vinhlong_staff, request_id)
        assert vinhlong_staff.post(f"/staff/requests/{request_id}/deny", data=form).status_code == 302
        given_up = runner.invoke(args=["notices", "send", "--max-attempts", "2"])
        assert "given up" in given_up.output and given_up.exit_code == 1, given_up.output
        assert _mail_of(harvested_app, request_id, reader.email) == [("failed", 2)]
        runner.invoke(args=["notices", "send", "--max-attempts", "2"])
    finally:
        harvested_app.config["MAIL_PORT"] = mail_port
    assert _mail_of(harvested_app, request_id, reader.email) == [("failed", 2)]  # not tried a third time
    assert "Hồ sơ đang tu bổ" in reader.get("/inbox").text


# ---- a record with no digital copy: a reading-room visit or a copy, never "access" to nothing --------------

def _restricted_item_without_copy(app) -> str:
    from portal.opensearch import build_client
    from schema.index import alias_name

    copy = {"bool": {"should": [{"exists": {"field": "files.name"}}, {"exists": {"field": "content"}}],
                     "minimum_should_match": 1}}
    hits = build_client(app.config["OPENSEARCH_URL"]).search(
        index=alias_name(app.config["OPENSEARCH_INDEX_PREFIX"]),
        body={"size": 1, "_source": ["id"], "sort": [{"id": "desc"}],
              "query": {"bool": {"filter": [{"term": {"holding_province": "86"}}, {"term": {"access": "restricted"}},
                                            {"term": {"level": "item"}}], "must_not": [copy]}}})["hits"]["hits"]
    assert hits, "the demo should have a restricted Vĩnh Long item with no file and no text"
    return hits[0]["_source"]["id"]


def _ask(client, record_id: str, kind: str):
    page = client.get("/requests/new", query_string={"record": record_id, "kind": kind})
    assert page.status_code == 200, page.status_code
    return client.post(f"/requests/new?record={record_id}&kind={kind}", data={
        "csrf_token": csrf_token(page.text), "purpose": "personal", "use_description": "Đối chiếu bản gốc"})


def test_a_record_without_a_digital_copy_is_asked_for_as_a_visit_or_a_copy_and_accepted_with_a_note(
        harvested_app, reader, vinhlong_staff):
    from portal.access.models import AccessGrant, AccessRequest
    from tests.audit_support import audit_rows

    record_id = _restricted_item_without_copy(harvested_app)
    page = reader.get(f"/records/{record_id}").text
    assert 'data-ask="reading_room"' in page and 'data-ask="reproduction"' in page and "data-ask-access" not in page
    # Asking for the content there is none of leads to the visit form; nothing is stored on the way.
    content = reader.get("/requests/new", query_string={"record": record_id})
    assert content.status_code == 302 and "kind=reading_room" in content.headers["Location"]
    token = csrf_token(reader.get("/requests/new", query_string={"record": record_id, "kind": "reading_room"}).text)
    posted = reader.post(f"/requests/new?record={record_id}", data={
        "csrf_token": token, "purpose": "personal", "use_description": "Đọc nội dung"})
    assert posted.status_code == 302 and "kind=reading_room" in posted.headers["Location"]
    assert _requests_of(harvested_app, reader.email) == 0

    asked = _ask(reader, record_id, "reproduction")
    assert asked.status_code == 302, asked.text[:500]
    request_id = request_id_of(asked)
    assert _requests_of(harvested_app, reader.email, kind="reproduction") == 1
    created = [row for row in audit_rows(harvested_app, "request.create") if row.target_id == record_id]
    assert json.loads(created[-1].details)["kind"] == "reproduction"
    assert "Sao chụp tài liệu" in vinhlong_staff.get("/staff/requests").text

    assert decide(vinhlong_staff, request_id, "approve", scope="record").status_code == 400  # no grant to give
    page = vinhlong_staff.get(f"/staff/requests/{request_id}")
    accept = {"csrf_token": csrf_token(page.text), "version": re.search(r'name="version" value="(\d+)"',
                                                                         page.text).group(1)}
    assert vinhlong_staff.post(f"/staff/requests/{request_id}/accept", data={**accept, "note": " "}).status_code == 400
    accepted = vinhlong_staff.post(f"/staff/requests/{request_id}/accept",
                                   data={**accept, "note": "Bản sao gửi qua bưu điện trong 5 ngày, phí 20.000 đồng."})
    assert accepted.status_code == 302
    assert _count(harvested_app, AccessRequest, id=request_id, state="approved") == 1
    assert _count(harvested_app, AccessGrant, request_id=request_id) == 0
    inbox = reader.get("/inbox").text
    assert "Sao chụp tài liệu" in inbox and "phí 20.000 đồng" in inbox
