"""The Tika client layer: tika-python kept a client, on one kept-alive connection a thread, reading
Tika's answer part by part. A stand-in Tika server here counts connections; the real Tika is in
tests/integration/test_file_fetching.py."""
from __future__ import annotations

import html
import http.server
import json
import os
import socketserver
import threading

import pytest

from indexer.text_extraction import TikaExtractor


def xhtml(body: str, title: str = "") -> str:
    """A part's X-TIKA:content as Tika 3.2's /rmeta/xml writes it."""
    return (f'<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n<meta name="Content-Type" content="x" />\n'
            f'<title>{title}</title>\n</head>\n<body>{body}</body></html>')


# Answers shaped as Tika 3.2's /rmeta/xml for an encrypted PDF, and for a DOCX with the thumbnail Word saves
# (the embedded image's "text" is its own path in the package, from its title).
PACKAGES = {
    b"locked": [{"X-TIKA:EXCEPTION:container_exception":
                 "org.apache.tika.exception.EncryptedDocumentException: Unable to process: document is encrypted"}],
    b"docx": [{"X-TIKA:content": xhtml("<h1>Quyết định</h1>\n<p>Về việc thành lập Hội đồng</p>\n", "Quyết định"),
               "X-TIKA:embedded_depth": "0"},
              {"X-TIKA:content": xhtml("", "/docProps/thumbnail.jpeg"), "X-TIKA:embedded_depth": "1",
               "resourceName": "/docProps/thumbnail.jpeg", "X-TIKA:embedded_resource_path": "/thumbnail.jpeg"},
              {"X-TIKA:content": xhtml("<p>Bảng kê kèm theo</p>\n", "image1.emf"), "X-TIKA:embedded_depth": "1",
               "resourceName": ["image1.emf"], "X-TIKA:embedded_resource_path": "/image1.emf"}],
}


class _FakeTika(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self):
        self.connections = 0
        self.requests: list[tuple[str, dict]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Tika's Jetty does

            def setup(self):
                super().setup()
                server.connections += 1

            def do_GET(self):
                self._answer(b"Apache Tika 3.2.2", "text/plain")

            def do_PUT(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                server.requests.append((self.path, dict(self.headers)))
                parts = [{"X-TIKA:content": xhtml(f"<p>{html.escape(body.decode())}</p>")}] if body not in PACKAGES \
                    else PACKAGES[body]
                self._answer(json.dumps(parts).encode(), "application/json")

            def _answer(self, body: bytes, media_type: str):
                self.send_response(200)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture()
def fake_tika():
    server = _FakeTika()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def test_the_client_stays_a_client_and_writes_no_log_file():
    from tika import tika as client  # imported by indexer.text_extraction, with its environment

    TikaExtractor("http://127.0.0.1:9")
    assert client.TikaClientOnly is True
    assert os.environ["TIKA_CLIENT_ONLY"] and os.environ["TIKA_LOG_FILE"] == ""
    assert not any(type(handler).__name__ == "FileHandler" for handler in client.log.handlers)


def test_files_go_over_one_kept_alive_connection_with_the_write_limit(fake_tika):
    extractor = TikaExtractor(fake_tika.url)
    assert extractor.is_available()
    texts = [extractor.extract(f"Biên bản số {n}".encode(), f"{n}.txt").text for n in range(5)]
    assert texts == [f"Biên bản số {n}" for n in range(5)]
    assert fake_tika.connections == 1
    assert {path for path, _ in fake_tika.requests} == {"/rmeta/xml"}
    assert all(headers["X-Tika-OCRoutputType"] == "hocr" for _, headers in fake_tika.requests)
    assert all(headers["writeLimit"] == "1000000" for _, headers in fake_tika.requests)


def test_the_parsers_named_exception_is_kept(fake_tika):
    result = TikaExtractor(fake_tika.url).extract(b"locked", "locked.pdf")
    assert result.text == "" and result.error == "Tika could not read locked.pdf: the file is encrypted"


def test_an_unreachable_tika_marks_the_file_for_a_later_run():
    result = TikaExtractor("http://127.0.0.1:9").extract(b"x", "x.txt")
    assert result.unavailable and result.error.startswith("Tika is not reachable")
    assert not TikaExtractor("http://127.0.0.1:9").is_available()


def test_the_paths_tika_gives_as_the_text_of_a_packages_resources_are_dropped(fake_tika):
    text = TikaExtractor(fake_tika.url).extract(b"docx", "quyet-dinh.docx").text
    assert "thumbnail" not in text and "image1.emf" not in text
    assert text.startswith("Quyết định") and text.endswith("Bảng kê kèm theo")  # embedded text itself is kept


def test_office_documents_are_not_ocrd_and_scans_are(fake_tika):
    extractor = TikaExtractor(fake_tika.url)
    extractor.extract(b"docx", "quyet-dinh.docx",
                      media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    extractor.extract(b"scan", "scan.tif", media_type="image/tiff")
    (_, docx_headers), (_, scan_headers) = fake_tika.requests
    assert docx_headers["X-Tika-OCRskipOcr"] == "true"
    assert "X-Tika-OCRskipOcr" not in scan_headers


def test_a_tesseract_failure_leaves_the_file_without_text_to_be_read_again(fake_tika, monkeypatch):
    # Tika 3.2's answer for a PDF whose page Tesseract did not finish in time: the page's exception, caused by OCR.
    monkeypatch.setitem(PACKAGES, b"timed-out", [{
        "X-TIKA:content": xhtml("<p>trang một</p>", "scan"),
        "X-TIKA:EXCEPTION:container_exception": "java.io.IOException: Unable to end a page\n\tat org.apache.tika."
        "parser.pdf.AbstractPDF2XHTML.endPage(AbstractPDF2XHTML.java:821)\nCaused by: org.apache.tika.exception."
        "TikaException: TesseractOCRParser timeout\n\tat org.apache.tika.parser.ocr.TesseractOCRParser."
        "runOCRProcess(TesseractOCRParser.java:474)"}])
    result = TikaExtractor(fake_tika.url).extract(b"timed-out", "scan.pdf")
    assert result.text == "" and result.retry and result.read_again and not result.unavailable
    assert result.error == "OCR failed: Tesseract took longer than its time limit"
