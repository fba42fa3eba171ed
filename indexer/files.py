"""Fetching a record's files: bytes within a size limit, their checksum, their text, and for a
PDF the status of its digital signatures. Only through a session of schema.file_links, which
refuses a link outside the source's file hosts or to an address of our own (SSRF)."""
from __future__ import annotations

import hashlib
import mimetypes
import os
import posixpath
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import unquote, urlparse

import requests

from indexer.file_texts import FileTexts
from indexer.signatures import check_pdf_signature, is_pdf
from indexer.text_extraction import TikaExtractor
from schema.file_links import CHUNK, SPOOL_BYTES, FileTooLarge, LinkRefused, download


@dataclass
class FetchedFile:
    entry: dict  # the `files[]` entry of the record schema
    text: str
    extraction_pending: bool = False  # Tika was unreachable, OCR failed or timed out: extract again on the next run
    refused: str | None = None  # why the link was not fetched (outside the file hosts, an address of ours)
    ocr_problem: str | None = None  # for the run's report: OCR failed, timed out, or was not asked for (page limit)
    reused: bool = False  # the text was extracted before from the same bytes (indexer/file_texts.py): Tika not asked

    def report_notes(self, name: str) -> list[tuple[str, str]]:
        """(kind, message) of the run's report on this file: what went wrong with OCR, or a file left without text
        (each once), and whether the next run reads it again."""
        again = "; it is read again on the next run" if self.extraction_pending else ""
        if self.ocr_problem:
            return [("ocr", f"{name}: {self.ocr_problem}{again}")]
        if not self.text:
            return [("file", f"{name}: {self.entry.get('extraction_error')}{again}")]
        return []


def file_name(url: str) -> str:
    return unquote(posixpath.basename(urlparse(url).path)) or "file"


def fetch_file(
    http: requests.Session, url: str, extractor: TikaExtractor, timeout: float,
    trust_roots: list | None = None, texts: FileTexts | None = None,
) -> FetchedFile:
    """Never raises for one file: what went wrong is kept on the entry, the record goes on.

    A PDF's signatures are checked against `trust_roots` (from SIGNATURE_TRUST_ROOTS; none:
    no signer is trusted, and intact signatures are `unknown`). Text already extracted from the
    same bytes is taken from `texts` rather than from Tika.
    """
    entry = {"name": file_name(url), "url": url, "text_extracted": False}
    try:
        downloaded = download(http, url, extractor.limits.max_file_bytes, timeout)
    except LinkRefused as refused:
        return FetchedFile(entry, "", refused=str(refused))
    except (requests.RequestException, FileTooLarge, OSError) as error:
        entry["extraction_error"] = f"could not download: {error}"
        return FetchedFile(entry, "")
    try:
        entry.update(media_type=downloaded.media_type, size=downloaded.size, sha256=downloaded.sha256)
        return _examine(entry, downloaded.file, extractor, trust_roots, texts)
    finally:
        downloaded.close()


def read_local_file(
    path: str, extractor: TikaExtractor, *, name: str | None = None, media_type: str | None = None,
    expected_sha256: str | None = None, trust_roots: list | None = None, texts: FileTexts | None = None,
) -> FetchedFile:
    """A file inside a package on this machine, read as fetch_file reads a downloaded one.

    Never raises for one file: a file that cannot be read, or whose SHA-256 differs from the one the
    package states, keeps the reason on its entry.
    """
    name = name or os.path.basename(path)
    entry = {"name": name, "text_extracted": False,
             "media_type": media_type or mimetypes.guess_type(name)[0] or "application/octet-stream"}
    try:
        with open(path, "rb") as local:
            digest, size = hashlib.sha256(), 0
            while chunk := local.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
            entry.update(size=size, sha256=digest.hexdigest())
            if expected_sha256 and expected_sha256.lower() != entry["sha256"]:
                entry["extraction_error"] = "checksum differs from the one the package states"
                return FetchedFile(entry, "")
            if size > extractor.limits.max_file_bytes:
                entry["extraction_error"] = f"file larger than {extractor.limits.max_file_bytes} bytes"
                return FetchedFile(entry, "")
            local.seek(0)
            return _examine(entry, local, extractor, trust_roots, texts)
    except OSError as error:
        entry["extraction_error"] = f"could not read: {error.strerror or error}"
        return FetchedFile(entry, "")


def _examine(entry: dict, file: BinaryIO, extractor: TikaExtractor, trust_roots: list | None,
             texts: FileTexts | None) -> FetchedFile:
    """Signature status (PDF) and text of a file open at its start whose entry has name, media type, size
    and SHA-256."""
    if is_pdf(entry["media_type"], entry["name"]):
        entry["signature"] = check_pdf_signature(file, trust_roots)
        file.seek(0)
    result = texts.find(entry["sha256"]) if texts else None
    reused = result is not None
    if result is None:
        # A small file goes as bytes: handing requests a spooled file would make it write the file to disk.
        body = file.read() if entry["size"] <= SPOOL_BYTES else file
        result = extractor.extract(body, entry["name"], size=entry["size"], media_type=entry["media_type"])
        if texts:
            texts.keep(entry["sha256"], result)
    entry["text_extracted"] = result.error is None
    if result.error:
        entry["extraction_error"] = result.error
    if result.text_source:
        entry["text_source"] = result.text_source
    if result.ocr_confidence is not None:
        entry["ocr_confidence"] = result.ocr_confidence
    ocr_problem = result.error if result.ocr_failed else (f"not OCR'd: {result.ocr_skipped}" if result.ocr_skipped
                                                          else None)
    return FetchedFile(entry, result.text, extraction_pending=result.read_again, ocr_problem=ocr_problem,
                       reused=reused)
