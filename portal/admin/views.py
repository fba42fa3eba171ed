"""`/admin/harvests` and `/admin/sources`: harvest runs with their reports and a chart, and each
source's last success, last error and next due run. Staff and archive admins see their own
province's sources; national admins every province; others are refused. National admins manage
every source and archive admins their own province's (add, edit, enable, disable, ask for a run);
a run asked for here is started by the next `flask harvest --due`, never inside a request."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.access.guard import identity_allowed
from portal.access.identity import Identity
from portal.access.roles import MANAGE_ALL, VIEW_HARVESTS
from portal.admin.access_policy import unrecognised_statements
from portal.admin.duplicate_fonds import likely_duplicate_fonds
from portal.admin.forms import KIND_LABELS, ActionForm, FullRunForm, NewSourceForm, SourceForm
from portal.admin.harvests import (harvest_trends, recent_runs, run_if_visible, source_if_visible, source_overview,
                                   visible_sources)
from portal.admin.sources import (InvalidSource, SourceRefused, SourceSettings, add_source, check_source_id,
                                  checked_settings, may_manage, may_manage_sources, may_set_paths, request_run,
                                  set_enabled, update_source)
from portal.database import get_db
from portal.labels import province_label
from portal.opensearch import get_client, records_alias
from schema.provinces import current_provinces
from schema.tables import OTHER_STATEMENTS, Source

admin_blueprint = Blueprint("admin", __name__, url_prefix="/admin")

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
                           trends=harvest_trends(db, [s for s in sources if source_id in (None, s.id)]),
                           sources=sources, source_id=source_id)


@admin_blueprint.get("/harvests/<int:run_id>")
def harvest_run(run_id: int):
    identity = _viewer()
    db = get_db()
    run = run_if_visible(db, visible_sources(db, identity), run_id)
    if run is None:
        abort(404)
    objects = [o for o in run.objects if o.state == "failed"][:200]
    return render_template("admin/harvest_run.html", run=run, failed_objects=objects,
                           statements=run.unrecognised_statements(), other_statements=OTHER_STATEMENTS,
                           sets_policy=may_manage(identity, run.source))


@admin_blueprint.get("/sources")
def sources():
    identity = _viewer()
    db = get_db()
    visible = visible_sources(db, identity)
    rows = source_overview(db, visible)
    provinces = None if identity.can(MANAGE_ALL) else sorted({source.holding_province for source in visible})
    return render_template("admin/sources.html", rows=rows, province_label=province_label,
                           managed={row.source.id for row in rows if may_manage(identity, row.source)},
                           may_add=may_manage_sources(identity), kind_labels=KIND_LABELS,
                           round_minutes=current_app.config["HARVEST_ROUND_MINUTES"],
                           duplicates=likely_duplicate_fonds(get_client(), records_alias(), provinces),
                           unrecognised={row.source.id: len(unrecognised_statements(db, row.source)) for row in rows
                                         if may_manage(identity, row.source)})


# Managing sources ------------------------------------------------------------------------------

# Where a problem with a setting is shown when the form's field has another name.
FORM_FIELDS = {"id": "source_id", "holding_province": "province"}
REFUSALS = {
    "package": _l("Only a national administrator may add a package source or change its inbox directory."),
    "disabled": _l("This source is disabled: enable it before asking for a run."),
}


def managed_source(source_id: str) -> tuple[Identity, Source]:
    """The identity and the source when it may manage it: 404 if it may not see the source, 403
    if it may see it but not change it."""
    identity = _viewer()
    source = source_if_visible(get_db(), identity, source_id)
    if source is None:
        abort(404)
    if not may_manage(identity, source):
        abort(403)
    return identity, source


def _prepare(form: SourceForm, identity: Identity, source: Source | None = None) -> SourceForm:
    if may_set_paths(identity):
        kinds = list(KIND_LABELS)
    else:  # a package source keeps its inbox; an archive admin adds OAI-PMH sources only
        kinds = ["package"] if source is not None and source.kind == "package" else ["oai-pmh"]
    form.kind.choices = [(kind, str(KIND_LABELS[kind])) for kind in kinds]
    if identity.can(MANAGE_ALL):
        form.province.choices = [("", _("— choose —"))] + [(code, province_label(code))
                                                           for code in sorted(current_provinces())]
    else:
        form.province.choices = [(identity.province, province_label(identity.province))]
    return form


def _settings(form: SourceForm, identity: Identity, source: Source | None = None) -> SourceSettings:
    """The settings the form asks for; an archive admin's source is always of their own province,
    and only a national admin names a directory on the server."""
    kind, url = form.kind.data, form.url.data
    province = form.province.data if identity.can(MANAGE_ALL) else identity.province
    if source is not None and source.kind == "package" and not may_set_paths(identity):
        kind, url = source.kind, source.url
    return checked_settings(kind=kind, url=url, province=province, metadata_prefix=form.metadata_prefix.data,
                            set_spec=form.set_spec.data, name=form.name.data, schedule=form.schedule.data,
                            enabled=form.enabled.data, file_hosts=form.file_hosts.data or "")


def _submit(form: SourceForm, check, save) -> tuple[bool, object]:
    """(True, what save returned) when the form (CSRF token, something typed, a kind offered) and the source
    rules (`check`) both agree; otherwise (False, None) with every problem of both next to its field."""
    form_valid = form.validate()
    try:
        checked = check()
        if form_valid:
            return True, save(checked)
    except InvalidSource as invalid:
        _show_problems(form, invalid)
    except SourceRefused as refused:
        _show_refusal(form, refused)
    return False, None


def _show_problems(form: SourceForm, invalid: InvalidSource) -> None:
    """Each problem next to its field (one message a field: the form's own comes first)."""
    for name, (message, params) in invalid.problems.items():
        field = form[FORM_FIELDS.get(name, name)]
        if not field.errors:
            field.errors.append(_(message, **params))


def _show_refusal(form: SourceForm, refused: SourceRefused) -> None:
    if refused.reason != "package":  # the form offers nothing else that may be refused
        abort(403)
    form.kind.errors.append(str(REFUSALS["package"]))


def _checked_new(form: NewSourceForm, identity: Identity) -> tuple[str, SourceSettings]:
    """The id and the settings of a new source; InvalidSource names every problem of both."""
    problems, source_id, settings = {}, "", None
    try:
        source_id = check_source_id(form.source_id.data)
    except InvalidSource as invalid:
        problems.update(invalid.problems)
    try:
        settings = _settings(form, identity)
    except InvalidSource as invalid:
        problems.update(invalid.problems)
    if problems:
        raise InvalidSource(problems)
    return source_id, settings


def _source_page(form: SourceForm, source: Source | None, identity: Identity):
    status = 400 if request.method == "POST" else 200
    return render_template("admin/source_form.html", form=form, source=source, province_label=province_label,
                           chooses_province=identity.can(MANAGE_ALL),
                           fixed_path=source is not None and source.kind == "package"
                           and not may_set_paths(identity)), status


@admin_blueprint.route("/sources/new", methods=["GET", "POST"])
def new_source():
    identity = identity_allowed(may_manage_sources)
    form = _prepare(NewSourceForm(), identity)
    if form.is_submitted():
        saved, source = _submit(form, lambda: _checked_new(form, identity),
                                lambda checked: add_source(get_db(), identity, *checked))
        if saved:
            flash(_("Source %(source)s added.", source=source.id), "notice")
            return redirect(url_for("admin.sources")), 303
    return _source_page(form, None, identity)


@admin_blueprint.route("/sources/<source_id>/edit", methods=["GET", "POST"])
def edit_source(source_id: str):
    identity, source = managed_source(source_id)
    form = _prepare(SourceForm(data={"name": source.name, "kind": source.kind, "url": source.url,
                                     "province": source.holding_province, "metadata_prefix": source.metadata_prefix,
                                     "set_spec": source.set_spec or "", "schedule": source.schedule or "",
                                     "file_hosts": "\n".join(source.file_hosts or ()),
                                     "enabled": source.enabled}), identity, source)
    if form.is_submitted():
        saved, changes = _submit(form, lambda: _settings(form, identity, source),
                                 lambda settings: update_source(get_db(), identity, source, settings))
        if saved:
            flash(_("Source %(source)s saved.", source=source.id) if changes
                  else _("Nothing changed in %(source)s.", source=source.id), "notice")
            return redirect(url_for("admin.sources")), 303
    return _source_page(form, source, identity)


def _enable(source_id: str, enabled: bool):
    identity, source = managed_source(source_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    set_enabled(get_db(), identity, source, enabled)
    flash(_("Source %(source)s enabled.", source=source.id) if enabled
          else _("Source %(source)s disabled: it is not harvested until enabled again.", source=source.id), "notice")
    return redirect(url_for("admin.sources")), 303


@admin_blueprint.post("/sources/<source_id>/disable")
def disable_source(source_id: str):
    return _enable(source_id, False)


@admin_blueprint.post("/sources/<source_id>/enable")
def enable_source(source_id: str):
    return _enable(source_id, True)


def _ask_for_run(identity: Identity, source: Source, full: bool):
    requested_by = current_user.email or current_user.full_name or f"user {identity.user_id}"
    try:
        full = request_run(get_db(), identity, source, full, requested_by)
    except SourceRefused as refused:
        if refused.reason != "disabled":
            abort(403)
        flash(str(REFUSALS["disabled"]), "error")
    else:
        flash(_("A full re-harvest of %(source)s is asked for: the harvester starts it on its next round.",
                source=source.id) if full else
              _("A harvest of %(source)s is asked for: the harvester starts it on its next round.", source=source.id),
              "notice")
    return redirect(url_for("admin.sources")), 303


@admin_blueprint.post("/sources/<source_id>/run")
def request_harvest(source_id: str):
    """Harvest now: an incremental run, started by the next `flask harvest --due`."""
    identity, source = managed_source(source_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _ask_for_run(identity, source, full=False)


@admin_blueprint.route("/sources/<source_id>/full-run", methods=["GET", "POST"])
def request_full_harvest(source_id: str):
    """Full re-harvest, after a confirmation: it re-reads everything and drops what the source no longer has."""
    identity, source = managed_source(source_id)
    form = FullRunForm()
    if form.validate_on_submit():
        return _ask_for_run(identity, source, full=True)
    return render_template("admin/full_run.html", source=source, form=form,
                           province_label=province_label), (400 if request.method == "POST" else 200)
