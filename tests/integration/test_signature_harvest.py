"""Signed, unsigned and tampered PDFs served over HTTP, fetched as the harvester fetches them (text
through the real Tika), then shown on the record page as each reader may see them.

The trust roots reach `fetch_file` the way `flask harvest` passes them: a PEM bundle named by
SIGNATURE_TRUST_ROOTS, loaded once, carried on the extractor.
"""
from __future__ import annotations

import hashlib
import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from indexer.errors import HarvestError
from indexer.files import fetch_file
from indexer.signatures import load_trust_roots
from indexer.text_extraction import TikaExtractor
from portal.records.service import RecordService, _file_without_access
from schema.file_links import FileLinkPolicy, guarded_session
from tests.conftest import ServerThread, make_portal
from tests.unit.test_pdf_signatures import SIGNER_NAME, make_pdf, make_signing_identity, sign_pdf, tamper

TIKA = os.environ.get("TIKA_SERVER_ENDPOINT", "http://127.0.0.1:9998")
EXPECTED_STATUS = {"unsigned.pdf": "none", "signed.pdf": "valid", "tampered.pdf": "invalid"}


@pytest.fixture(scope="module")
def identity():
    return make_signing_identity()


@pytest.fixture(scope="module")
def served_files(identity) -> dict[str, tuple[bytes, str]]:
    signed = sign_pdf(make_pdf(), identity)
    return {
        "unsigned.pdf": (make_pdf(), "application/pdf"),
        "signed.pdf": (signed, "application/pdf"),
        "tampered.pdf": (tamper(signed), "application/pdf"),
        "note.txt": ("Ghi chú của hồ sơ".encode(), "text/plain; charset=utf-8"),
    }


@pytest.fixture(scope="module")
def file_server(served_files):
    def app(environ, start_response):
        found = served_files.get(environ["PATH_INFO"].lstrip("/"))
        if found is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        content, media_type = found
        start_response("200 OK", [("Content-Type", media_type), ("Content-Length", str(len(content)))])
        return [content]

    with ServerThread(app) as server:
        yield server


@pytest.fixture(scope="module")
def trust_bundle(tmp_path_factory, identity) -> str:
    path = tmp_path_factory.mktemp("roots") / "roots.pem"
    path.write_bytes(identity.ca_pem())
    return str(path)


def _extractor() -> TikaExtractor:
    extractor = TikaExtractor(TIKA)
    assert extractor.is_available(), f"Tika is not running at {TIKA} (scripts/tika.sh start)"
    return extractor


def _fetch_all(file_server, extractor, trust_roots) -> dict[str, object]:
    with guarded_session(FileLinkPolicy(file_server.url)) as http:
        return {name: fetch_file(http, f"{file_server.url}/{name}", extractor, timeout=30,
                                 trust_roots=trust_roots)
                for name in ("unsigned.pdf", "signed.pdf", "tampered.pdf", "note.txt")}


@pytest.fixture(scope="module")
def fetched(file_server, trust_bundle):
    return _fetch_all(file_server, _extractor(), load_trust_roots(trust_bundle))


def test_each_pdf_carries_its_signature_status(fetched):
    for name, status in EXPECTED_STATUS.items():
        assert fetched[name].entry["signature"]["status"] == status, name
    assert fetched["signed.pdf"].entry["signature"]["signer"] == SIGNER_NAME
    assert fetched["signed.pdf"].entry["signature"]["signed_at"].endswith("+00:00")
    assert fetched["tampered.pdf"].entry["signature"]["signer"] == SIGNER_NAME
    assert fetched["unsigned.pdf"].entry["signature"] == {"status": "none"}


def test_files_other_than_pdf_get_no_signature(fetched):
    assert "signature" not in fetched["note.txt"].entry
    assert fetched["note.txt"].entry["text_extracted"]


def test_tika_still_extracts_the_text_and_the_checksum_is_of_the_bytes_served(fetched, served_files):
    for name in EXPECTED_STATUS:
        entry = fetched[name].entry
        assert entry["text_extracted"], entry.get("extraction_error")
        assert entry["sha256"] == hashlib.sha256(served_files[name][0]).hexdigest()
        assert entry["media_type"] == "application/pdf"
    assert "15/QD-UBND" in fetched["signed.pdf"].text
    assert "16/QD-UBND" in fetched["tampered.pdf"].text  # what was changed after signing is what is read


def test_without_trust_roots_an_intact_signature_is_unknown_and_tampering_still_shows(file_server):
    fetched = _fetch_all(file_server, _extractor(), [])
    assert fetched["signed.pdf"].entry["signature"]["status"] == "unknown"
    assert fetched["signed.pdf"].entry["signature"]["signer"] == SIGNER_NAME
    assert fetched["tampered.pdf"].entry["signature"]["status"] == "invalid"
    assert fetched["unsigned.pdf"].entry["signature"]["status"] == "none"


# --- the setting, through `flask harvest` ---

@pytest.fixture()
def captured_harvests(monkeypatch) -> list:
    """harvest_source replaced: what the CLI hands it is kept, and the run stops there."""
    calls = []

    def fake_harvest_source(db, source, client, extractor, settings, **kwargs):
        calls.append(settings)
        raise HarvestError("stopped by the test")

    monkeypatch.setattr("portal.harvest_jobs.harvest_source", fake_harvest_source)
    return calls


def _add_source(app) -> None:
    result = app.test_cli_runner().invoke(args=["sources", "add", "--id", "signed", "--province", "86",
                                                "--url", "http://127.0.0.1:9/oai"])
    assert result.exit_code == 0, result.output


def test_harvest_command_loads_the_configured_trust_roots_once(tmp_path_factory, trust_bundle, captured_harvests):
    app = make_portal(tmp_path_factory, SIGNATURE_TRUST_ROOTS=trust_bundle)
    _add_source(app)
    app.test_cli_runner().invoke(args=["harvest", "--all"])
    assert len(captured_harvests) == 1
    roots = captured_harvests[0].signature_trust_roots
    assert [root.subject.native["common_name"] for root in roots] == ["Test Root CA"]


def test_harvest_command_refuses_a_trust_bundle_it_cannot_read(tmp_path_factory, tmp_path, captured_harvests):
    app = make_portal(tmp_path_factory, SIGNATURE_TRUST_ROOTS=str(tmp_path / "missing.pem"))
    _add_source(app)
    result = app.test_cli_runner().invoke(args=["harvest", "--all"])
    assert result.exit_code != 0
    assert "SIGNATURE_TRUST_ROOTS" in result.output and "missing.pem" in result.output
    assert captured_harvests == []


# --- the record page ---

@pytest.fixture()
def portal_with_records(tmp_path_factory, fetched, monkeypatch):
    """The real views, service and access policy over two records whose files are those fetched."""
    files = [fetched[name].entry for name in ("signed.pdf", "tampered.pdf", "unsigned.pdf", "note.txt")]
    documents = {
        f"sig:{access}": {"id": f"sig:{access}", "source_id": "sig", "title": f"Hồ sơ ký số ({access})",
                          "level": "file", "holding_province": "86", "access": access, "path": [],
                          "parent_id": None, "files": files, "content": fetched["signed.pdf"].text}
        for access in ("public", "restricted")
    }

    def search(self, body):
        # Only the fetch by id answers; the page's other searches (tree, related records) find nothing.
        filters = body.get("query", {}).get("bool", {}).get("filter", [])
        wanted = [f["ids"]["values"] for f in filters if isinstance(f, dict) and "ids" in f]
        hits = [{"_id": doc_id, "_source": documents[doc_id]} for doc_id in (wanted[0] if wanted else [])
                if doc_id in documents]
        return {"hits": {"hits": hits, "total": {"value": len(hits)}}}

    monkeypatch.setattr(RecordService, "search", search)
    return make_portal(tmp_path_factory)


def test_record_page_shows_checksum_and_signature_to_one_who_may_read(portal_with_records, fetched):
    page = portal_with_records.test_client().get("/records/sig:public?lang=en").get_data(as_text=True)
    assert f"SHA-256 {fetched['signed.pdf'].entry['sha256']}" in page
    assert "Digital signature: valid" in page
    assert "Digital signature: INVALID — the file was changed after signing" in page
    assert "Not digitally signed" in page
    assert SIGNER_NAME in page
    signed_at = fetched["signed.pdf"].entry["signature"]["signed_at"]
    shown = datetime.fromisoformat(signed_at.replace("Z", "+00:00")).astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert f'<time datetime="{signed_at}">{shown.day} {shown:%b %Y %H:%M}</time>' in page  # Việt Nam's time
    assert page.count("Digital signature") == 2 and "signer not trusted" not in page  # none for note.txt


def test_record_page_hides_signature_with_the_files_from_one_who_may_not_read(portal_with_records, fetched):
    client = portal_with_records.test_client()
    page = client.get("/records/sig:restricted?lang=en").get_data(as_text=True)
    assert "signed.pdf" in page  # the file's existence is not secret
    for hidden in ("Digital signature", "Not digitally signed", SIGNER_NAME, "SHA-256 "):
        assert hidden not in page
    api_files = client.get("/api/v1/records/sig:restricted").get_json()["files"]
    assert api_files and all(set(entry) <= {"name", "media_type", "size"} for entry in api_files)


def test_file_without_access_drops_the_signature():
    entry = {"name": "a.pdf", "media_type": "application/pdf", "size": 10, "sha256": "00", "url": "http://x/a.pdf",
             "text_extracted": True, "signature": {"status": "valid", "signer": "A", "signed_at": "2025-07-01"}}
    assert _file_without_access(entry) == {"name": "a.pdf", "media_type": "application/pdf", "size": 10}
