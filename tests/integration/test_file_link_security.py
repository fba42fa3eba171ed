"""A hostile archive's file links must never make the harvester or the portal read our own services
(SSRF, issue 14): its records link to the portal's OpenSearch, to the portal itself, to a service on
loopback by the name `localhost`, to redirects that land on loopback or on OpenSearch, and to
another port of the archive's own host. None of those bodies may reach the index or a reader; the
run's report names each refused link; a link to an allowed extra host is fetched.

The same harvest with the checks switched off leaks every body (the last test): these assertions
are what would catch a regression."""
from __future__ import annotations

import hashlib
import json
import os
import uuid

import pytest
from opensearchpy import helpers
from sqlalchemy import select

import schema.file_links as file_links
from demo.fault_provider import FaultProvider, FaultRecord, Faults
from indexer.writer import RecordWriter
from portal import database
from portal.audit import actions as audit_actions
from portal.opensearch import build_client
from schema.index import alias_name
from portal.audit.models import AuditEntry
from tests.accounts import signed_in_client
from tests.conftest import ServerThread, drop_indices
from tests.integration.harvest_helpers import SOURCE, harvest, last_run, portal_for

OPENSEARCH_URL = os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9200")
ALLOWED_WORDS = "Biên bản bàn giao hồ sơ từ máy chủ tệp được phép"
OWN_WORDS = "Quyết định thành lập Chi cục Văn thư Lưu trữ tỉnh Vĩnh Long"


class InnerService:
    """A service of ours on loopback that no archive may reach: every path answers a secret."""

    def __init__(self):
        self.secret = f"inner-secret-{uuid.uuid4().hex}"
        self.hits: list[str] = []

    def __call__(self, environ, start_response):
        self.hits.append(environ["PATH_INFO"])
        body = f"Dịch vụ nội bộ: {self.secret}".encode()
        start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]


@pytest.fixture()
def hostile(tmp_path_factory):
    """The hostile archive, our inner service, a portal harvesting the one and serving over HTTP, and the
    secret each of our services would give away."""
    inner = InnerService()
    provider = FaultProvider([], Faults(page_size=20), files={
        "own.txt": ("text/plain; charset=utf-8", OWN_WORDS.encode()),
        "allowed.txt": ("text/plain; charset=utf-8", ALLOWED_WORDS.encode()),
    })
    with ServerThread(provider) as server, ServerThread(inner) as inner_server:
        port, inner_port = server.server.server_port, inner_server.server.server_port
        # An admin allowed `localhost` at the archive's own port (the same server by another name), and,
        # carelessly, `localhost` at the inner service's port: the address check must refuse the latter.
        app = portal_for(tmp_path_factory, server.url, extra_args=[
            "--file-host", f"http://localhost:{port}", "--file-host", f"http://localhost:{inner_port}"])
        client = build_client(app.config["OPENSEARCH_URL"])
        canary = f"{app.config['OPENSEARCH_INDEX_PREFIX']}canary"
        opensearch_secret = f"opensearch-secret-{uuid.uuid4().hex}"
        client.indices.create(index=canary)
        client.index(index=canary, id="1", body={"text": opensearch_secret}, refresh=True)
        with ServerThread(app) as portal_server:
            links = {
                "opensearch": f"{OPENSEARCH_URL}/{canary}/_search?size=50",
                "portal": f"{portal_server.url}/api/v1/openapi.json",
                "localhost-by-name": f"http://localhost:{inner_port}/by-name.txt",
                "redirect-to-loopback": f"{server.url}/redirect/inner",
                "redirect-to-opensearch": f"{server.url}/redirect/opensearch",
                "other-port": f"http://127.0.0.1:{inner_port}/other-port.txt",
            }
            provider.redirects.update({"inner": f"http://localhost:{inner_port}/redirected.txt",
                                       "opensearch": f"{OPENSEARCH_URL}/{canary}/_search"})
            allowed = {"allowed-extra-host": f"http://localhost:{port}/files/allowed.txt",
                       "own-origin": f"{server.url}/files/own.txt"}
            provider.records = [
                FaultRecord(f"HS{n:03d}", "2025-01-01T00:00:00Z", f"Hồ sơ có liên kết {name}", file_urls=(url,))
                for n, (name, url) in enumerate({**links, **allowed}.items(), start=1)]
            secrets = {"opensearch": opensearch_secret, "inner": inner.secret, "portal": '"openapi"'}
            yield {"app": app, "provider": provider, "inner": inner, "links": links, "allowed": allowed,
                   "secrets": secrets, "canary": canary, "client": client}
        client.indices.delete(index=canary, ignore_unavailable=True)
        drop_indices(app)


def _indexed_sources(state) -> list[dict]:
    client, app = state["client"], state["app"]
    alias = alias_name(app.config["OPENSEARCH_INDEX_PREFIX"])
    client.indices.refresh(index=alias)
    return [hit["_source"] for hit in helpers.scan(client, index=alias, query={"query": {"match_all": {}}})]


def _leaked(state) -> set[str]:
    """The secrets found anywhere in the index (asked of OpenSearch directly, every stored field)."""
    stored = repr(_indexed_sources(state))
    return {name for name, secret in state["secrets"].items() if secret in stored}


def _relayed(state) -> set[str]:
    """The secrets any file route of any record hands to an anonymous reader."""
    client = state["app"].test_client()
    found = set()
    for document in _indexed_sources(state):
        for number in range(1, len(document.get("files") or []) + 2):
            body = client.get(f"/records/{document['id']}/files/{number}").get_data(as_text=True)
            found |= {name for name, secret in state["secrets"].items() if secret in body}
    return found


def test_links_to_our_own_services_are_refused_and_named_and_allowed_hosts_fetched(hostile):
    result = harvest(hostile["app"])
    assert result.exit_code == 0, result.output
    assert _leaked(hostile) == set()
    assert _relayed(hostile) == set()
    assert hostile["inner"].hits == []  # not even asked: refused before any connection was made

    run = last_run(hostile["app"])
    assert run.links_refused == len(hostile["links"])
    refused = {entry["message"].split(": not fetched")[0] for entry in run.errors["link"]}
    assert refused == set(hostile["links"].values())
    reasons = {entry["message"] for entry in run.errors["link"]}
    assert any("loopback" in reason and "by-name" in reason for reason in reasons)
    assert any("redirected to http://localhost" in reason and "loopback" in reason for reason in reasons)
    assert any("redirected to " + OPENSEARCH_URL in reason for reason in reasons)
    assert f"file links refused {len(hostile['links'])}" in result.output

    documents = {d["title"].rsplit(" ", 1)[-1]: d for d in _indexed_sources(hostile)}
    for name, url in hostile["links"].items():  # kept as a plain reference, never as a file
        assert documents[name]["links"] == [url]
        assert documents[name]["files"] == []
    for name, words in (("allowed-extra-host", ALLOWED_WORDS), ("own-origin", OWN_WORDS)):
        document = documents[name]
        assert words in document["content"]
        assert document["files"][0]["sha256"] == hashlib.sha256(words.encode()).hexdigest()
        assert "links" not in document


def test_the_admin_report_of_the_run_counts_and_names_the_refused_links(hostile):
    assert harvest(hostile["app"]).exit_code == 0
    run = last_run(hostile["app"])
    admin = signed_in_client(hostile["app"], "national@example.vn", "national_admin")
    page = admin.get(f"/admin/harvests/{run.id}?lang=en").get_data(as_text=True)
    assert f"<dd data-links-refused>{len(hostile['links'])}</dd>" in page
    for url in hostile["links"].values():
        assert url.replace("&", "&amp;") in page


def test_the_record_page_shows_refused_links_as_text_only(hostile):
    assert harvest(hostile["app"]).exit_code == 0
    record_id = f"{SOURCE}:HS001"
    page = hostile["app"].test_client().get(f"/records/{record_id}").get_data(as_text=True)
    assert hostile["links"]["opensearch"].replace("&", "&amp;") in page
    assert f'href="{hostile["links"]["opensearch"]}' not in page


def test_with_the_checks_switched_off_the_same_harvest_leaks(hostile, monkeypatch):
    """The control: were the file-host and address checks gone, the assertions above would fail."""
    monkeypatch.setattr(file_links.FileLinkPolicy, "check_url", lambda self, url: None)
    monkeypatch.setattr(file_links.FileLinkPolicy, "check_address", lambda self, address, port: None)
    assert harvest(hostile["app"]).exit_code == 0
    assert _leaked(hostile) == {"opensearch", "inner", "portal"}
    assert hostile["inner"].hits


# --- the portal's own download route ----------------------------------------------------------------------------

@pytest.fixture()
def served_files(tmp_path_factory):
    """A portal whose source `faulty` serves files, and records written straight into its index as a
    compromised (or older) harvester might have written them."""
    provider = FaultProvider([], files={
        "report.pdf": ("application/pdf", b"%PDF-1.4 bien ban"),
        "page.html": ("text/html", b"<script>alert(document.cookie)</script>"),
    })
    with ServerThread(provider) as server:
        app = portal_for(tmp_path_factory, server.url)
        client = build_client(app.config["OPENSEARCH_URL"])
        canary = f"{app.config['OPENSEARCH_INDEX_PREFIX']}canary"
        secret = f"opensearch-secret-{uuid.uuid4().hex}"
        client.indices.create(index=canary)
        client.index(index=canary, id="1", body={"text": secret}, refresh=True)

        def entry(name: str, url: str, body: bytes, media_type: str) -> dict:
            return {"name": name, "url": url, "media_type": media_type, "size": len(body),
                    "sha256": hashlib.sha256(body).hexdigest()}
        records = {
            "good": entry("report.pdf", f"{server.url}/files/report.pdf", b"%PDF-1.4 bien ban", "application/pdf"),
            "changed": entry("report.pdf", f"{server.url}/files/report.pdf", b"%PDF-1.4 original", "application/pdf"),
            "html": entry("page.html", f"{server.url}/files/page.html",
                          b"<script>alert(document.cookie)</script>", "text/html"),
            "opensearch": entry("x.json", f"{OPENSEARCH_URL}/{canary}/_search", secret.encode(), "application/json"),
            "redirect": entry("x.json", f"{server.url}/redirect/opensearch", secret.encode(), "application/json"),
            "unverified": {"name": "big.pdf", "url": f"{server.url}/files/report.pdf", "media_type": "application/pdf"},
        }
        provider.redirects["opensearch"] = f"{OPENSEARCH_URL}/{canary}/_search"
        writer = RecordWriter(client, SOURCE, app.config["OPENSEARCH_INDEX_PREFIX"])
        assert writer.write([{"id": f"{SOURCE}:{name}", "source_id": SOURCE, "holding_province": "86",
                              "level": "file", "title": f"Hồ sơ {name}", "access": "public", "path": [],
                              "files": [file_entry], "deleted": False}
                             for name, file_entry in records.items()], []) == []
        writer.refresh()
        yield app, secret
        client.indices.delete(index=canary, ignore_unavailable=True)
        drop_indices(app)


def _download_rows(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = database.get_db().scalars(select(AuditEntry).where(
            AuditEntry.action == audit_actions.FILE_DOWNLOAD).order_by(AuditEntry.id)).all()
        return [(row.target_id, row.outcome, json.loads(row.details).get("reason", "")) for row in rows]


def test_a_download_is_the_file_recorded_at_harvest_or_an_error(served_files):
    app, secret = served_files
    client = app.test_client()
    good = client.get(f"/records/{SOURCE}:good/files/1")
    assert good.status_code == 200 and good.data == b"%PDF-1.4 bien ban"
    assert good.headers["X-Content-Type-Options"] == "nosniff"
    assert good.headers["Content-Disposition"].startswith("attachment;")

    changed = client.get(f"/records/{SOURCE}:changed/files/1")
    assert changed.status_code == 502
    assert b"%PDF-1.4 bien ban" not in changed.data
    assert "SHA-256" in changed.get_data(as_text=True)

    unverified = client.get(f"/records/{SOURCE}:unverified/files/1")
    assert unverified.status_code == 502 and b"%PDF" not in unverified.data

    rows = _download_rows(app)
    assert [(target, outcome) for target, outcome, _ in rows] == [
        (f"{SOURCE}:good", "allowed"), (f"{SOURCE}:changed", "failed"), (f"{SOURCE}:unverified", "failed")]
    assert "SHA-256" in rows[1][2] and "no checksum" in rows[2][2]


def test_html_goes_out_as_an_attachment_in_a_sandbox(served_files):
    app, _ = served_files
    page = app.test_client().get(f"/records/{SOURCE}:html/files/1")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert page.headers["Content-Disposition"].startswith("attachment;")
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in page.headers["Content-Security-Policy"]


@pytest.mark.parametrize("name", ["opensearch", "redirect"])
def test_the_portal_relays_nothing_from_our_own_services(served_files, name):
    app, secret = served_files
    answer = app.test_client().get(f"/records/{SOURCE}:{name}/files/1")
    assert answer.status_code == 502
    assert secret not in answer.get_data(as_text=True)
    target, outcome, reason = _download_rows(app)[-1]
    assert (target, outcome) == (f"{SOURCE}:{name}", "failed") and "link refused" in reason
