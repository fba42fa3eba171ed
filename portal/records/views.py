"""The record page (`/records/<id>`) and the record API (`GET /api/v1/records/<id>`).

Ids contain `:` and `/`, so the routes take the whole rest of the path.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask_babel import ngettext

from portal.access.identity import current_identity, valid_province
from portal.admin.duplicate_fonds import duplicates_by_fonds, likely_duplicate_fonds
from portal.admin.harvests import sees_sources_of
from portal.audit import actions as audit_actions
from portal.audit.log import record_event
from portal.creators.service import creator_of_record
from portal.database import get_db
from portal.labels import province_label
from portal.search.params import SearchParams
from portal.search.service import SearchService
from portal.opensearch import get_client, records_alias
from portal.records.files import file_of, file_response
from portal.records.full_text import shown_full_text
from portal.records.related import related_records
from portal.records.service import RecordNotFound, RecordService
from portal.records.tree import TREE_PAGE, FindingAidTree, TreeNode
from portal.records.viewer import PDF, viewable, viewer_kind

records_blueprint = Blueprint("records", __name__)


def _service() -> RecordService:
    return RecordService(get_client(), records_alias())


@records_blueprint.get("/api/v1/records/<path:record_id>")
def api_record(record_id: str):
    try:
        record = _service().get(current_identity(), record_id)
    except RecordNotFound:
        record_event(audit_actions.RECORD_VIEW, target_id=record_id, outcome="denied",
                     details={"channel": "api", "found": False})
        return jsonify(error={"code": "not_found", "message": "No such record."}), 404
    _record_viewed(record, "api")
    return jsonify(_with_download_urls(record))


def _with_download_urls(record: dict) -> dict:
    """Files as the API gives them: where the portal hands a file over, its address here; never where
    the portal keeps it (a package file's path inside the archive's inbox)."""
    files = []
    for number, entry in enumerate(record.get("files") or [], start=1):
        entry = dict(entry)
        package_path = entry.pop("package_path", None)
        if record.get("content_visible") and (entry.get("url") or package_path):
            entry["download_url"] = url_for("records.download_file", record_id=record["id"], number=number,
                                            _external=True)
        files.append(entry)
    return {**record, "files": files}


def _record_viewed(record: dict, channel: str) -> None:
    """Audit rows for a record shown, and for its full text when that is shown too; raises
    AuditUnavailable (→ 503, nothing shown) when they cannot be written."""
    record_event(audit_actions.RECORD_VIEW, target_id=record["id"], target_province=record.get("holding_province"),
                 details={"channel": channel, "access": record.get("access")})
    if record.get("content_visible") and record.get("content"):
        record_event(audit_actions.FULLTEXT_VIEW, target_id=record["id"],
                     target_province=record.get("holding_province"), details={"channel": channel})


@records_blueprint.get("/records/<path:record_id>")
def record_page(record_id: str):
    identity = current_identity()
    service = _service()
    query = (request.args.get("q") or "").strip()[:500] or None
    try:
        record = service.get(identity, record_id, mark_query=query)
    except RecordNotFound:
        record_event(audit_actions.RECORD_VIEW, target_id=record_id, outcome="denied",
                     details={"channel": "page", "found": False})
        abort(404)
    _record_viewed(record, "page")
    record["content"] = shown_full_text(record.get("content"), record.get("title"))
    record["content_marked"] = shown_full_text(record.get("content_marked"), record.get("title"), marked=True)
    ancestors = service.ancestors(identity, record)
    children_total, children = service.children(identity, record)
    previous, following = service.siblings(identity, record)
    tree = FindingAidTree(service).opened_at(identity, record)
    if tree:
        _summarise_tree(tree)
    related = related_records(service, identity, record)
    viewer_kinds = {number: viewer_kind(entry) for number, entry in enumerate(record.get("files") or [], start=1)
                    if record.get("content_visible")}
    openable = {number for number, entry in enumerate(record.get("files") or [], start=1) if viewable(record, entry)}
    return render_template("records/record.html", record=record, ancestors=ancestors,
                           children=children, children_total=children_total,
                           previous=previous, following=following, q=query, tree=tree, related=related,
                           viewer_kinds=viewer_kinds, openable=openable,
                           creator=creator_of_record(get_db(), record))


def tree_summary(node: dict) -> str:
    """What a tree node says beside its title: level, years, how many records it holds."""
    parts = [node.get("level_label")]
    first, last = (node.get("date_start") or "")[:4], (node.get("date_end") or "")[:4]
    if first:
        parts.append(first if not last or last == first else f"{first}–{last}")
    if node.get("descendants"):
        parts.append(ngettext("%(num)s record", "%(num)s records", node["descendants"]))
    return ", ".join(part for part in parts if part)


def _summarise_tree(node: TreeNode) -> None:
    node.record["summary"] = tree_summary(node.record)
    for child in node.children.nodes if node.children else []:
        child["summary"] = tree_summary(child)
    for opened in node.open_children.values():
        _summarise_tree(opened)


@records_blueprint.get("/api/v1/tree/<path:record_id>")
def api_tree(record_id: str):
    """One level of a finding-aid tree: a page of the records directly under `record_id`."""
    start = request.args.get("from", default=0, type=int)
    size = request.args.get("size", default=TREE_PAGE, type=int)
    if start < 0 or not 1 <= size <= 200 or start + size > current_app.config["SEARCH_MAX_WINDOW"]:
        return jsonify(error={"code": "bad_request", "parameter": "from",
                              "message": "from must be 0 or more, size 1 to 200, within the result window"}), 400
    try:
        level = FindingAidTree(_service()).level(current_identity(), record_id, start, size)
    except RecordNotFound:
        return jsonify(error={"code": "not_found", "message": "No such record."}), 404
    children = [{key: node.get(key) for key in ("id", "title", "reference_code", "level", "level_label", "access",
                                                 "access_label", "date_start", "date_end", "descendants")}
                | {"summary": tree_summary(node), "url": url_for("records.record_page", record_id=node["id"])}
                for node in level.nodes]
    return jsonify(parent_id=level.parent_id, total=level.total, start=level.start, children=children)


@records_blueprint.get("/records/<path:record_id>/files/<int:number>")
def download_file(record_id: str, number: int):
    return file_response(_service(), record_id, number)


@records_blueprint.get("/records/<path:record_id>/files/<int:number>/view")
def view_file(record_id: str, number: int):
    """The file in the page (pdf.js or an image), opened at the search's words; its bytes come from
    download_file, checked and audited there like any download."""
    record, entry = file_of(_service(), record_id, number)
    if not record.get("content_visible"):
        return render_template("records/file_forbidden.html", record=record, file=entry), 403
    if not viewable(record, entry):
        abort(404)
    query = (request.args.get("q") or "").strip()[:500]
    return render_template("records/viewer.html", record=record, file=entry, number=number,
                           kind=viewer_kind(entry), pdf=PDF, q=query)


@records_blueprint.get("/browse")
def browse_provinces():
    result = SearchService(get_client(), records_alias()).search(
        current_identity(), SearchParams(size=0, sort="reference"))
    return render_template("records/browse.html", result=result)


@records_blueprint.get("/browse/<province>")
def browse_province(province: str):
    code = valid_province(province)
    if code is None:
        abort(404)
    identity = current_identity()
    fonds = _service().fonds_of_province(identity, code)
    duplicates = {}
    if sees_sources_of(identity, code):  # the archive's people, to tidy; readers see the fonds only
        duplicates = duplicates_by_fonds(likely_duplicate_fonds(get_client(), records_alias(), [code]))
    return render_template("records/browse_province.html", province=code,
                           province_name=province_label(code), fonds=fonds, duplicates=duplicates)

