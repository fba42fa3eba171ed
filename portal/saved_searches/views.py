"""The saved-searches page (`/saved-searches`: saved searches with their alerts, and recent history), saving
from the search page, and the unsubscribe link of alert mails (`/alerts/unsubscribe/<token>`), which needs
no sign-in: a GET shows one button, a POST (the button, or a mail program's one-click POST of RFC 8058)
turns the alert off."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from portal.access import clock
from portal.access.identity import current_identity
from portal.database import get_db
from portal.saved_searches import service
from portal.saved_searches.alerts import saved_search_of_token
from portal.saved_searches.forms import ALERT_OPTIONS, AlertForm, ConfirmForm, SaveSearchForm
from portal.saved_searches.models import ALERT_NONE
from portal.saved_searches.summary import search_summary

saved_searches_blueprint = Blueprint("saved_searches", __name__)


def _user_id() -> int:
    return int(current_identity().user_id)


@saved_searches_blueprint.get("/saved-searches")
@login_required
def saved_searches():
    db = get_db()
    saved = service.saved_searches_of(db, _user_id())
    alert_forms = {entry.id: AlertForm(alert=entry.alert, prefix=f"s{entry.id}") for entry in saved}
    return render_template("saved_searches/list.html", saved=saved, alert_forms=alert_forms,
                           confirm=ConfirmForm(), history=service.history_of(db, _user_id(), clock.now()),
                           alert_labels=dict(ALERT_OPTIONS))


@saved_searches_blueprint.post("/saved-searches")
@login_required
def save_search():
    form = SaveSearchForm(prefix="save")  # the search page's form (portal/search/views.py)
    if not form.validate_on_submit():
        abort(400)
    try:
        service.save_search(get_db(), _user_id(), form.query.data, form.name.data or search_summary(form.query.data),
                            str(get_locale()),
                            form.alert.data, clock.now())
    except service.SavedSearchError:
        flash(_("This search could not be saved: you may keep at most %(num)s saved searches.",
                num=service.MAX_SAVED), "error")
    else:
        flash(_("The search is saved."))
    return redirect(url_for("saved_searches.saved_searches"))


def _own(saved_id: int):
    saved = service.saved_search_of(get_db(), _user_id(), saved_id)
    if saved is None:
        abort(404)
    return saved


@saved_searches_blueprint.post("/saved-searches/<int:saved_id>/alert")
@login_required
def change_alert(saved_id: int):
    saved = _own(saved_id)
    form = AlertForm(prefix=f"s{saved.id}")
    if not form.validate_on_submit():
        abort(400)
    service.set_alert(get_db(), saved, form.alert.data, clock.now())
    flash(_("E-mail for “%(name)s”: %(choice)s.", name=saved.name, choice=dict(ALERT_OPTIONS)[saved.alert]))
    return redirect(url_for("saved_searches.saved_searches"))


@saved_searches_blueprint.post("/saved-searches/<int:saved_id>/delete")
@login_required
def delete_saved(saved_id: int):
    saved = _own(saved_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.delete_saved_search(get_db(), saved)
    flash(_("The saved search “%(name)s” is deleted.", name=saved.name))
    return redirect(url_for("saved_searches.saved_searches"))


@saved_searches_blueprint.post("/saved-searches/history/forget")
@login_required
def forget_history():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.forget_history(get_db(), _user_id())
    flash(_("Your search history is cleared."))
    return redirect(url_for("saved_searches.saved_searches"))


@saved_searches_blueprint.route("/alerts/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    db = get_db()
    saved = saved_search_of_token(db, token)
    if saved is None:
        return render_template("saved_searches/unsubscribe.html", saved=None), 404
    if request.method == "POST":
        if saved.alert != ALERT_NONE:
            service.set_alert(db, saved, ALERT_NONE, clock.now())
        return render_template("saved_searches/unsubscribe.html", saved=saved, done=True)
    return render_template("saved_searches/unsubscribe.html", saved=saved, done=saved.alert == ALERT_NONE)


def init_app(app: Flask) -> None:
    app.register_blueprint(saved_searches_blueprint)
    app.add_template_filter(search_summary, "search_summary")
    # The signed token in the address is the proof: a mail program's one-click POST carries no CSRF token.
    app.extensions["csrf"].exempt(unsubscribe)
