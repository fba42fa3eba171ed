"""The citation API (`GET /api/v1/cite/<id>?format=`), the export API
(`GET /api/v1/export?format=&<search parameters>`) and a fonds's finding aid
(`GET /api/v1/finding-aid/<id>?format=ead|pdf`).

Citations live under their own prefix rather than as `/api/v1/records/<id>/cite`: record ids
contain `/`, so that suffix would shadow a record whose id ends in "/cite" on the record API.
Both answer files (with a filename to save them under), never HTML: a harvested title full of
markup stays data.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from portal.access.identity import current_identity
from portal.audit import actions as audit_actions
from portal.audit.log import described, record_event
from portal.export import UnknownFormat, choose_format
from portal.export.citation import CitationService, bibtex_key
from portal.export.finding_aid import FindingAidService, FindingAidTooLarge
from portal.export.finding_aid_formats import DEFAULT_FINDING_AID_FORMAT, FINDING_AID_FORMATS
from portal.export.results import ResultExportService, export_format
from portal.opensearch import get_client, records_alias
from portal.records.service import RecordNotFound, RecordService
from portal.search.params import SearchParamError, SearchParams, parse_search_params
from portal.search.service import SearchService

export_blueprint = Blueprint("export", __name__)

# The export always starts at the first result: paging parameters of the search page it was
# started from do not apply.
_PAGING_ARGUMENTS = ("page", "size", "search_after")


def _permalink(record_id: str) -> str:
    return url_for("records.record_page", record_id=record_id, _external=True)


def _bad_request(error: SearchParamError | UnknownFormat):
    return jsonify(error={"code": "bad_request", "parameter": error.parameter, "message": str(error)}), 400


def _file_response(body: str | bytes, media_type: str, filename: str) -> Response:
    response = Response(body, content_type=media_type)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["X-Content-Type-Options"] = "nosniff"  # never sniffed into HTML
    response.headers["Cache-Control"] = "private, no-store"  # what it holds depends on who asked
    return response


@export_blueprint.get("/api/v1/cite/<path:record_id>")
def api_cite(record_id: str):
    service = CitationService(RecordService(get_client(), records_alias()))
    try:
        citation = service.cite(current_identity(), record_id, request.args.get("format"), _permalink)
    except UnknownFormat as error:
        return _bad_request(error)
    except RecordNotFound:
        return jsonify(error={"code": "not_found", "message": "No such record."}), 404
    record_event(audit_actions.EXPORT, target_id=record_id,
                 details={"kind": "citation", "format": request.args.get("format") or "default"})
    return _file_response(citation.text, citation.media_type, citation.filename)


def _export_params() -> SearchParams:
    args = request.args.copy()
    for name in ("format", *_PAGING_ARGUMENTS):
        args.poplist(name)
    return parse_search_params(args, current_app.config["SEARCH_MAX_PAGE_SIZE"],
                               current_app.config["SEARCH_MAX_WINDOW"])


@export_blueprint.get("/api/v1/export")
def api_export():
    try:
        chosen = export_format(request.args.get("format"))
        params = _export_params()
    except (UnknownFormat, SearchParamError) as error:
        return _bad_request(error)
    service = ResultExportService(SearchService(get_client(), records_alias()))
    export = service.export(current_identity(), params, _permalink)  # SearchUnavailable → 503
    record_event(audit_actions.EXPORT, details={"kind": "results", "format": chosen.name,
                                                "params": described(params), "rows": export.exported})
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    return _file_response(chosen.render(export), chosen.media_type, f"records-{stamp}.{chosen.extension}")



def _download_url(record_id: str, number: int) -> str:
    return url_for("records.download_file", record_id=record_id, number=number, _external=True)


@export_blueprint.get("/api/v1/finding-aid/<path:record_id>")
def api_finding_aid(record_id: str):
    """The record (a fonds, usually) and all under it that the caller may see, as EAD 2002 or PDF."""
    try:
        chosen = choose_format(FINDING_AID_FORMATS, request.args.get("format"), DEFAULT_FINDING_AID_FORMAT)
    except UnknownFormat as error:
        return _bad_request(error)
    service = FindingAidService(RecordService(get_client(), records_alias()))
    try:
        finding_aid = service.finding_aid(current_identity(), record_id, datetime.now(timezone.utc),
                                          _permalink, _download_url)
    except RecordNotFound:
        return jsonify(error={"code": "not_found", "message": "No such record."}), 404
    except FindingAidTooLarge as error:
        return jsonify(error={"code": "too_large", "message": str(error)}), 422
    record_event(audit_actions.EXPORT, target_id=record_id,
                 target_province=finding_aid.fonds.record.get("holding_province"),
                 details={"kind": "finding_aid", "format": chosen.name, "components": finding_aid.count})
    return _file_response(chosen.render(finding_aid), chosen.media_type,
                          f"{bibtex_key(record_id)}.{chosen.extension}")


def limit_finding_aid_exports(app) -> None:
    """A finding aid reads a whole fonds: per client address, as often as RATELIMIT_EXPORTS allows."""
    limiter = app.extensions["portal_limiter"]
    endpoint = "export.api_finding_aid"
    app.view_functions[endpoint] = limiter.limit(app.config["RATELIMIT_EXPORTS"])(app.view_functions[endpoint])
