"""`/admin/harvests` and `/admin/sources`: harvest runs with their reports and a chart, and each
source's last success, last error and next due run. Staff and archive admins see their own
province's sources; national admins every province; others are refused."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from portal.access.guard import identity_allowed
from portal.access.roles import VIEW_HARVESTS
from portal.admin.harvests import recent_runs, records_chart, run_if_visible, source_overview, visible_sources
from portal.database import get_db
from portal.labels import province_label

admin_blueprint = Blueprint("admin", __name__, url_prefix="/admin")

CHART_SLOT = 24  # px a run's bar takes in the chart


def _viewer():
    """The identity when it may see harvests (else to sign in, or 403)."""
    return identity_allowed(lambda identity: identity.can(VIEW_HARVESTS))


@admin_blueprint.get("/harvests")
def harvests():
    identity = _viewer()
    db = get_db()
    sources = visible_sources(db, identity)
    source_id = request.args.get("source") or None
    if source_id is not None and source_id not in {s.id for s in sources}:
        abort(404)
    return render_template("admin/harvests.html", runs=recent_runs(db, sources, source_id),
                           charts=records_chart(db, [s for s in sources if source_id in (None, s.id)]),
                           sources=sources, source_id=source_id)


@admin_blueprint.get("/harvests/<int:run_id>")
def harvest_run(run_id: int):
    identity = _viewer()
    db = get_db()
    run = run_if_visible(db, visible_sources(db, identity), run_id)
    if run is None:
        abort(404)
    objects = [o for o in run.objects if o.state == "failed"][:200]
    return render_template("admin/harvest_run.html", run=run, failed_objects=objects)


@admin_blueprint.get("/sources")
def sources():
    identity = _viewer()
    db = get_db()
    return render_template("admin/sources.html", rows=source_overview(db, visible_sources(db, identity)),
                           province_label=province_label)
