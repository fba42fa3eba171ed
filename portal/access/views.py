"""Pages of the access workflow: a reader asks (`/requests/new`), follows their requests and
grants (`/requests`); staff decide their province's queue (`/staff/requests`) and revoke
grants (`/staff/grants`); everyone signed in has an inbox (`/inbox`). And `flask grants expire`.

HTTP only: the rules live in workflow.py and grants.py.
"""
from __future__ import annotations

import logging

import click
from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from portal.access import clock, grants, notifications, workflow
from portal.access.due_dates import is_overdue, local_date
from portal.access.forms import (AcceptForm, AccessRequestForm, ApproveForm, CommentForm, DenyForm, RevokeForm,
                                 WithdrawForm)
from portal.access.guard import identity_allowed
from portal.access.identity import Identity, current_identity
from portal.access.models import KIND_CONTENT, REQUEST_KINDS, SCOPES, SUBMITTED
from portal.access.roles import DECIDE_ALL_REQUESTS, REQUEST_ACCESS
from portal.database import get_db
from portal.formatting import day
from portal.labels import province_label
from portal.menu import decides_requests
from portal.opensearch import get_client, records_alias
from portal.personal_data.encryption import Undecryptable, id_number_of
from portal.personal_data.names import person_name
from portal.records.service import RecordNotFound, RecordService

log = logging.getLogger(__name__)

access_blueprint = Blueprint("access", __name__)


# ---- the record, as the index gives it to this identity ---------------------------------------

def _records() -> RecordService:
    return RecordService(get_client(), records_alias())


def holdings_of(identity: Identity, record: dict) -> workflow.Holdings:
    """What the record holds that a grant would open, as this identity may be told it."""
    locked, locked_with_copy = 0, 0
    if record.get("level") in workflow.REQUESTABLE_CONTAINERS:
        locked, locked_with_copy = _records().locked_inside(identity, record)
    return workflow.Holdings(files=len(record.get("files") or []), full_text=bool(record.get("has_full_text")),
                             locked_inside=locked, locked_with_copy=locked_with_copy)


def _record_or_404(identity: Identity, record_id: str) -> dict:
    try:
        return _records().get(identity, record_id)
    except RecordNotFound:
        abort(404)


def access_offer(record: dict) -> dict | None:
    """For the record page: whether (and how) this person may ask for the record, and what it holds."""
    identity = current_identity()
    if record.get("content_visible") and record.get("level") not in workflow.REQUESTABLE_CONTAINERS:
        return None
    holdings = holdings_of(identity, record)
    if workflow.requestable_problem(identity, record, restricted_inside=holdings.locked_inside):
        return None
    asks = [(kind, url_for("access.new_request", record=record["id"],
                           kind=None if kind == KIND_CONTENT else kind)) for kind in holdings.kinds()]
    offer = {"holdings": holdings, "asks": asks, "inside": holdings.locked_inside}
    if not identity.user_id:
        return {**offer, "kind": "sign_in", "asks": [(kind, url_for("auth.login", next=url)) for kind, url in asks]}
    if not identity.can(REQUEST_ACCESS):
        return None
    open_request = workflow.open_request_for(get_db(), identity, record["id"])
    if open_request is not None:
        return {**offer, "kind": "open", "request": open_request,
                "url": url_for("access.reader_request", request_id=open_request.id)}
    return {**offer, "kind": "ask"}


def _deliver(entries: list) -> None:
    if entries:
        notifications.deliver(get_db(), entries)


# ---- readers ----------------------------------------------------------------------------------

@access_blueprint.route("/requests/new", methods=["GET", "POST"])
@login_required
def new_request():
    identity = current_identity()
    if not identity.can(REQUEST_ACCESS):
        abort(403)
    record_id = (request.args.get("record") or "").strip()
    if not record_id:
        abort(404)
    record = _record_or_404(identity, record_id)
    kind = request.args.get("kind") or KIND_CONTENT
    if kind not in REQUEST_KINDS:
        abort(404)
    holdings = holdings_of(identity, record)
    inside = holdings.locked_inside
    problem = workflow.requestable_problem(identity, record, restricted_inside=inside)
    if problem is None and kind not in holdings.kinds():  # e.g. an old link asking for content there is none of
        return redirect(url_for("access.new_request", record=record_id,
                                kind=None if holdings.kinds()[0] == KIND_CONTENT else holdings.kinds()[0]))
    existing = workflow.open_request_for(get_db(), identity, record_id)
    form = AccessRequestForm()
    status = 200
    if problem is None and existing is None and form.validate_on_submit():
        details = workflow.RequestDetails(form.purpose.data, form.use_description.data, form.research_topic.data,
                                          form.period_wanted.data)
        try:
            access_request, entries = workflow.create_request(get_db(), identity, record, details,
                                                              restricted_inside=inside, kind=kind, holdings=holdings)
        except workflow.RequestProblem as refused:
            flash(str(refused.message), "error")
            status = 400
        else:
            _deliver(entries)
            flash(_("Your request is sent to the holding archive. It is due by %(due)s.",
                    due=day(access_request.due_on)), "notice")
            return redirect(url_for("access.reader_request", request_id=access_request.id))
    elif request.method == "POST":
        status = 409 if problem is None and existing is not None else 400
    return render_template("requests/new.html", record=record, form=form, problem=problem, existing=existing,
                           inside=inside, kind=kind, holdings=holdings), status


@access_blueprint.get("/requests")
@login_required
def my_requests():
    identity = current_identity()
    db = get_db()
    now = clock.now()
    user_grants = grants.grants_of_user(db, int(identity.user_id))
    return render_template("requests/list.html", requests=workflow.requests_of_reader(db, int(identity.user_id)),
                           grants=user_grants, is_active=lambda grant: grants.is_active(grant, now),
                           last_day=grants.last_day, withdraw_form=WithdrawForm(),
                           state_label=workflow.state_label, today=local_date(now))


@access_blueprint.get("/requests/<int:request_id>")
@login_required
def reader_request(request_id: int):
    return _reader_page(_own_request_or_404(current_identity(), request_id))


def _own_request_or_404(identity: Identity, request_id: int):
    """The reader's own request; another's answers as if it did not exist."""
    try:
        return workflow.own_request(get_db(), identity, request_id)
    except workflow.RequestNotFound:
        abort(404)


def _reader_page(access_request, comment_form=None, status=200):
    now = clock.now()
    return render_template("requests/request.html", access_request=access_request,
                           comment_form=comment_form or CommentForm(), withdraw_form=WithdrawForm(),
                           state_label=workflow.state_label, purpose_labels=workflow.PURPOSE_LABELS,
                           is_active=lambda grant: grants.is_active(grant, now), last_day=grants.last_day), status


@access_blueprint.get("/requests/<int:request_id>/withdraw")
@login_required
def confirm_withdraw(request_id: int):
    """The second step of a withdrawal: it cannot be undone, so the reader confirms on a page of its own
    (no script: the Content-Security-Policy allows none inline, and a page works everywhere)."""
    access_request = _own_request_or_404(current_identity(), request_id)
    if access_request.state != SUBMITTED:
        flash(_("This request is already %(state)s.", state=workflow.state_label(access_request.state)), "error")
        return redirect(url_for("access.reader_request", request_id=request_id))
    return render_template("requests/withdraw.html", access_request=access_request, withdraw_form=WithdrawForm())


@access_blueprint.post("/requests/<int:request_id>/withdraw")
@login_required
def withdraw(request_id: int):
    identity = current_identity()
    db = get_db()
    access_request = _own_request_or_404(identity, request_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        entries = workflow.withdraw(db, identity, access_request, expected_version=form.version.data)
    except workflow.RequestProblem as refused:
        flash(str(refused.message), "error")
        return _reader_page(access_request, status=409)
    _deliver(entries)
    flash(_("Your request is withdrawn."), "notice")
    return redirect(url_for("access.reader_request", request_id=request_id))


@access_blueprint.post("/requests/<int:request_id>/comments")
@login_required
def reader_comment(request_id: int):
    identity = current_identity()
    db = get_db()
    access_request = _own_request_or_404(identity, request_id)
    form = CommentForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _reader_page(access_request, comment_form=form, status=400)
    try:
        entries = workflow.add_comment(db, identity, access_request, form.body.data)
    except workflow.RequestProblem as refused:
        flash(str(refused.message), "error")
        return _reader_page(access_request, comment_form=form, status=409)
    _deliver(entries)
    return redirect(url_for("access.reader_request", request_id=request_id) + "#thread")


# ---- staff ------------------------------------------------------------------------------------

def _require_decider() -> None:
    """Staff who decide requests (their province's, or all for a national admin); else 403."""
    identity_allowed(decides_requests)


def _staff_request_or_404(identity: Identity, request_id: int):
    _require_decider()
    try:
        return workflow.request_for_staff(get_db(), identity, request_id)
    except workflow.RequestNotFound:
        abort(404)


@access_blueprint.get("/staff/requests")
@login_required
def staff_queue():
    identity = current_identity()
    _require_decider()
    show_all = request.args.get("state") == "all"
    province = request.args.get("province") if identity.can(DECIDE_ALL_REQUESTS) else None
    now = clock.now()
    queue = workflow.staff_queue(get_db(), identity, only_open=not show_all, province=province or None)
    return render_template("staff/queue.html", queue=queue, show_all=show_all, state_label=workflow.state_label,
                           overdue=lambda r: r.state == SUBMITTED and is_overdue(r.due_on, now),
                           province_label=province_label, national=identity.can(DECIDE_ALL_REQUESTS))


def _scope_choices(identity: Identity, access_request) -> dict[str, dict]:
    try:
        service = _records()
        record = service.get(identity, access_request.record_id)
        ancestors = service.ancestors(identity, record)
    except RecordNotFound:
        return {}
    return workflow.scope_options(record, ancestors)


def _copies_in_scope(identity: Identity, options: dict[str, dict]) -> dict[str, int]:
    """For each scope offered: how many restricted records with a file or a text approving it opens."""
    counts = _records().copies_in_scope(identity, list({entry["id"] for entry in options.values()}))
    return {scope: counts.get(entry["id"], 0) for scope, entry in options.items()}


def _staff_page(access_request, *, approve_form=None, accept_form=None, deny_form=None, comment_form=None,
                status=200):
    identity = current_identity()
    for_content = (access_request.kind or KIND_CONTENT) == KIND_CONTENT
    open_for_content = access_request.state == SUBMITTED and for_content
    options = _scope_choices(identity, access_request) if open_for_content else {}
    opens = _copies_in_scope(identity, options) if options else {}
    # What the reader asked for is preselected: a wider scope is the staff member's choice to make.
    approve_form = approve_form or ApproveForm(formdata=None, expires_on=workflow.default_expiry(), scope="record")
    approve_form.scope.choices = _scope_radio(options, opens)
    now = clock.now()
    requester_id_number, id_unreadable = _requester_id_number(access_request.requester)
    return render_template("staff/request.html", access_request=access_request, options=options, opens=opens,
                           for_content=for_content, accept_form=accept_form or AcceptForm(formdata=None),
                           requester_id_number=requester_id_number, requester_id_unreadable=id_unreadable,
                           approve_form=approve_form, deny_form=deny_form or DenyForm(formdata=None),
                           comment_form=comment_form or CommentForm(formdata=None), revoke_form=RevokeForm(),
                           state_label=workflow.state_label, purpose_labels=workflow.PURPOSE_LABELS,
                           overdue=access_request.state == SUBMITTED and is_overdue(access_request.due_on, now),
                           is_active=lambda grant: grants.is_active(grant, now), last_day=grants.last_day,
                           province_label=province_label, max_days=workflow.MAX_GRANT_DAYS), status


def _requester_id_number(requester) -> tuple[str | None, bool]:
    """The reader's ID number for the staff deciding their request (never logged nor audited)."""
    try:
        return id_number_of(requester), False
    except Undecryptable as error:
        log.error("request page: the ID number of user %s: %s", requester.id, error)
        return None, True


def _staff_step(access_request, form, form_name: str, step, problem_status: int | None = None):
    """Check a staff form and run its workflow step: (the step's result, None), or (None, the
    request page again) with the form's errors (400) or the refusal (409 when someone else
    decided first, else 400 or `problem_status`)."""
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return None, _staff_page(access_request, **{form_name: form}, status=400)
    try:
        return step(), None
    except workflow.RequestNotFound:
        abort(404)
    except workflow.RequestProblem as refused:
        flash(str(refused.message), "error")
        status = 409 if isinstance(refused, workflow.DecisionConflict) else (problem_status or 400)
        return None, _staff_page(access_request, **{form_name: form}, status=status)


def _scope_radio(options: dict[str, dict], opens: dict[str, int]) -> list[tuple[str, str]]:
    """The choices shown: each record once (for a request about a file, "record" is the file), each
    saying how many records with a digital copy it opens."""
    seen, choices = set(), []
    for scope in SCOPES:
        if scope in options and options[scope]["id"] not in seen:
            seen.add(options[scope]["id"])
            entry = options[scope]
            count = opens.get(scope, 0)
            what = ngettext("opens %(num)s record with files or text", "opens %(num)s records with files or text",
                            count) if count else _("no digital copy: opens nothing")
            choices.append((scope, f"{workflow.SCOPE_LABELS[scope]}: {entry['reference_code'] or ''} — "
                                   f"{entry['title']} ({what})"))
    return choices


@access_blueprint.get("/staff/requests/<int:request_id>")
@login_required
def staff_request(request_id: int):
    return _staff_page(_staff_request_or_404(current_identity(), request_id))


@access_blueprint.post("/staff/requests/<int:request_id>/approve")
@login_required
def approve(request_id: int):
    identity = current_identity()
    access_request = _staff_request_or_404(identity, request_id)
    options = _scope_choices(identity, access_request)
    form = ApproveForm()
    # Any scope the record has is accepted (a file's "file" is its "record"); the rules are checked in workflow.approve.
    form.scope.choices = [(scope, scope) for scope in (options or SCOPES)]
    outcome, page = _staff_step(access_request, form, "approve_form", lambda: workflow.approve(
        get_db(), identity, access_request, expected_version=form.version.data, scope=form.scope.data,
        options=options, expires_on=form.expires_on.data, note=form.note.data or ""))
    if page:
        return page
    grant, entries = outcome
    _deliver(entries)
    flash(_("Approved: %(reader)s may read %(scope)s until %(until)s.", reader=person_name(access_request.requester),
            scope=grant.scope_title, until=day(grants.last_day(grant))), "notice")
    return redirect(url_for("access.staff_request", request_id=request_id))


@access_blueprint.post("/staff/requests/<int:request_id>/accept")
@login_required
def accept(request_id: int):
    """Approve a reading-room visit or a copy, with the note that tells the reader what happens next."""
    identity = current_identity()
    access_request = _staff_request_or_404(identity, request_id)
    form = AcceptForm()
    entries, page = _staff_step(access_request, form, "accept_form", lambda: workflow.accept(
        get_db(), identity, access_request, expected_version=form.version.data, note=form.note.data))
    if page:
        return page
    _deliver(entries)
    flash(_("Accepted: the reader is sent your note."), "notice")
    return redirect(url_for("access.staff_request", request_id=request_id))


@access_blueprint.post("/staff/requests/<int:request_id>/deny")
@login_required
def deny(request_id: int):
    identity = current_identity()
    access_request = _staff_request_or_404(identity, request_id)
    form = DenyForm()
    entries, page = _staff_step(access_request, form, "deny_form", lambda: workflow.deny(
        get_db(), identity, access_request, expected_version=form.version.data, reason=form.reason.data))
    if page:
        return page
    _deliver(entries)
    flash(_("The request is denied; the reader is told the reason."), "notice")
    return redirect(url_for("access.staff_request", request_id=request_id))


@access_blueprint.post("/staff/requests/<int:request_id>/comments")
@login_required
def staff_comment(request_id: int):
    identity = current_identity()
    access_request = _staff_request_or_404(identity, request_id)
    form = CommentForm()
    entries, page = _staff_step(access_request, form, "comment_form",
                                lambda: workflow.add_comment(get_db(), identity, access_request, form.body.data),
                                problem_status=409)
    if page:
        return page
    _deliver(entries)
    return redirect(url_for("access.staff_request", request_id=request_id) + "#thread")


@access_blueprint.get("/staff/grants")
@login_required
def staff_grants():
    identity = current_identity()
    _require_decider()
    return render_template("staff/grants.html", grants=grants.grants_of_province(get_db(), identity),
                           revoke_form=RevokeForm(), last_day=grants.last_day, province_label=province_label)


@access_blueprint.post("/staff/grants/<int:grant_id>/revoke")
@login_required
def revoke(grant_id: int):
    identity = current_identity()
    _require_decider()
    form = RevokeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        grant = grants.revoke(get_db(), identity, grant_id, form.reason.data or "")
    except grants.GrantNotFound:
        abort(404)
    except grants.GrantAlreadyEnded:
        flash(_("This grant has already ended."), "error")
        return redirect(url_for("access.staff_grants"))
    flash(_("The grant is revoked; the reader can no longer read %(scope)s.", scope=grant.scope_title), "notice")
    if grant.request_id:
        return redirect(url_for("access.staff_request", request_id=grant.request_id))
    return redirect(url_for("access.staff_grants"))


# ---- inbox ------------------------------------------------------------------------------------

@access_blueprint.get("/inbox")
@login_required
def inbox():
    identity = current_identity()
    db = get_db()
    entries = notifications.inbox_of(db, int(identity.user_id))
    unread = {entry.id for entry in entries if entry.read_at is None}
    shown = [(entry, *notifications.text_of(entry), notifications.link_of(entry)) for entry in entries]
    response = render_template("requests/inbox.html", entries=shown, unread=unread)
    if unread:
        notifications.mark_all_read(db, int(identity.user_id))
    return response


# ---- wiring -----------------------------------------------------------------------------------

grants_cli = AppGroup("grants", help="Access grants.")


@grants_cli.command("expire")
@click.option("--notice-days", default=7, show_default=True, help="Tell holders this many days before the end.")
def grants_expire(notice_days: int):
    """Mark ended grants as expired; tell holders of grants that end soon."""
    from datetime import timedelta

    expired, noticed = grants.expire_grants(get_db(), notice_before=timedelta(days=notice_days))
    click.echo(f"{expired} grant(s) marked expired, {noticed} holder(s) told their grant ends soon")


notices_cli = AppGroup("notices", help="Notices of the access workflow.")


@notices_cli.command("send")
@click.option("--pending-minutes", default=10, show_default=True,
              help="Mail pending notices older than this (younger ones go out after their page).")
@click.option("--max-attempts", default=notifications.MAX_MAIL_ATTEMPTS, show_default=True,
              help="Give up on a mail after this many failures (the inbox entry stays).")
def notices_send(pending_minutes: int, max_attempts: int):
    """Mail the notices still owed: failed mails and pending ones whose page did not send them."""
    from datetime import timedelta

    from portal.saved_searches.alerts import send_alerts
    from portal.saved_searches.service import HISTORY_DAYS, remove_aged_history
    from portal.search.service import SearchService

    outcome = notifications.send_waiting(get_db(), clock.now(), timedelta(minutes=pending_minutes), max_attempts)
    click.echo(f"{outcome['sent']} mailed, {outcome['failed']} failed ({outcome['given_up']} given up after "
               f"{max_attempts} attempts), {outcome['none']} without an address")
    # The same job mails saved searches' alerts that are due, and forgets search history past its time.
    alerts = send_alerts(get_db(), SearchService(get_client(), records_alias()), clock.now())
    forgotten = remove_aged_history(get_db(), clock.now())
    click.echo(f"saved-search alerts: {alerts.sent} mailed, {alerts.nothing_new} with nothing new, "
               f"{alerts.failed} failed; {forgotten} searches older than {HISTORY_DAYS} days forgotten")
    if outcome["failed"] or alerts.failed:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.register_blueprint(access_blueprint)
    app.cli.add_command(grants_cli)
    app.cli.add_command(notices_cli)
    app.add_template_global(access_offer, "access_offer")
    app.add_template_global(workflow.kind_label, "kind_label")

    @app.context_processor
    def access_menu():
        identity = current_identity()

        def inbox_unread() -> int:
            if not identity.user_id:
                return 0
            return notifications.unread_count(get_db(), int(identity.user_id))

        return {"inbox_unread": inbox_unread}
