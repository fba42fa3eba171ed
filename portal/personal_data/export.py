"""A reader's own data as one JSON document (Decree 13/2023, the right of access): the account
with the ID number in clear, their access requests, the messages of those requests, their grants,
their inbox, their saved searches and their search history. Nothing of other people (the staff who decided or wrote are "archive"), and no
audit rows: the audit log is the archives' record of what was done, not the reader's data."""
from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.access.models import AccessGrant, AccessRequest, Notification, RequestComment
from portal.personal_data import NOTICE_VERSION
from portal.personal_data.encryption import id_number_of
from portal.saved_searches.models import SavedSearch, SearchHistoryEntry

FORMAT = "archives-portal-personal-data/1"
# Inbox notices name the other side (the reader who asked, the member of staff who wrote): left out.
_OTHER_PEOPLE = frozenset({"reader", "author", "reader_deleted", "author_deleted"})


def _moment(value):
    return value.isoformat() if isinstance(value, (datetime, date)) else value


def _fields(row, names: tuple[str, ...]) -> dict:
    return {name: _moment(getattr(row, name)) for name in names}


def personal_data_of(db: Session, user, *, now: datetime) -> dict:
    requests = list(db.scalars(select(AccessRequest).where(AccessRequest.requester_id == user.id)
                               .order_by(AccessRequest.id)))
    request_ids = [access_request.id for access_request in requests]
    comments = list(db.scalars(select(RequestComment).where(RequestComment.request_id.in_(request_ids))
                               .order_by(RequestComment.id))) if request_ids else []
    grants = db.scalars(select(AccessGrant).where(AccessGrant.user_id == user.id).order_by(AccessGrant.id))
    inbox = db.scalars(select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))
    saved = db.scalars(select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.id))
    history = db.scalars(select(SearchHistoryEntry).where(SearchHistoryEntry.user_id == user.id)
                         .order_by(SearchHistoryEntry.searched_at.desc()))
    account = _fields(user, ("id", "email", "full_name", "phone", "workplace", "roles", "province", "created_at",
                             "email_verified_at", "last_login_at", "consent_at", "consent_notice_version"))
    account["id_number"] = id_number_of(user)
    account["signed_in_through"] = "government single sign-on" if user.is_official else "reader account"
    return {
        "format": FORMAT,
        "exported_at": now.isoformat(),
        "privacy_notice_version": NOTICE_VERSION,
        "account": account,
        "access_requests": [_fields(access_request, (
            "id", "record_id", "record_title", "record_reference_code", "record_level", "holding_province",
            "kind", "purpose", "use_description", "research_topic", "period_wanted", "state", "submitted_at", "due_on",
            "decided_at", "decision_reason")) for access_request in requests],
        "messages": [{"request_id": comment.request_id, "from": "archive" if comment.by_staff else "you",
                      "body": comment.body, "created_at": _moment(comment.created_at)} for comment in comments
                     if comment.by_staff or comment.author_id == user.id],
        "grants": [_fields(grant, ("id", "request_id", "scope", "scope_record_id", "scope_level", "scope_title",
                                   "holding_province", "granted_at", "expires_at", "state", "revoked_at",
                                   "revoke_reason")) for grant in grants],
        "inbox": [dict(_fields(entry, ("id", "kind", "request_id", "grant_id", "created_at", "read_at")),
                       params={key: value for key, value in (entry.params or {}).items()
                               if key not in _OTHER_PEOPLE}) for entry in inbox],
        "saved_searches": [_fields(entry, ("id", "name", "query", "lang", "alert", "created_at",
                                           "last_alert_sent_at")) for entry in saved],
        "search_history": [_fields(entry, ("query", "hits", "searched_at")) for entry in history],
    }


def as_json(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False)
