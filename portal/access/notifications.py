"""Notices of the access workflow: an entry in the portal's inbox and an e-mail, to staff of
the holding province when a request arrives, to the reader when it is decided or commented
on, and before a grant expires.

The inbox entry is written in the transaction of the change it reports; the mail goes out
after the commit (`deliver`): once the page is sent when a page made the change, so that a slow
or unreachable SMTP server never holds a reader or a member of staff (a request to a province
mails each of its deciders). A mail that fails is noted on the entry, never undoing the change,
and `flask notices send` tries again (pending mails whose page died with its process, failed
ones up to MAX_MAIL_ATTEMPTS).
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import after_this_request, current_app, has_request_context, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from portal.access import clock
from portal.access.identity import valid_province
from portal.access.kinds import kind_label
from portal.access.models import KIND_CONTENT, MAIL_FAILED, MAIL_NONE, MAIL_PENDING, MAIL_SENT, Notification
from portal.access.roles import DECIDE_OWN_PROVINCE_REQUESTS, permissions_of
from portal.auth.models import User
from portal.formatting import day
from portal.mail import MailNotSent, send_mail

log = logging.getLogger(__name__)

REQUEST_SUBMITTED = "request_submitted"
REQUEST_APPROVED = "request_approved"
REQUEST_DENIED = "request_denied"
REQUEST_WITHDRAWN = "request_withdrawn"
COMMENT_ADDED = "comment_added"
GRANT_REVOKED = "grant_revoked"
GRANT_EXPIRING = "grant_expiring"


def notify(db: Session, user_id: int, kind: str, *, request_id: int | None = None, grant_id: int | None = None,
           **params) -> Notification:
    """Add an inbox entry (committed with the caller's change)."""
    entry = Notification(user_id=user_id, kind=kind, params=params, request_id=request_id, grant_id=grant_id,
                         created_at=clock.now(), mail_state=MAIL_PENDING)
    db.add(entry)
    return entry


def deciders_of(db: Session, province: str) -> list[User]:
    """The active staff who decide requests for this province."""
    code = valid_province(province)
    if code is None:
        return []
    users = db.scalars(select(User).where(User.province == code, User.active.is_(True))).all()
    return [user for user in users if DECIDE_OWN_PROVINCE_REQUESTS in permissions_of(user.role_set, code)]


def text_of(entry: Notification) -> tuple[str, str]:
    """Subject and body of a notice, in the language of the moment."""
    p = dict(entry.params or {})
    title = p.get("title", "")
    for person in ("reader", "author"):  # the reader deleted their account (portal.personal_data.deletion)
        if p.get(f"{person}_deleted"):
            p[person] = _("deleted reader")
    asked = p.get("request_kind") or KIND_CONTENT  # notices written before requests had kinds asked for content
    if entry.kind == REQUEST_SUBMITTED and asked != KIND_CONTENT:
        return (_("New request (%(kind)s): %(title)s", kind=kind_label(asked), title=title),
                _("%(reader)s asks for a %(kind)s: “%(title)s”. Due by %(due)s.", reader=p.get("reader", ""),
                  kind=kind_label(asked).lower(), title=title, due=day(p.get("due"))))
    if entry.kind == REQUEST_SUBMITTED:
        return (_("New access request: %(title)s", title=title),
                _("%(reader)s asks for access to “%(title)s”. Due by %(due)s.", reader=p.get("reader", ""),
                  title=title, due=day(p.get("due"))))
    if entry.kind == REQUEST_APPROVED and asked != KIND_CONTENT:
        return (_("Request accepted (%(kind)s): %(title)s", kind=kind_label(asked), title=title),
                _("Your request (%(kind)s) for “%(title)s” is accepted. The archive's note: %(note)s",
                  kind=kind_label(asked), title=title, note=p.get("note", "")))
    if entry.kind == REQUEST_APPROVED:
        body = _("Your request for “%(title)s” is approved. You may read %(scope)s until %(until)s.",
                 title=title, scope=p.get("scope_title", title), until=day(p.get("until")))
        if p.get("note"):
            body += "\n\n" + _("The archive's note: %(note)s", note=p["note"])
        return _("Access granted: %(title)s", title=title), body
    if entry.kind == REQUEST_DENIED:
        return (_("Access request denied: %(title)s", title=title),
                _("Your request for “%(title)s” is denied. Reason: %(reason)s", title=title,
                  reason=p.get("reason", "")))
    if entry.kind == REQUEST_WITHDRAWN:
        return (_("Request withdrawn: %(title)s", title=title),
                _("%(reader)s withdrew the request for “%(title)s”.", reader=p.get("reader", ""), title=title))
    if entry.kind == COMMENT_ADDED:
        return (_("New message on the request for %(title)s", title=title),
                _("%(author)s wrote: %(body)s", author=p.get("author", ""), body=p.get("body", "")))
    if entry.kind == GRANT_REVOKED:
        return (_("Access revoked: %(title)s", title=title),
                _("Your access to “%(title)s” is revoked. %(reason)s", title=title, reason=p.get("reason", "")))
    if entry.kind == GRANT_EXPIRING:
        return (_("Your access ends soon: %(title)s", title=title),
                _("Your access to “%(title)s” ends on %(until)s. Ask again if you need it longer.",
                  title=title, until=day(p.get("until"))))
    return entry.kind, ""


def link_of(entry: Notification) -> str | None:
    return (entry.params or {}).get("link")


MAX_MAIL_ATTEMPTS = 5


def deliver(db: Session, entries: list[Notification]) -> None:
    """Mail each entry to its person (after the change is committed): once the response is sent when
    serving a page, at once otherwise (the command line)."""
    if not entries:
        return
    if has_request_context():
        _after_the_response([entry.id for entry in entries])
    else:
        send_now(db, entries)


def _after_the_response(entry_ids: list[int]) -> None:
    app = current_app._get_current_object()
    base_url = app.config.get("PORTAL_BASE_URL") or request.host_url

    def send(app=app) -> None:
        # The request and its session are gone by now: a session of our own, the entries read again.
        with app.app_context():
            from portal.database import get_db

            db = get_db()
            try:
                send_now(db, list(db.scalars(select(Notification).where(Notification.id.in_(entry_ids)))),
                         base_url)
            except Exception:  # the page is already sent; `flask notices send` picks the mail up later
                log.exception("notices %s not mailed after the response", entry_ids)
                db.rollback()

    @after_this_request
    def send_on_close(response):
        response.call_on_close(send)
        return response


def send_now(db: Session, entries: list[Notification], base_url: str | None = None) -> None:
    """Mail the entries now and note on each what happened."""
    for entry in entries:
        user = db.get(User, entry.user_id)
        if user is None or not user.email:
            entry.mail_state = MAIL_NONE
            continue
        with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "vi")):
            subject, body = text_of(entry)
            link = link_of(entry)
            if link:
                body = f"{body}\n\n{_absolute(link, base_url)}\n"
        entry.mail_attempts = (entry.mail_attempts or 0) + 1
        try:
            send_mail(user.email, subject, body)
        except MailNotSent as error:
            entry.mail_state, entry.mail_error = MAIL_FAILED, str(error)[:500]
            log.warning("notice %s (%s) not mailed; it stays in the inbox", entry.id, entry.kind)
        else:
            entry.mail_state, entry.mail_error = MAIL_SENT, None
    db.commit()


def send_waiting(db: Session, now: datetime, pending_after: timedelta = timedelta(minutes=10),
                 max_attempts: int = MAX_MAIL_ATTEMPTS) -> dict[str, int]:
    """Mail what is still owed: failed mails with attempts left, and pending ones older than
    `pending_after` (younger ones are about to go out after their page). Returns counts by outcome."""
    waiting = list(db.scalars(select(Notification).where(
        Notification.mail_attempts < max_attempts,
        or_(Notification.mail_state == MAIL_FAILED,
            (Notification.mail_state == MAIL_PENDING) & (Notification.created_at <= now - pending_after)))
        .order_by(Notification.id)))
    send_now(db, waiting)
    outcome = {MAIL_SENT: 0, MAIL_FAILED: 0, MAIL_NONE: 0}
    for entry in waiting:
        outcome[entry.mail_state] = outcome.get(entry.mail_state, 0) + 1
    outcome["given_up"] = sum(1 for entry in waiting
                              if entry.mail_state == MAIL_FAILED and entry.mail_attempts >= max_attempts)
    return outcome


def _absolute(path: str, base_url: str | None = None) -> str:
    base = current_app.config.get("PORTAL_BASE_URL") or base_url or (
        request.host_url if has_request_context() else "")
    return base.rstrip("/") + path if base else path


def unread_count(db: Session, user_id: int) -> int:
    return db.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def inbox_of(db: Session, user_id: int, limit: int = 200) -> list[Notification]:
    return list(db.scalars(select(Notification).where(Notification.user_id == user_id)
                           .order_by(Notification.id.desc()).limit(limit)))


def mark_all_read(db: Session, user_id: int) -> None:
    db.execute(update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
               .values(read_at=clock.now()))
    db.commit()
