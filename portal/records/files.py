"""Downloading a record's file: streamed from the holding archive, after the same permission
check as the full text. Closed to one who may not know the record: 404; restricted and not
covered by a grant: 403 with the way to ask for access."""
from __future__ import annotations

import logging
from urllib.parse import quote, urlsplit

import requests
from flask import Response, abort, current_app, render_template, stream_with_context
from flask_babel import gettext as _

from portal.access.identity import current_identity
from portal.audit import actions as audit_actions
from portal.audit.log import record_event
from portal.records.service import RecordNotFound, RecordService

log = logging.getLogger(__name__)
CHUNK = 64 * 1024


class FileUnavailable(Exception):
    """The holding archive did not hand the file over (down, refused, not a web address)."""


def file_response(service: RecordService, record_id: str, number: int) -> Response | tuple:
    identity = current_identity()
    try:
        record = service.get(identity, record_id)
    except RecordNotFound:
        abort(404)
    files = record.get("files") or []
    if not 1 <= number <= len(files):
        abort(404)
    entry = files[number - 1]
    audit = {"target_id": record["id"], "target_province": record.get("holding_province"),
             "details": {"file": number, "name": entry.get("name"), "sha256": entry.get("sha256")}}
    if not record.get("content_visible"):
        record_event(audit_actions.FILE_DOWNLOAD, outcome="denied", **audit)
        return render_template("records/file_forbidden.html", record=record, file=entry), 403
    record_event(audit_actions.FILE_DOWNLOAD, **audit)  # before a byte leaves; AuditUnavailable → 503
    try:
        upstream = _open_upstream(entry.get("url"))
    except FileUnavailable as error:
        log.warning("file %s of %s unavailable: %s", number, record_id, error)
        return render_template("errors/error.html", status=502, message=_(
            "The holding archive did not hand over this file just now. Try again later.")), 502
    return Response(stream_with_context(_relay(upstream)), status=200, headers=_download_headers(entry, upstream))


def _open_upstream(url: str | None) -> requests.Response:
    if not url or urlsplit(url).scheme not in ("http", "https"):
        raise FileUnavailable("no web address for this file")
    try:
        upstream = requests.get(url, stream=True, timeout=current_app.config["HARVEST_HTTP_TIMEOUT"],
                                allow_redirects=True)
    except requests.RequestException as error:
        raise FileUnavailable(type(error).__name__) from error
    if upstream.status_code != 200:
        upstream.close()
        raise FileUnavailable(f"HTTP {upstream.status_code}")
    return upstream


def _relay(upstream: requests.Response):
    try:
        yield from upstream.iter_content(CHUNK)
    finally:
        upstream.close()


def _download_headers(entry: dict, upstream: requests.Response) -> dict:
    name = entry.get("name") or "file"
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    headers = {
        "Content-Type": entry.get("media_type") or "application/octet-stream",
        # Always a download, never rendered on our origin: a harvested file must not run script here.
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    if upstream.headers.get("Content-Length", "").isdigit():
        headers["Content-Length"] = upstream.headers["Content-Length"]
    return headers
