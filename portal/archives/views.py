"""The archives' pages: `/archives` (the 34, listed and on a map), `/archives/<province>` (one archive,
ISDIAH-shaped, with its sources' last harvest and its fonds counted as the reader may see them) and
`/archives/<province>/edit` (its admins')."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.access.guard import identity_allowed
from portal.access.identity import current_identity
from portal.archives.forms import ArchiveForm
from portal.archives.service import (EDITABLE, InvalidDescription, all_archives, archive_of, checked_description,
                                     may_edit, sources_harvested, update_archive)
from portal.database import get_db
from portal.opensearch import get_client, records_alias
from portal.records.service import RecordService

archives_blueprint = Blueprint("archives", __name__)


@archives_blueprint.get("/archives")
def archives_page():
    return render_template("archives/list.html", archives=all_archives(get_db()))


@archives_blueprint.get("/archives/<province>")
def archive_page(province: str):
    archive = archive_of(get_db(), province)
    if archive is None:
        abort(404)
    identity = current_identity()
    fonds = RecordService(get_client(), records_alias()).fonds_of_province(identity, archive.province)
    return render_template("archives/archive.html", archive=archive, fonds=fonds,
                           sources=sources_harvested(get_db(), archive.province),
                           may_edit=may_edit(identity, archive.province))


@archives_blueprint.route("/archives/<province>/edit", methods=["GET", "POST"])
def edit_archive(province: str):
    db = get_db()
    archive = archive_of(db, province)
    if archive is None:
        abort(404)
    identity = identity_allowed(lambda who: may_edit(who, archive.province))
    form = ArchiveForm(obj=archive)
    if form.validate_on_submit():
        try:
            values = checked_description({name: form[name].data for name in EDITABLE})
        except InvalidDescription as invalid:
            for name, (message, params) in invalid.problems.items():
                form[name].errors.append(_(message, **params))
        else:
            changed_by = current_user.email or current_user.full_name or f"user {identity.user_id}"
            if update_archive(db, identity, archive, values, changed_by):
                flash(_("The description of %(archive)s is saved.", archive=archive.name), "notice")
            else:
                flash(_("Nothing was changed."), "notice")
            return redirect(url_for("archives.archive_page", province=archive.province), code=303)
    return render_template("archives/edit.html", archive=archive, form=form)
