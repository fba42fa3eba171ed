"""Downloading a record's file: from the holding archive, after the same permission check as the
full text. Closed to one who may not know the record: 404; restricted and not covered by a grant:
403 with the way to ask for access.

A file with a web address is fetched through schema.file_links, as the harvester fetched it: only
from the source's file hosts, never from an address of our own, redirects checked hop by hop. It is
spooled and its SHA-256 compared with the one recorded at harvest before a byte goes to the reader:
bytes that changed since (or that a hostile archive swaps in) are refused with an error and an audit
row, never relayed. A file with no checksum recorded (never downloaded whole at harvest) cannot be
verified and is not served.

A file that came in a package has no web address: it is read from the `done/` folder of its source's
inbox, straight from disk for a folder package, streamed out of the zip for a zip package. Its
`package_path` comes from the index, so it is confined to that folder: a path that would lead out of it
(`..`, absolute, a symbolic link) is answered 404; a file no longer there, like an archive that does not
answer, 502."""
from __future__ import annotations

import logging
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import quote

import requests
from flask import Response, abort, current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from schema.file_links import FileLinkPolicy, FileTooLarge, LinkRefused, download, guarded_session

from portal.access.identity import current_identity
from portal.audit import actions as audit_actions
from portal.audit.log import record_event
from portal.database import get_db
from portal.records.service import RecordNotFound, RecordService
from schema.tables import Source

log = logging.getLogger(__name__)
CHUNK = 64 * 1024
PACKAGES_DONE = "done"  # the folder of a package source's inbox that holds the packages taken in


class FileUnavailable(Exception):
    """The holding archive did not hand the file over (down, refused, not a web address, not on disk)."""


class OutsidePackages(Exception):
    """A package path that would lead out of the source's `done/` folder."""


class ChecksumMismatch(FileUnavailable):
    """The archive handed over bytes that are not the file recorded at harvest."""


class NotVerifiable(FileUnavailable):
    """No checksum was recorded at harvest (the file was never downloaded whole): nothing to check it by."""


@dataclass
class _OpenedFile:
    chunks: Iterator[bytes]
    length: int | None
    close: Callable[[], None]


def file_of(service: RecordService, record_id: str, number: int) -> tuple[dict, dict]:
    """The record as the reader may see it and its file `number` (from 1); 404 when either is not there
    for them. Whether they may read the file is the caller's to check (`content_visible`)."""
    try:
        record = service.get(current_identity(), record_id)
    except RecordNotFound:
        abort(404)
    files = record.get("files") or []
    if not 1 <= number <= len(files):
        abort(404)
    return record, files[number - 1]


def file_response(service: RecordService, record_id: str, number: int) -> Response | tuple:
    record, entry = file_of(service, record_id, number)
    audit = {"target_id": record["id"], "target_province": record.get("holding_province"),
             "details": {"file": number, "name": entry.get("name"), "sha256": entry.get("sha256")}}
    if not record.get("content_visible"):
        record_event(audit_actions.FILE_DOWNLOAD, outcome="denied", **audit)
        return render_template("records/file_forbidden.html", record=record, file=entry), 403
    try:
        if entry.get("package_path"):
            opened = _open_package_file(record.get("source_id"), entry["package_path"])
        else:
            opened = _open_upstream(record.get("source_id"), entry)
    except OutsidePackages as error:
        log.warning("file %s of %s refused: %s", number, record_id, error)
        abort(404)
    except FileUnavailable as error:
        log.warning("file %s of %s not served: %s", number, record_id, error)
        audit["details"]["reason"] = str(error)
        record_event(audit_actions.FILE_DOWNLOAD, outcome="failed", **audit)
        message = _MESSAGES.get(type(error)) or _("The holding archive did not hand over this file just now. "
                                                  "Try again later.")
        message = str(message)
        return render_template("errors/error.html", status=502, message=message), 502
    try:
        record_event(audit_actions.FILE_DOWNLOAD, **audit)  # before a byte leaves; AuditUnavailable → 503
    except BaseException:
        opened.close()
        raise
    # The chunks need no request context: holding one open while a download is abandoned would leak it.
    response = Response(opened.chunks, status=200,
                        headers=_download_headers(entry, opened.length))
    response.call_on_close(opened.close)  # also when the download is abandoned before its first byte
    return response


_MESSAGES = {
    ChecksumMismatch: _l("The portal did not serve this file: what the holding archive sends now is not the file "
                         "recorded when the record was harvested (its SHA-256 checksum differs). The portal's staff "
                         "can see this in the audit log."),
    NotVerifiable: _l("This file cannot be served: it was not downloaded whole when the record was harvested, so "
                      "the portal has no checksum to verify it by."),
}


def _open_upstream(source_id: str | None, entry: dict) -> _OpenedFile:
    """The file from its archive, checked against the SHA-256 recorded at harvest before it is handed on."""
    url, expected = entry.get("url"), (entry.get("sha256") or "").lower()
    source = get_db().get(Source, source_id) if source_id else None
    if not url or source is None:
        raise FileUnavailable("no web address for this file")
    if not expected or not isinstance(entry.get("size"), int):
        raise NotVerifiable("no checksum was recorded at harvest: the file cannot be verified")
    http = guarded_session(FileLinkPolicy.for_source(source), pool_size=1)
    try:
        downloaded = download(http, url, max_bytes=entry["size"], timeout=current_app.config["HARVEST_HTTP_TIMEOUT"])
    except LinkRefused as refused:
        raise FileUnavailable(f"link refused: {refused}") from None
    except FileTooLarge as error:
        raise ChecksumMismatch(f"longer than the {entry['size']} bytes recorded at harvest ({error})") from None
    except (requests.RequestException, OSError) as error:
        raise FileUnavailable(type(error).__name__) from error
    finally:
        http.close()
    if downloaded.sha256 != expected or downloaded.size != entry["size"]:
        downloaded.close()
        raise ChecksumMismatch(f"SHA-256 {downloaded.sha256} ({downloaded.size} bytes), recorded {expected} "
                          f"({entry['size']} bytes)")
    return _OpenedFile(_relay(_read_chunks(downloaded.file), downloaded.close), downloaded.size, downloaded.close)


def _open_package_file(source_id: str | None, package_path: str) -> _OpenedFile:
    """A file of a package in the source's done/ folder: a folder's file, or a zip's member."""
    package, inside = _package_parts(package_path)
    source = get_db().get(Source, source_id) if source_id else None
    if source is None or source.kind != "package":
        raise FileUnavailable(f"{source_id!r} is not a package source")
    done = Path(source.url) / PACKAGES_DONE
    if not done.is_dir():
        raise FileUnavailable(f"{done} is not a directory")
    folder_or_zip = _confined(done, done / package)
    if folder_or_zip.is_dir():
        path = _confined(done, done.joinpath(package, *inside))
        if not path.is_file():
            raise FileUnavailable(f"{package_path} is not a file")
        try:
            opened = open(path, "rb")
        except OSError as error:
            raise FileUnavailable(f"{package_path}: {error.strerror}") from error
        return _OpenedFile(_relay(_read_chunks(opened), opened.close), os.fstat(opened.fileno()).st_size,
                           opened.close)
    try:
        archive = zipfile.ZipFile(folder_or_zip)
    except (zipfile.BadZipFile, OSError) as error:
        raise FileUnavailable(f"{package}: {error}") from error
    try:
        member = archive.getinfo("/".join(inside))
        if member.is_dir():
            raise KeyError(member.filename)
        opened = archive.open(member)
    except (KeyError, zipfile.BadZipFile, OSError, RuntimeError) as error:  # RuntimeError: encrypted
        archive.close()
        raise FileUnavailable(f"{package_path}: not in the zip ({type(error).__name__})") from error

    def close() -> None:
        opened.close()
        archive.close()
    return _OpenedFile(_relay(_read_chunks(opened), close), member.file_size, close)


def _package_parts(package_path) -> tuple[str, list[str]]:
    """The package's name and the path inside it; OutsidePackages for anything but a plain relative path."""
    if not isinstance(package_path, str) or "\\" in package_path or "\x00" in package_path \
            or package_path.startswith("/"):
        raise OutsidePackages(f"not a relative path: {package_path!r}")
    parts = package_path.split("/")
    if len(parts) < 2 or any(part in ("", ".", "..") for part in parts):
        raise OutsidePackages(f"not a plain path inside a package: {package_path!r}")
    return parts[0], parts[1:]


def _confined(done: Path, path: Path) -> Path:
    """The path with its symbolic links followed, if it stays inside done/; else OutsidePackages."""
    try:
        real = path.resolve()
        inside = real.is_relative_to(done.resolve())
    except (OSError, RuntimeError) as error:  # RuntimeError: a loop of symbolic links
        raise FileUnavailable(f"{path}: {error}") from error
    if not inside:
        raise OutsidePackages(f"{path} leads to {real}, outside {done}")
    if not real.exists():
        raise FileUnavailable(f"{path} is missing")
    return real


def _read_chunks(opened) -> Iterator[bytes]:
    while chunk := opened.read(CHUNK):
        yield chunk


def _relay(chunks: Iterator[bytes], close: Callable[[], None]) -> Iterator[bytes]:
    try:
        yield from chunks
    finally:
        close()


def _download_headers(entry: dict, length: int | None) -> dict:
    name = entry.get("name") or "file"
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    headers = {
        "Content-Type": entry.get("media_type") or "application/octet-stream",
        # Always a download, never rendered on our origin: a harvested file (HTML, SVG, XML) must not run
        # script here; and should a browser render it anyway, the sandbox gives it no origin and no script.
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Cache-Control": "private, no-store",
    }
    if length is not None:
        headers["Content-Length"] = str(length)
    return headers
