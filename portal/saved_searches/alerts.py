"""Alerts of saved searches: the notices job (`flask notices send`) runs each due one again for its reader
and mails what is new.

"New" is what changed (first harvested, or harvested again with a change) after the last alert looked, up
to now: the record's `changed_at`, which the index writer keeps as it was on a record whose content hash is
unchanged (a full re-harvest rewrites every `harvested_at`, and would make the whole catalogue new). The saved search runs through the search
service with the reader's own identity and grants, so the permission filter is the one every search has;
and a mail, a channel the archives do not control, names only records anyone may know exist (the
anonymous visitor's filter on top): never a closed record, not even to staff who may see it in the portal.
A mail carries titles and links, never content. A mail that fails leaves the alert where it was, so the
next run of the job mails the same records (and any newer) again.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, quote

from flask import current_app
from flask_babel import force_locale, format_date, gettext as _, ngettext
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from portal.access import clock
from portal.access.grants import active_scope_ids
from portal.access.identity import ANONYMOUS, identity_of_user
from portal.access.policy import visible_filter
from portal.audit import actions as audit_actions
from portal.audit.log import described, record_event
from portal.auth.models import User
from portal.auth.tokens import UNSUBSCRIBE_ALERT, InvalidToken, make_token, read_token
from portal.creators.service import CreatorService, creator_search_filter
from portal.mail import MailNotSent, send_mail
from portal.saved_searches.models import ALERT_DAILY, ALERT_NONE, ALERT_WEEKLY, SavedSearch
from portal.search.params import SearchParamError, SearchParams, parse_search_params
from portal.search.service import SearchResult, SearchService

log = logging.getLogger(__name__)

PERIODS = {ALERT_DAILY: timedelta(days=1), ALERT_WEEKLY: timedelta(days=7)}
MAILED_HITS = 20  # a mail names at most this many; the link to the search shows them all


@dataclass
class AlertOutcome:
    sent: int = 0
    nothing_new: int = 0
    failed: int = 0


def due_alerts(db: Session, now: datetime) -> list[tuple[SavedSearch, User]]:
    """Saved searches whose alert is due, of readers who can get mail (active, with a verified address)."""
    rows = db.execute(select(SavedSearch, User).join(User, User.id == SavedSearch.user_id).where(
        SavedSearch.alert != ALERT_NONE, User.active.is_(True), User.deleted_at.is_(None),
        User.email.is_not(None), or_(User.email_verified_at.is_not(None), User.oidc_subject.is_not(None)))
        .order_by(SavedSearch.id))
    return [(saved, user) for saved, user in rows
            if saved.alert in PERIODS and (saved.alert_checked_until is None
                                           or clock.aware(saved.alert_checked_until) <= now - PERIODS[saved.alert])]


def saved_params(saved: SavedSearch) -> SearchParams:
    """The saved search as the search page reads it; SearchParamError if it no longer reads."""
    config = current_app.config
    params = parse_search_params(MultiDict(parse_qsl(saved.query, keep_blank_values=False)),
                                 config["SEARCH_MAX_PAGE_SIZE"], config["SEARCH_MAX_WINDOW"])
    return replace(params, page=1, size=MAILED_HITS, search_after=None, total_bound=None)  # the mail counts all


def saved_narrowing(db: Session, search: SearchService, saved: SavedSearch) -> tuple[dict, ...]:
    """What the search page adds to the parameters: the records of one creator (`creator_id`)."""
    creator_id = MultiDict(parse_qsl(saved.query, keep_blank_values=False)).get("creator_id")
    found, _creator = creator_search_filter(db, CreatorService(search.client, search.alias), creator_id)
    return (found,) if found else ()


def new_matches(search: SearchService, user: User, params: SearchParams, since: datetime, until: datetime,
                db: Session, narrowing: tuple[dict, ...] = ()) -> SearchResult:
    """The records of the search that the reader may see, that anyone may know exist, harvested in (since, until]."""
    identity = identity_of_user(user, active_scope_ids(db, user.id, until))
    window = {"range": {"changed_at": {"gt": since.isoformat(), "lte": until.isoformat()}}}
    return search.search(identity, params, extra_filters=(window, visible_filter(ANONYMOUS), *narrowing))


def send_alerts(db: Session, search: SearchService, now: datetime) -> AlertOutcome:
    outcome = AlertOutcome()
    base_url = (current_app.config.get("PORTAL_BASE_URL") or "").rstrip("/")
    for saved, user in due_alerts(db, now):
        if not base_url:  # an alert's links and its unsubscribe address must be whole addresses
            log.error("saved-search alerts not sent: PORTAL_BASE_URL is not set")
            outcome.failed += 1
            continue
        try:
            params = saved_params(saved)
            narrowing = saved_narrowing(db, search, saved)
        except SearchParamError as error:
            log.warning("saved search %s no longer reads (%s): its alert is skipped", saved.id, error)
            outcome.failed += 1
            continue
        since = clock.aware(saved.alert_checked_until) or now - PERIODS[saved.alert]
        with force_locale(saved.lang):  # the hits' labels too: outside a page there is no language to ask
            result = new_matches(search, user, params, since, now, db, narrowing)
        record_event(audit_actions.SEARCH, actor=str(user.id), details={
            "channel": "alert", "saved_search": saved.id, "params": described(params), "hits": result.total})
        if result.total:
            unsubscribe = f"{base_url}/alerts/unsubscribe/{unsubscribe_token(saved)}"
            with force_locale(saved.lang):
                subject, body = alert_text(saved, result, since, base_url, unsubscribe)
            try:
                send_mail(user.email, subject, body, headers={
                    "List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
            except MailNotSent:
                log.warning("alert of saved search %s not mailed; the next run tries again", saved.id)
                outcome.failed += 1
                continue
            saved.last_alert_sent_at = now
            outcome.sent += 1
        else:
            outcome.nothing_new += 1
        saved.alert_checked_until = now
        db.commit()
    return outcome


def alert_text(saved: SavedSearch, result: SearchResult, since: datetime, base_url: str,
               unsubscribe: str) -> tuple[str, str]:
    """Subject and body, in the language of the moment: titles, references and links, never content."""
    subject = ngettext("%(num)s new record for your saved search “%(name)s”",
                       "%(num)s new records for your saved search “%(name)s”", result.total, name=saved.name)
    lines = [_("New records that match your saved search “%(name)s”, harvested since %(day)s:",
               name=saved.name, day=format_date(since, "long")), ""]
    for hit in result.hits:
        details = ", ".join(str(value) for value in (hit.get("reference_code"), _period(hit)) if value)
        lines.append(f"- {hit.get('title') or hit['id']}" + (f" ({details})" if details else ""))
        lines.append(f"  {base_url}/records/{quote(hit['id'], safe=':/')}")
    if result.total > len(result.hits):
        lines += ["", _("and %(num)s more.", num=result.total - len(result.hits))]
    lines += ["", _("See the search: %(url)s", url=f"{base_url}/search?{saved.query}"),
              _("Your saved searches: %(url)s", url=f"{base_url}/saved-searches"),
              _("Stop these e-mails for this search: %(url)s", url=unsubscribe)]
    return subject, "\n".join(lines) + "\n"


def _period(hit: dict) -> str:
    start, end = (hit.get("date_start") or "")[:4], (hit.get("date_end") or "")[:4]
    return start if start == end or not end else f"{start}–{end}"


def unsubscribe_token(saved: SavedSearch) -> str:
    return make_token(UNSUBSCRIBE_ALERT, {"saved": saved.id, "user": saved.user_id})


def saved_search_of_token(db: Session, token: str) -> SavedSearch | None:
    """The saved search an unsubscribe link names, if the link is ours and the search still there."""
    try:
        payload = read_token(UNSUBSCRIBE_ALERT, token)
    except InvalidToken:
        return None
    saved = db.get(SavedSearch, payload.get("saved")) if isinstance(payload.get("saved"), int) else None
    return saved if saved is not None and saved.user_id == payload.get("user") else None

