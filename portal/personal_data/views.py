"""Pages of personal data: the privacy notice, and a reader's download and deletion of their data."""
from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.access import clock
from portal.access.identity import current_identity
from portal.audit import actions
from portal.audit.log import record_event
from portal.auth.forms import DeleteAccountForm
from portal.auth.passwords import password_matches
from portal.auth.session import sign_out
from portal.database import get_db
from portal.labels import province_label
from portal.personal_data import NOTICE_VERSION, deletion
from portal.personal_data.encryption import Undecryptable, id_number_of
from portal.personal_data.export import as_json, personal_data_of

log = logging.getLogger(__name__)
personal_data_blueprint = Blueprint("personal_data", __name__)


@personal_data_blueprint.get("/privacy")
def privacy_notice():
    return render_template("personal_data/privacy.html", notice_version=NOTICE_VERSION)


@personal_data_blueprint.get("/account/data")
@login_required
def download():
    now = clock.now()
    try:
        document = personal_data_of(get_db(), current_user, now=now)
    except Undecryptable as error:
        log.error("personal data export of user %s: %s", current_user.id, error)
        abort(503, description=_("Your data cannot be exported just now. The archive has been told; try later."))
    record_event(actions.ACCOUNT_EXPORT, target_id=f"user:{current_user.id}")
    return Response(as_json(document), mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="my-data-{now:%Y-%m-%d}.json"',
        "Cache-Control": "no-store"})


@personal_data_blueprint.post("/account/delete")
@login_required
def delete_account():
    user = current_user._get_current_object()
    if deletion.refusal(user) is not None:
        abort(403)
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if password_matches(user.password_hash, form.password.data):
            deletion.delete_account(get_db(), user)
            sign_out()
            flash(_("Your account is deleted. Your access requests are kept by the archives without your name, "
                    "as the law on archives requires."), "notice")
            return redirect(url_for("search.home"))
        form.password.errors = [_("Wrong password: your account is not deleted.")]
    return account_page(user, form), 400


def account_page(user, delete_form: DeleteAccountForm) -> str:
    """/account: the person's details (their ID number in clear), their data and its deletion."""
    identity = current_identity()
    try:
        id_number = id_number_of(user)
    except Undecryptable as error:
        log.error("account page of user %s: %s", user.id, error)
        id_number = None
    return render_template("auth/account.html", user=user, identity=identity,
                           province=province_label(identity.province) if identity.province else None,
                           id_number=id_number, delete_form=delete_form, deletion_refused=deletion.refusal(user))


def limit_delete_attempts(app) -> None:
    """Password guesses through the deletion form count like sign-in attempts."""
    limiter = app.extensions["portal_limiter"]
    endpoint = "personal_data.delete_account"
    app.view_functions[endpoint] = limiter.limit(app.config["RATELIMIT_SIGN_IN"], methods=["POST"])(
        app.view_functions[endpoint])
