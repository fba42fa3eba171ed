"""Files as the harvester reads them, against the real Tika: streamed to disk past a small size and
to Tika from there, refused past the size limit without being read, and every way Tika can fail
to give text kept on the file's entry."""
from __future__ import annotations

import hashlib
import io
import os
import zipfile

import pytest
from fpdf import FPDF

import indexer.files as files
import schema.file_links as file_links
from indexer.files import fetch_file
from indexer.text_extraction import TikaExtractor, TikaLimits
from schema.file_links import FileLinkPolicy, guarded_session
from tests.conftest import ServerThread
from tests.unit.test_pdf_signatures import PAGE_TEXT, make_pdf, make_signing_identity, sign_pdf

TIKA = os.environ.get("TIKA_SERVER_ENDPOINT", "http://127.0.0.1:9998")
WORDS = "Biên bản bàn giao tài liệu lưu trữ của Sở Nội vụ tỉnh Vĩnh Long"


def encrypted_pdf() -> bytes:
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner-secret", user_password="reader-secret")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 8, "Tai lieu mat")
    return bytes(pdf.output())


def zip_of_much_text(megabytes: int = 100) -> bytes:
    """~100 KB that hold 100 MB of text."""
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("a.txt", "w") as inside:
            for _ in range(megabytes):
                inside.write(b"a" * (1 << 20))
    return packed.getvalue()


@pytest.fixture(scope="module")
def served():
    signed = sign_pdf(make_pdf(), make_signing_identity())
    return {
        "signed.pdf": (signed, "application/pdf", True),
        "note.txt": (WORDS.encode(), "text/plain; charset=utf-8", True),
        "chunked.txt": (WORDS.encode() * 200, "text/plain; charset=utf-8", False),  # no Content-Length
        "broken.pdf": (b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nthis is not a PDF body", "application/pdf",
                       True),
        "locked.pdf": (encrypted_pdf(), "application/pdf", True),
        "noise.bin": (bytes(range(256)) * 64, "application/octet-stream", True),
        "bomb.zip": (zip_of_much_text(), "application/zip", True),
    }


@pytest.fixture(scope="module")
def server(served):
    def app(environ, start_response):
        found = served.get(environ["PATH_INFO"].lstrip("/"))
        if found is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        content, media_type, with_length = found
        headers = [("Content-Type", media_type)]
        if with_length:
            headers.append(("Content-Length", str(len(content))))
        start_response("200 OK", headers)
        return [content[i:i + 1000] for i in range(0, len(content), 1000)]

    with ServerThread(app) as running:
        yield running


def extractor(**limits) -> TikaExtractor:
    found = TikaExtractor(TIKA, TikaLimits(**limits))
    assert found.is_available(), f"Tika is not running at {TIKA} (scripts/tika.sh start)"
    return found


def fetch(server, name: str, tika: TikaExtractor | None = None) -> files.FetchedFile:
    with guarded_session(FileLinkPolicy(server.url)) as http:
        return fetch_file(http, f"{server.url}/{name}", tika or extractor(), timeout=30)


def test_a_file_larger_than_the_spool_goes_to_disk_and_keeps_its_checksum_signature_and_text(
        server, served, monkeypatch):
    # The signed PDF is ~30 KB: spooled to disk as it arrives, streamed to Tika from there.
    monkeypatch.setattr(file_links, "SPOOL_BYTES", 1024)
    monkeypatch.setattr(files, "SPOOL_BYTES", 1024)
    spooled_to_disk = []
    real_spool = file_links.tempfile.SpooledTemporaryFile

    def watching_spool(*args, **kwargs):
        spool = real_spool(*args, **kwargs)
        spooled_to_disk.append(spool)
        return spool

    monkeypatch.setattr(file_links.tempfile, "SpooledTemporaryFile", watching_spool)

    fetched = fetch(server, "signed.pdf")

    content = served["signed.pdf"][0]
    assert fetched.entry["sha256"] == hashlib.sha256(content).hexdigest()
    assert fetched.entry["size"] == len(content)
    assert fetched.entry["signature"]["status"] == "unknown"  # intact, signer not among trust roots (none given)
    assert fetched.entry["text_extracted"] and PAGE_TEXT.split()[0] in fetched.text
    assert spooled_to_disk and spooled_to_disk[0]._rolled  # it really was written to disk, not held in memory
    assert spooled_to_disk[0].closed


def test_a_small_file_is_read_the_same_way(server, served):
    fetched = fetch(server, "note.txt")

    assert fetched.entry["sha256"] == hashlib.sha256(served["note.txt"][0]).hexdigest()
    assert fetched.entry["media_type"] == "text/plain"
    assert fetched.text == WORDS and fetched.entry["text_extracted"] is True


def test_a_file_over_the_limit_is_refused_by_its_declared_length_before_it_is_read(server):
    fetched = fetch(server, "signed.pdf", extractor(max_file_bytes=1000))

    assert fetched.entry["text_extracted"] is False
    assert "larger than 1000 bytes" in fetched.entry["extraction_error"]
    assert "sha256" not in fetched.entry and fetched.text == ""


def test_a_file_over_the_limit_without_a_declared_length_is_refused_while_it_streams(server):
    fetched = fetch(server, "chunked.txt", extractor(max_file_bytes=5000))

    assert "larger than 5000 bytes" in fetched.entry["extraction_error"]
    assert fetched.text == ""


@pytest.mark.parametrize("name, reason", [
    ("broken.pdf", "Tika could not read broken.pdf: IOException: Missing root object"),
    ("locked.pdf", "Tika could not read locked.pdf: the file is encrypted"),
    ("noise.bin", "no text in the file"),
])
def test_a_file_tika_cannot_read_keeps_the_reason_and_is_not_retried(server, name, reason):
    fetched = fetch(server, name)

    assert fetched.entry["text_extracted"] is False
    assert reason in fetched.entry["extraction_error"]
    assert fetched.entry["sha256"]  # the checksum is kept all the same
    assert fetched.extraction_pending is False  # Tika answered: trying again next run would not help


def test_when_tika_is_down_the_file_is_marked_for_a_later_run(server):
    down = TikaExtractor("http://127.0.0.1:9", TikaLimits())

    fetched = fetch(server, "note.txt", down)

    assert fetched.extraction_pending is True
    assert "Tika is not reachable" in fetched.entry["extraction_error"]
    assert fetched.entry["sha256"]


def test_text_is_cut_to_the_configured_number_of_characters(server):
    fetched = fetch(server, "chunked.txt", extractor(max_chars=100))

    assert 80 <= len(fetched.text) <= 100 and fetched.text.startswith("Biên bản")


def test_a_file_over_the_limit_is_never_sent_to_tika():
    # No server listens on port 9: an error about the size, not about Tika, shows nothing was sent.
    result = TikaExtractor("http://127.0.0.1:9", TikaLimits(max_file_bytes=10)).extract(b"x" * 11, "big.txt")

    assert result.error == "file larger than 10 bytes" and not result.unavailable


def test_tika_writes_no_more_text_than_kept_even_from_a_zip_of_100_mb_of_text(server, served):
    tika = extractor(max_chars=5000)
    answers = []
    session = tika._session()
    session.hooks["response"].append(lambda response, *args, **kwargs: answers.append(len(response.content)))

    fetched = fetch(server, "bomb.zip", tika)

    assert len(served["bomb.zip"][0]) < 200_000
    assert fetched.entry["text_extracted"] and 0 < len(fetched.text) <= 5000
    assert answers and max(answers) < 50_000  # Tika stopped at the limit; 100 MB never crossed the wire
