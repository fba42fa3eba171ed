"""Text from files through the Apache Tika server, within limits set by configuration.

The project's Tika client is `tika` (tika-python), kept a client: the server's address comes from
configuration and `TIKA_CLIENT_ONLY` is set, so it never downloads or starts a jar of its own. Its
`tika.tika.callServer` sends each request; what it lacks, a thin layer here supplies:

- kept-alive connections: its `parser.from_buffer` opens a new connection for every file, which cost
  about a fifth of Tika's own time on small files (bench/harvest.py). `callServer` takes the HTTP
  verbs to use, so it is handed the methods of one `requests.Session` a thread;
- Tika's answer part by part: `from_buffer` merges the parts of `/rmeta/text` and drops the parser's
  named exception (an encrypted PDF, a file that is not what it says); the raw answer is read here;
- TLS checked: `callServer` turns certificate verification off unless told otherwise;
- no log file: on import it writes `tika.log` in the temporary folder unless `TIKA_LOG_FILE` is empty.

A file is sent as a stream, so a large one is never held in memory here; Tika writes no more text
than the configured number of characters.

Text comes from /rmeta/xml, read by indexer/tika_xhtml.py: the same characters /rmeta/text gives, and
for a scan Tesseract's words with their confidences, so a file's entry says whether its text was read
by OCR and how sure Tesseract was (indexer/ocr.py says what is asked of OCR). A file whose OCR failed or
timed out has no text this time and is read again on the next run.
"""
from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from typing import BinaryIO

import requests

# tika-python reads these once, when it is imported: a client only, and no log file of its own.
os.environ.setdefault("TIKA_CLIENT_ONLY", "True")
os.environ.setdefault("TIKA_LOG_FILE", "")
from tika import tika as tika_client  # noqa: E402  (after the environment it reads)

from indexer.ocr import OcrLimits, ocr_request  # noqa: E402
from indexer.tika_xhtml import PartText, part_text  # noqa: E402
from schema.full_text import without_package_paths  # noqa: E402

# `text_source` of a file's entry: its own text (a text layer, a document's words), OCR of its images, or both.
TEXT_EMBEDDED, TEXT_OCR, TEXT_MIXED = "embedded", "ocr", "mixed"


@dataclass
class ExtractionResult:
    text: str
    error: str | None = None  # why there is no text, when there is none
    unavailable: bool = False  # Tika itself could not be reached: try the file again on a later run
    retry: bool = False  # OCR failed or Tika took too long: try the file again on a later run
    ocr_failed: bool = False  # Tesseract failed or passed its time limit (then `retry` too)
    text_source: str | None = None  # TEXT_EMBEDDED, TEXT_OCR or TEXT_MIXED when there is text
    ocr_confidence: float | None = None  # Tesseract's mean word confidence (0-100) when OCR read words
    ocr_skipped: str | None = None  # why OCR did not read the file's scanned pages (the page limit)

    @property
    def read_again(self) -> bool:
        return self.unavailable or self.retry


@dataclass
class TikaLimits:
    max_file_bytes: int = 50 * 1024 * 1024
    timeout_seconds: float = 120
    max_chars: int = 1_000_000
    ocr: OcrLimits = field(default_factory=OcrLimits)


class TikaExtractor:
    def __init__(self, endpoint: str, limits: TikaLimits | None = None):
        self.endpoint = endpoint.rstrip("/")
        self.limits = limits or TikaLimits()
        tika_client.TikaClientOnly = True  # whatever the environment said: never fetch or start a server
        self._local = threading.local()  # a requests.Session is not to be shared between threads

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _call(self, verb: str, service: str, data, headers: dict, timeout) -> tuple[int, bytes]:
        """(status, body) of one request through tika-python, on this thread's kept-alive session."""
        session = self._session()
        verbs = {"get": session.get, "put": session.put, "post": session.post}
        return tika_client.callServer(verb, self.endpoint, service, data, headers, verbose=0, httpVerbs=verbs,
                                      rawResponse=True, requestOptions={"timeout": timeout, "verify": True})

    def extract(self, content: bytes | BinaryIO, name: str = "", size: int | None = None,
                media_type: str | None = None) -> ExtractionResult:
        """Text of the file: `content` is its bytes or an open binary file positioned at its start
        (then `size` is its length, checked against the limit before anything is sent)."""
        size = len(content) if isinstance(content, (bytes, bytearray)) else size
        if size is not None and size > self.limits.max_file_bytes:
            return ExtractionResult("", f"file larger than {self.limits.max_file_bytes} bytes")
        ocr = ocr_request(content, name, media_type, self.limits.ocr)
        # Tika stops writing text past the limit (over every embedded document together): a zip of
        # 100 KB can hold 100 MB of text, which would otherwise all come back in one JSON answer.
        headers = {"Accept": "application/json", "writeLimit": str(self.limits.max_chars), **ocr.headers}
        if size is not None:
            headers["Content-Length"] = str(size)  # a file object would otherwise go out chunked
        try:
            status, body = self._call("put", "/rmeta/xml", content, headers, (10, self.limits.timeout_seconds))
        except (requests.ConnectionError, requests.Timeout) as error:
            if isinstance(error, requests.ReadTimeout):  # a long OCR, a loaded server: worth another try
                return ExtractionResult("", f"Tika took longer than {self.limits.timeout_seconds:g} s", retry=True)
            return ExtractionResult("", f"Tika is not reachable: {type(error).__name__}", unavailable=True)
        except requests.RequestException as error:
            return ExtractionResult("", f"Tika failed: {type(error).__name__}: {error}")
        if status != 200:
            return ExtractionResult("", f"Tika could not read {name or 'the file'} (HTTP {status})")
        try:
            parts = json.loads(body)
        except ValueError:
            return ExtractionResult("", f"Tika answered {name or 'the file'} with something that is not JSON")
        parts = [part for part in parts if isinstance(part, dict)] if isinstance(parts, list) else []
        ocr_failure = next(filter(None, map(_ocr_failure, parts)), None)
        if ocr_failure:  # what else the file holds waits with it for the next run, rather than be half-read
            return ExtractionResult("", f"OCR failed: {ocr_failure}", retry=True, ocr_failed=True)
        # The container first, then each embedded document (an attachment, an image in a DOCX, …), whose
        # text may be nothing but its own path in the package: that is dropped.
        read = PartText("")
        texts = []
        for part in parts:
            one = _part_text(part)
            read.add(one)
            texts.append(one.text)
        text = "".join(texts).strip()
        failure = parts[0].get("X-TIKA:EXCEPTION:container_exception") if parts else None
        if failure and not text:  # Tika answers 200 and names the parser's exception
            return ExtractionResult("", f"Tika could not read {name or 'the file'}: {_reason(failure)}",
                                    ocr_skipped=ocr.skipped)
        if not text:
            reason = f"no text in the file (not OCR'd: {ocr.skipped})" if ocr.skipped else "no text in the file"
            return ExtractionResult("", reason, ocr_skipped=ocr.skipped)
        return ExtractionResult(text[: self.limits.max_chars], text_source=_text_source(read),
                                ocr_confidence=_mean_confidence(read), ocr_skipped=ocr.skipped)

    def is_available(self) -> bool:
        try:
            status, _ = self._call("get", "/version", None, {}, 5)
        except requests.RequestException:
            return False
        return status == 200


def _part_text(part: dict) -> PartText:
    """One part's text without the lines naming embedded resources (Tika gives a name as a string or a list)."""
    names = []
    for key in ("resourceName", "X-TIKA:embedded_resource_path"):
        value = part.get(key) or []
        names += [value] if isinstance(value, str) else [name for name in value if isinstance(name, str)]
    read = part_text(part.get("X-TIKA:content") or "")
    read.text = without_package_paths(read.text, names)
    return read


def _text_source(read: PartText) -> str:
    if not read.ocr_words:
        return TEXT_EMBEDDED
    return TEXT_MIXED if read.own_characters else TEXT_OCR


def _mean_confidence(read: PartText) -> float | None:
    return round(read.ocr_confidence_total / read.ocr_words, 1) if read.ocr_words else None


def _ocr_failure(part: dict) -> str | None:
    """Tesseract's failure (its time limit, a crash) when Tika names it as the exception of a part."""
    for key in ("X-TIKA:EXCEPTION:container_exception", "X-TIKA:EXCEPTION:embedded_exception"):
        trace = part.get(key)
        if isinstance(trace, str) and "TesseractOCRParser" in trace:
            # The line of the stack trace (or of a "Caused by") that names it, not one of its frames.
            line = next((line for line in trace.splitlines()
                         if "TesseractOCRParser" in line and not line.lstrip().startswith("at ")),
                        "TesseractOCRParser failed")
            message = line.rpartition(": ")[2].strip() or line.strip()
            return "Tesseract took longer than its time limit" if "timeout" in message.lower() else message[:300]
    return None


def _reason(exception: str) -> str:
    """The first line of a Java stack trace, without the package names: what a reader can act on."""
    first = exception.strip().splitlines()[0] if exception.strip() else "unknown error"
    kind, _, message = first.partition(": ")
    kind = kind.rsplit(".", 1)[-1]
    if kind == "EncryptedDocumentException":
        return "the file is encrypted"
    return f"{kind}: {message}"[:300] if message else kind
