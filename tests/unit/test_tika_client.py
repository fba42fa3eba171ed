"""The Tika client layer: tika-python kept a client, on one kept-alive connection a thread, reading
Tika's answer part by part. A stand-in Tika server here counts connections; the real Tika is in
tests/integration/test_file_fetching.py."""
from __future__ import annotations

import http.server
import json
import os
import socketserver
import threading

import pytest

from indexer.text_extraction import TikaExtractor


# Answers shaped as Tika 3.2's /rmeta/text for an encrypted PDF, and for a DOCX with the thumbnail Word saves
# (the embedded image's "text" is its own path in the package).
PACKAGES = {
    b"locked": [{"X-TIKA:EXCEPTION:container_exception":
                 "org.apache.tika.exception.EncryptedDocumentException: Unable to process: document is encrypted"}],
    b"docx": [{"X-TIKA:content": "\n\nQuyết định\n\nQuyết định\nVề việc thành lập Hội đồng\n\n",
               "X-TIKA:embedded_depth": "0"},
              {"X-TIKA:content": "\n\n\n/docProps/thumbnail.jpeg\n\n", "X-TIKA:embedded_depth": "1",
               "resourceName": "/docProps/thumbnail.jpeg", "X-TIKA:embedded_resource_path": "/thumbnail.jpeg"},
              {"X-TIKA:content": "\nimage1.emf\nBảng kê kèm theo\n", "X-TIKA:embedded_depth": "1",
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
                parts = [{"X-TIKA:content": body.decode()}] if body not in PACKAGES else PACKAGES[body]
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
    assert {path for path, _ in fake_tika.requests} == {"/rmeta/text"}
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
