"""The auditor pages `/audit`: who may see them and which rows, the filters, a row's details,
and the CSV and JSON exports (each itself an audit row); on every database."""
from __future__ import annotations

import csv
import io
import json

import pytest

from portal.audit import actions
from portal.audit.log import record_event
from tests.audit_support import audit_rows, portal_on, signed_in_client


def _seed(app) -> None:
    """Rows about Vĩnh Long (86), Huế (46) and Cần Thơ (92), by different actors and outcomes."""
    def row(action, province, outcome="allowed", actor=None, target=None, details=None):
        record_event(action, target_id=target, target_province=province, outcome=outcome, actor=actor,
                     details=details or {})

    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "192.0.2.10"}):
        row(actions.RECORD_VIEW, "86", target="vinhlong:VL.UBND/ML01/HS002", details={"note": "Vĩnh Long"})
        row(actions.RECORD_VIEW, "46", target="hue:TTH.UBND/ML02/HS010", outcome="denied", actor="reader-7")
        row(actions.SEARCH, None, details={"params": {"q": "quyết định"}, "hits": 12})
        row(actions.FULLTEXT_VIEW, "92", target="cantho:CT.UBND/ML03/HS001", actor="reader-7")
        row(actions.SOURCE_CHANGE, "86", target="vinhlong", actor="admin-86")


@pytest.fixture()
def portal(tmp_path_factory, database_url):
    app = portal_on(tmp_path_factory, database_url)
    _seed(app)
    return app


def _listed_ids(html: str) -> set[int]:
    import re

    return {int(number) for number in re.findall(r'href="/audit/(\d+)"', html)}


def test_anonymous_is_sent_to_sign_in(portal):
    response = portal.test_client().get("/audit")
    assert response.status_code in (302, 401)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
    assert portal.test_client().get("/audit/export?format=csv").status_code in (302, 401)


@pytest.mark.parametrize("roles,province", [("reader", None), ("staff", "86"), ("archive_admin", None)])
def test_roles_without_audit_permission_are_refused(portal, roles, province):
    client, _user = signed_in_client(portal, roles, province)
    for path in ("/audit", "/audit/1", "/audit/export?format=json"):
        assert client.get(path).status_code == 403, path
    assert 'href="/audit"' not in client.get("/account").get_data(as_text=True)


@pytest.mark.parametrize("roles", ["auditor", "national_admin"])
def test_auditors_and_national_admins_see_every_row(portal, roles):
    client, _user = signed_in_client(portal, roles)
    response = client.get("/audit")
    assert response.status_code == 200
    assert 'href="/audit"' in response.get_data(as_text=True)  # the header links to the log
    assert {1, 2, 3, 4, 5} <= _listed_ids(response.get_data(as_text=True))


def test_archive_admin_sees_only_their_provinces_rows(portal):
    client, user = signed_in_client(portal, "archive_admin", "86")
    listed = _listed_ids(client.get("/audit").get_data(as_text=True))
    # rows 1 and 5 are about Vĩnh Long; the admin's own sign-in (row 6) carries their province
    assert listed == {1, 5, 6}
    assert client.get("/audit/1").status_code == 200
    assert client.get("/audit/2").status_code == 404  # Huế's row
    exported = json.loads(client.get("/audit/export?format=json").get_data(as_text=True))
    assert {row["id"] for row in exported} == {1, 5, 6}


@pytest.mark.parametrize("query,expected", [
    ("action=record.view", {1, 2}),
    ("actor=reader-7", {2, 4}),
    ("province=86", {1, 5}),
    ("target=hue:TTH.UBND/ML02/HS010", {2}),
    ("outcome=denied", {2}),
    ("action=record.view&outcome=allowed", {1}),
    ("start=2000-01-01&end=2999-12-31&actor=admin-86", {5}),
    ("end=2000-01-01", set()),
])
def test_filters(portal, query, expected):
    client, _user = signed_in_client(portal, "auditor")
    response = client.get(f"/audit?{query}")
    assert response.status_code == 200
    assert _listed_ids(response.get_data(as_text=True)) - {6} == expected


def test_bad_filter_is_a_400_with_a_message(portal):
    client, _user = signed_in_client(portal, "auditor")
    assert client.get("/audit?start=yesterday").status_code == 400
    assert client.get("/audit?outcome=maybe").status_code == 400
    assert client.get("/audit/export?format=xml").status_code == 400


def test_row_details_page_shows_every_field(portal):
    client, _user = signed_in_client(portal, "auditor")
    row = audit_rows(portal)[2]  # chained first, as the sequencer would have
    html = client.get("/audit/3").get_data(as_text=True)
    # Written in an anonymous request: the address is shown as its keyed hash, never in clear.
    assert "search.query" in html and "quyết định" in html and row.ip.startswith("hmac:") and row.ip in html
    assert "192.0.2.10" not in html
    assert row.hash in html and row.prev_hash in html
    assert client.get("/audit/999").status_code == 404


def test_csv_export_of_filtered_rows_is_itself_a_row(portal):
    client, user = signed_in_client(portal, "auditor")
    response = client.get("/audit/export?format=csv&actor=reader-7")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [int(row["id"]) for row in rows] == [4, 2]
    assert json.loads(rows[1]["details"]) == {} and rows[1]["outcome"] == "denied"
    export_row, = audit_rows(portal, actions.AUDIT_EXPORT)
    details = json.loads(export_row.details)
    assert details == {"format": "csv", "filters": {"actor": "reader-7"}, "rows": 2,
                       "request_id": response.headers["X-Request-ID"]}
    assert export_row.actor == str(user.id)


def test_json_export_carries_hashes_and_details(portal):
    client, _user = signed_in_client(portal, "national_admin")
    audit_rows(portal)  # chained first, as the sequencer would have
    response = client.get("/audit/export?format=json&action=record.fulltext_view")
    assert response.status_code == 200
    rows = json.loads(response.get_data(as_text=True))
    assert len(rows) == 1 and rows[0]["target_id"] == "cantho:CT.UBND/ML03/HS001"
    assert len(rows[0]["hash"]) == 64 and rows[0]["occurred_at"].endswith("Z") and rows[0]["seq"] == rows[0]["id"]
    assert len(audit_rows(portal, actions.AUDIT_EXPORT)) == 1
    assert portal.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_the_log_speaks_in_words_not_codes(portal):
    """Actions, actors and provinces as an auditor reads them (issue 18); the codes stay on the detail page."""
    client, user = signed_in_client(portal, "auditor")
    html = client.get("/audit").get_data(as_text=True)
    row = lambda number: html.split(f'href="/audit/{number}"')[1].split("</tr>")[0]  # noqa: E731
    assert 'data-action="record.view">Hồ sơ đã xem</td>' in row(1) and "Vĩnh Long" in row(1)
    assert "Khách (chưa đăng nhập)" in row(3) and ">Tìm kiếm</td>" in row(3)
    assert "Thừa Thiên Huế" in row(2) or "Huế" in row(2)
    assert f"(người dùng {user.id})" in row(6) and ">Đăng nhập</td>" in row(6)
    assert ">auth.sign_in<" not in row(6) and ">86<" not in row(1)
    detail = client.get("/audit/1").get_data(as_text=True)
    assert "Hồ sơ đã xem" in detail and "record.view" in detail
    english = client.get("/audit?lang=en").get_data(as_text=True)
    assert "Record viewed" in english and "Visitor (not signed in)" in english
