"""Fetching a record's files: bytes within a size limit, their checksum, their text, and for a
PDF the status of its digital signatures."""
from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

import requests

from indexer.signatures import check_pdf_signature, is_pdf
from indexer.text_extraction import TikaExtractor


@dataclass
class FetchedFile:
    entry: dict  # the `files[]` entry of the record schema
    text: str
    extraction_pending: bool = False  # Tika was unreachable: extract again on the next run


class FileTooLarge(Exception):
    pass


def file_name(url: str) -> str:
    return unquote(posixpath.basename(urlparse(url).path)) or "file"


def download(http: requests.Session, url: str, max_bytes: int, timeout: float) -> tuple[bytes, str]:
    """The file's bytes and media type; stops reading past max_bytes instead of filling memory."""
    with http.get(url, stream=True, timeout=timeout) as response:
        response.raise_for_status()
        media_type = response.headers.get("Content-Type", "application/octet-stream").split(";")[0]
        chunks, size = [], 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise FileTooLarge(f"larger than {max_bytes} bytes")
            chunks.append(chunk)
    return b"".join(chunks), media_type


def fetch_file(
    http: requests.Session, url: str, extractor: TikaExtractor, timeout: float,
    trust_roots: list | None = None,
) -> FetchedFile:
    """Never raises for one file: what went wrong is kept on the entry, the record goes on.

    A PDF's signatures are checked against `trust_roots` (from SIGNATURE_TRUST_ROOTS; none:
    no signer is trusted, and intact signatures are `unknown`).
    """
    entry = {"name": file_name(url), "url": url, "text_extracted": False}
    try:
        content, media_type = download(http, url, extractor.limits.max_file_bytes, timeout)
    except (requests.RequestException, FileTooLarge) as error:
        entry["extraction_error"] = f"could not download: {error}"
        return FetchedFile(entry, "")
    entry.update(
        media_type=media_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    if is_pdf(media_type, entry["name"]):
        entry["signature"] = check_pdf_signature(content, trust_roots)
    result = extractor.extract(content, entry["name"])
    entry["text_extracted"] = result.error is None
    if result.error:
        entry["extraction_error"] = result.error
    return FetchedFile(entry, result.text, extraction_pending=result.unavailable)


def read_local_file(
    path: str, extractor: TikaExtractor, *, name: str | None = None, media_type: str | None = None,
    expected_sha256: str | None = None, trust_roots: list | None = None,
) -> FetchedFile:
    """A file inside a package on this machine, read as fetch_file reads a downloaded one.

    Never raises for one file: a file that cannot be read, or whose SHA-256 differs from the one the
    package states, keeps the reason on its entry.
    """
    import mimetypes
    import os

    name = name or os.path.basename(path)
    entry = {"name": name, "text_extracted": False,
             "media_type": media_type or mimetypes.guess_type(name)[0] or "application/octet-stream"}
    digest, size, content = hashlib.sha256(), 0, []
    try:
        with open(path, "rb") as local:
            while chunk := local.read(1024 * 1024):
                digest.update(chunk)
                size += len(chunk)
                if size <= extractor.limits.max_file_bytes:
                    content.append(chunk)
    except OSError as error:
        entry["extraction_error"] = f"could not read: {error.strerror}"
        return FetchedFile(entry, "")
    entry.update(size=size, sha256=digest.hexdigest())
    if expected_sha256 and expected_sha256.lower() != entry["sha256"]:
        entry["extraction_error"] = "checksum differs from the one the package states"
        return FetchedFile(entry, "")
    if size > extractor.limits.max_file_bytes:
        entry["extraction_error"] = f"file larger than {extractor.limits.max_file_bytes} bytes"
        return FetchedFile(entry, "")
    data = b"".join(content)
    if is_pdf(entry["media_type"], name):
        entry["signature"] = check_pdf_signature(data, trust_roots)
    result = extractor.extract(data, name)
    entry["text_extracted"] = result.error is None
    if result.error:
        entry["extraction_error"] = result.error
    return FetchedFile(entry, result.text, extraction_pending=result.unavailable)
