"""The auditor pages: `/audit` (filtered rows), `/audit/<id>` (one row), `/audit/export`
(the filtered rows as CSV or JSON; the export is itself an audit row).

READ_AUDIT sees every row; READ_OWN_PROVINCE_AUDIT the rows of one's own province; anyone
else is refused (401 when not signed in, 403 otherwise).
"""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.access.guard import identity_allowed
from portal.access.identity import valid_province
from portal.access.roles import READ_AUDIT, READ_OWN_PROVINCE_AUDIT
from portal.audit import actions
from portal.audit.log import record_event
from portal.audit.models import AuditEntry
from portal.audit.reading import (EXPORT_FIELDS, AuditFilterError, AuditFilters, all_rows, count_and_page,
                                  exported_row, parse_filters, visible_to)
from portal.auth.models import User
from portal.database import get_db
from portal.personal_data.names import person_name

audit_blueprint = Blueprint("audit", __name__, url_prefix="/audit")

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
EXPORT_FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
_ALL = object()
OUTCOME_LABELS = {actions.ALLOWED: _l("allowed"), actions.DENIED: _l("denied"), actions.FAILED: _l("failed")}
# The actions as auditors read them; the codes stay in exports and in the detail page.
ACTION_LABELS = {
    actions.SIGN_IN: _l("Sign-in"), actions.SIGN_IN_FAILED: _l("Failed sign-in"), actions.SIGN_OUT: _l("Sign-out"),
    actions.SEARCH: _l("Search"), actions.SUGGEST: _l("Search suggestion"), actions.RECORD_VIEW: _l("Record viewed"),
    actions.FULLTEXT_VIEW: _l("Full text viewed"), actions.FILE_DOWNLOAD: _l("File downloaded"),
    actions.EXPORT: _l("Results exported"), actions.REQUEST_CREATE: _l("Access request made"),
    actions.REQUEST_CHANGE: _l("Access request changed"), actions.GRANT_CREATE: _l("Access granted"),
    actions.GRANT_REVOKE: _l("Access revoked"), actions.ROLE_CHANGE: _l("Role changed"),
    actions.SOURCE_CHANGE: _l("Source changed"), actions.SETTING_CHANGE: _l("Setting changed"),
    actions.ARCHIVE_CHANGE: _l("Archive description changed"),
    actions.CREATOR_MERGE: _l("Creators merged"), actions.CREATOR_SPLIT: _l("Creator split"),
    actions.CREATOR_KEEP_APART: _l("Creators kept apart"), actions.CREATOR_CHANGE: _l("Creator described"),
    actions.CREATOR_VIEW: _l("Creator viewed"), actions.CREATOR_EXPORT: _l("Creator exported (EAC-CPF)"),
    actions.HARVEST_START: _l("Harvest started"), actions.HARVEST_END: _l("Harvest ended"),
    actions.ACCOUNT_EXPORT: _l("Own data downloaded"), actions.ACCOUNT_DELETE: _l("Account deleted"),
    actions.AUDIT_EXPORT: _l("Audit log exported"), actions.AUDIT_ARCHIVE: _l("Audit log archived"),
}


def actor_labels(rows) -> dict[str, str]:
    """actor → what an auditor reads: the person's name and number, a visitor, the command line, the system."""
    ids = {int(row.actor) for row in rows if row.actor.isdigit()}
    users = {user.id: user for user in get_db().scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    labels = {}
    for row in rows:
        actor = row.actor
        if actor.isdigit():
            labels[actor] = _("%(name)s (user %(id)s)", name=person_name(users.get(int(actor))) or "—", id=actor)
        elif actor == "anonymous":
            labels[actor] = _("Visitor (not signed in)")
        elif actor.startswith("cli"):
            labels[actor] = _("Command line (%(user)s)", user=actor.partition(":")[2] or "—")
        elif actor == "system":
            labels[actor] = _("The system")
        else:
            labels[actor] = actor
    return labels


def _viewer_scope():
    """_ALL for every row, a province code for one province's rows; refuse everyone else."""
    identity = identity_allowed(lambda who: who.can(READ_AUDIT) or who.can(READ_OWN_PROVINCE_AUDIT))
    return _ALL if identity.can(READ_AUDIT) else valid_province(identity.province)


def _scope_province(scope) -> str | None:
    return None if scope is _ALL else scope


def _filters_or_error():
    try:
        return parse_filters(request.args), None
    except AuditFilterError as error:
        return AuditFilters(), error


@audit_blueprint.get("")
def audit_list():
    scope = _viewer_scope()
    filters, error = _filters_or_error()
    if error is not None:
        return render_template("audit/list.html", rows=[], total=0, page=1, pages=1, filters=filters,
                               error=_("A filter is not valid: %(message)s", message=str(error)),
                               actions=actions.ALL_ACTIONS, outcomes=OUTCOME_LABELS, action_labels=ACTION_LABELS,
                               actor_labels={}, scope_province=_scope_province(scope)), 400
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    total, rows = count_and_page(get_db(), filters, _scope_province(scope), PAGE_SIZE, (page - 1) * PAGE_SIZE)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render_template("audit/list.html", rows=rows, total=total, page=page, pages=pages, filters=filters,
                           error=None, actions=actions.ALL_ACTIONS, outcomes=OUTCOME_LABELS,
                           action_labels=ACTION_LABELS, actor_labels=actor_labels(rows),
                           scope_province=_scope_province(scope))


@audit_blueprint.get("/<int:entry_id>")
def audit_detail(entry_id: int):
    scope = _viewer_scope()
    entry = get_db().get(AuditEntry, entry_id)
    if entry is None or not visible_to(entry, _scope_province(scope)):
        abort(404)
    details = json.dumps(json.loads(entry.details or "{}"), ensure_ascii=False, indent=2, sort_keys=True)
    return render_template("audit/detail.html", entry=entry, details=details, outcomes=OUTCOME_LABELS,
                           action_labels=ACTION_LABELS, actor_labels=actor_labels([entry]))


@audit_blueprint.get("/export")
def audit_export():
    scope = _viewer_scope()
    chosen = request.args.get("format", "csv")
    if chosen not in EXPORT_FORMATS:
        abort(400, description=_("The export format must be csv or json."))
    filters, error = _filters_or_error()
    if error is not None:
        abort(400, description=str(error))
    rows = [exported_row(entry) for entry in all_rows(get_db(), filters, _scope_province(scope), EXPORT_LIMIT)]
    # The export is recorded (and committed) before anything leaves: no row, no file.
    record_event(actions.AUDIT_EXPORT, target_province=_scope_province(scope),
                 details={"format": chosen, "filters": filters.as_args(), "rows": len(rows)})
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    body = _csv(rows) if chosen == "csv" else json.dumps(rows, ensure_ascii=False, indent=1)
    response = Response(body, content_type=EXPORT_FORMATS[chosen])
    response.headers.set("Content-Disposition", "attachment", filename=f"audit-{stamp}.{chosen}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "actor_roles": ",".join(row["actor_roles"]),
                         "details": json.dumps(row["details"], ensure_ascii=False, sort_keys=True)})
    return "\ufeff" + out.getvalue()  # BOM: spreadsheet programs then read Vietnamese as UTF-8
