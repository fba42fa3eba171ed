"""Logs (portal/logging_setup.py): JSON lines on stderr with the request's id, route, status, duration
and user; the id in the X-Request-ID header and in the audit rows; `flask harvest` logging its runs with
source and run; and nothing secret in any of it."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from portal import database, logging_setup
from portal.audit import actions as audit_actions
from portal.audit.models import AuditEntry
from tests.accounts import csrf_token, sign_in
from tests.conftest import add_demo_sources, drop_indices, make_portal

PROJECT_DIR = Path(__file__).resolve().parents[2]
PASSWORD = "ruộng lúa bờ tre xanh mát"
ID_NUMBER = "079301009876"
RECORD = "oai:vinhlong.luutru.gov.vn:VL.UBND/ML01/HS002"  # a file of the demo's Vĩnh Long archive


@pytest.fixture()
def json_portal(tmp_path_factory, mail_sink):
    """A portal logging JSON lines; the tests' text format is put back afterwards."""
    yield make_portal(tmp_path_factory, LOG_FORMAT="json", **mail_sink.settings)
    logging_setup.configure_logging("text")


def json_lines(stderr: str) -> list[dict]:
    lines = [line for line in stderr.splitlines() if line.startswith("{")]
    return [json.loads(line) for line in lines]


def request_lines(stderr: str) -> list[dict]:
    return [line for line in json_lines(stderr) if line["logger"] == "portal.request"]


def test_a_request_is_one_json_line_with_its_id_route_status_duration_and_user(json_portal, capsys):
    capsys.readouterr()
    response = json_portal.test_client().get("/search?q=hue&lang=vi", headers={"X-Request-ID": "proxy-7f3a.01"})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "proxy-7f3a.01"
    (line,) = [line for line in request_lines(capsys.readouterr().err) if line["request_id"] == "proxy-7f3a.01"]
    assert set(line) >= {"time", "level", "logger", "message", "request_id", "route", "method", "path", "status",
                         "duration_ms", "user"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
    assert (line["level"], line["route"], line["method"], line["path"], line["status"], line["user"]) == (
        "INFO", "search.search_page", "GET", "/search", 200, "anonymous")
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert "q=hue" not in json.dumps(line)  # no query string


@pytest.mark.parametrize("offered", ["two words", "x" * 200, "a\"quote", "<script>", ""])
def test_an_unfit_request_id_is_replaced_by_one_of_ours(json_portal, offered):
    response = json_portal.test_client().get("/healthz", headers={"X-Request-ID": offered})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_each_request_without_an_id_gets_a_new_one(json_portal):
    client = json_portal.test_client()
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_lines_logged_while_a_request_is_served_carry_its_id(json_portal, capsys):
    capsys.readouterr()
    client = json_portal.test_client()
    page = client.get("/login")
    response = client.post("/login", headers={"X-Request-ID": "sign-in-1"}, data={
        "csrf_token": csrf_token(page.text), "email": "nobody@example.vn", "password": "wrong password here"})
    assert response.status_code in (200, 401)
    lines = [line for line in json_lines(capsys.readouterr().err) if line.get("request_id") == "sign-in-1"]
    assert {line["logger"] for line in lines} >= {"portal.auth.views", "portal.request"}


def test_the_request_id_is_in_the_audit_rows_the_request_writes(json_portal):
    client = json_portal.test_client()
    request_id = uuid.uuid4().hex
    response = client.get("/api/v1/search?q=hue", headers={"X-Request-ID": request_id})
    assert response.status_code == 200
    with json_portal.app_context():
        row = database.get_db().scalars(select(AuditEntry).where(
            AuditEntry.action == audit_actions.SEARCH).order_by(AuditEntry.id.desc())).first()
        details = json.loads(row.details)
    assert details["request_id"] == request_id
    verify = json_portal.test_cli_runner().invoke(args=["audit", "verify"])
    assert verify.exit_code == 0, verify.output


def test_a_token_in_the_path_is_masked(json_portal, capsys):
    capsys.readouterr()
    json_portal.test_client().get("/verify/IjEyMyI.made-up-token-value?again=1")
    (line,) = request_lines(capsys.readouterr().err)
    assert line["path"] == "/verify/[redacted]" and line["route"] == "auth.verify_email"


def test_registering_and_signing_in_never_log_a_password_id_number_token_or_cookie(json_portal, mail_sink, capsys):
    capsys.readouterr()
    client = json_portal.test_client()
    page = client.get("/register")
    form_token = csrf_token(page.text)
    address = f"log.{uuid.uuid4().hex[:8]}@example.vn"
    registered = client.post("/register", data={
        "csrf_token": form_token, "full_name": "Lê Văn Nhật", "id_number": ID_NUMBER, "email": address,
        "phone": "0912 345 679", "workplace": "Đại học Cần Thơ", "password": PASSWORD, "confirm": PASSWORD,
        "consent": "y"})
    assert registered.status_code == 200
    link = re.search(r"https?://\S+", mail_sink.wait_for(address)[-1].get_content()).group(0)
    verify_path = link.split("localhost", 1)[1]
    assert client.get(verify_path).status_code == 200
    assert sign_in(client, address, PASSWORD).status_code == 302
    cookie = client.get_cookie("session").value
    account = client.get("/account", headers={"Authorization": "Bearer bearer-secret-4711",
                                              "X-CSRFToken": form_token})
    assert account.status_code == 200
    user_id = str(_user_id_of(json_portal, address))
    output = capsys.readouterr().err
    lines = request_lines(output)
    assert {(line["route"], line["method"]) for line in lines} >= {
        ("auth.register", "POST"), ("auth.verify_email", "GET"), ("auth.login", "POST"), ("auth.account", "GET")}
    assert [line["user"] for line in lines if line["route"] == "auth.account"] == [user_id]
    verify_token = verify_path.rsplit("/", 1)[1]
    for secret in (PASSWORD, ID_NUMBER, cookie, form_token, verify_token, "bearer-secret-4711"):
        assert secret not in output


def _user_id_of(app, address: str) -> int:
    from portal.auth.models import User

    with app.app_context():
        return database.get_db().scalars(select(User.id).where(User.email == address)).one()


# --- the command line ----------------------------------------------------------------------------------------------

@pytest.fixture()
def cli_portal(tmp_path_factory, demo_provider):
    """A portal with the demo's Vĩnh Long source, for `flask` run as its own process."""
    app = make_portal(tmp_path_factory)
    add_demo_sources(app, demo_provider.url, only={"vinhlong": "86"})
    yield app
    drop_indices(app)
    logging_setup.configure_logging("text")


def flask_command(app, *args, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "FLASK_APP": "app", "DATABASE_URL": app.config["DATABASE_URL"],
                   "OPENSEARCH_URL": app.config["OPENSEARCH_URL"],
                   "OPENSEARCH_INDEX_PREFIX": app.config["OPENSEARCH_INDEX_PREFIX"],
                   "TIKA_SERVER_ENDPOINT": app.config["TIKA_SERVER_ENDPOINT"], **env}
    environment.pop("FLASK_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "flask", *args], cwd=PROJECT_DIR, env=environment,
                          capture_output=True, text=True, timeout=300)


def test_flask_harvest_logs_its_run_as_json_lines_with_source_and_run(cli_portal):
    result = flask_command(cli_portal, "harvest", "--source", "vinhlong", "--record", RECORD)
    assert result.returncode == 0, result.stderr
    lines = [line for line in json_lines(result.stderr) if line["logger"].startswith("indexer.")]
    assert [line["message"] for line in lines] == [
        f"harvest of vinhlong: run 1 refreshes {RECORD}",
        "run 1 of vinhlong done: 1 added, 0 updated, 0 deleted, 0 failed, 0 unchanged"]
    assert all(line["source"] == "vinhlong" and line["run"] == 1 and line["level"] == "INFO" for line in lines)
    assert "added" in result.stdout  # the report, for the person at the terminal, stays on stdout


def test_flask_harvest_logs_text_when_asked(cli_portal):
    result = flask_command(cli_portal, "harvest", "--source", "vinhlong", "--record", RECORD,
                           LOG_FORMAT="text")
    assert result.returncode == 0, result.stderr
    assert re.search(r"INFO indexer\.runs: run 1 of vinhlong done: .* source=vinhlong run=1",
                     result.stderr), result.stderr
    assert not json_lines(result.stderr)


def test_an_unknown_log_format_is_refused_at_start(cli_portal):
    result = flask_command(cli_portal, "sources", "list", LOG_FORMAT="xml")
    assert result.returncode != 0 and "LOG_FORMAT must be one of json, text" in result.stderr


def test_the_served_portal_logs_its_own_line_instead_of_the_servers_with_the_query_string(json_portal, capsys):
    import requests

    from tests.conftest import ServerThread

    capsys.readouterr()
    with ServerThread(json_portal) as server:
        answer = requests.get(f"{server.url}/search", params={"q": "hue", "code": "one-time-code-93"}, timeout=30)
    assert answer.status_code == 200
    output = capsys.readouterr().err
    assert "one-time-code-93" not in output
    (line,) = [line for line in request_lines(output) if line["request_id"] == answer.headers["X-Request-ID"]]
    assert line["path"] == "/search" and line["status"] == 200
