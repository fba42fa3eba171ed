"""Access grants: what an approval opens, read on every request, ended by expiry or revocation.

A grant is active while it is neither revoked nor past `expires_at`, checked at read time, so
an expired grant opens nothing even before `flask grants expire` marks it.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from portal.access import clock, events, notifications
from portal.access.due_dates import local_date
from portal.access.identity import Identity
from portal.access.models import GRANT_ACTIVE, GRANT_EXPIRED, GRANT_REVOKED, AccessGrant
from portal.access.roles import DECIDE_ALL_REQUESTS, DECIDE_OWN_PROVINCE_REQUESTS

log = logging.getLogger(__name__)

EXPIRY_NOTICE_BEFORE = timedelta(days=7)


class GrantNotFound(LookupError):
    pass


class GrantAlreadyEnded(Exception):
    pass


def may_decide_for(identity: Identity, province: str | None) -> bool:
    """Whether the identity decides requests (and revokes grants) of records held by this province."""
    if identity.can(DECIDE_ALL_REQUESTS):
        return True
    return bool(province) and identity.can(DECIDE_OWN_PROVINCE_REQUESTS) and identity.province == province


def _active(now: datetime):
    return (AccessGrant.state == GRANT_ACTIVE, AccessGrant.revoked_at.is_(None), AccessGrant.expires_at > now)


def active_scope_ids(db: Session, user_id: int, now: datetime | None = None) -> frozenset[str]:
    """The record ids the user's active grants cover (a record, a file or a fonds): one query."""
    now = now or clock.now()
    rows = db.scalars(select(AccessGrant.scope_record_id).where(AccessGrant.user_id == user_id, *_active(now)))
    return frozenset(rows)


def granted_record_ids_of(user_id) -> frozenset[str]:
    """For current_identity(): the signed-in user's grants; nothing at all if they cannot be read."""
    from portal.database import get_db

    try:
        return active_scope_ids(get_db(), int(user_id))
    except (SQLAlchemyError, TypeError, ValueError):
        log.exception("access grants of user %s could not be read: none applied", user_id)
        get_db().rollback()
        return frozenset()


def grants_of_user(db: Session, user_id: int) -> list[AccessGrant]:
    return list(db.scalars(select(AccessGrant).where(AccessGrant.user_id == user_id)
                           .order_by(AccessGrant.granted_at.desc())))


def is_active(grant: AccessGrant, now: datetime | None = None) -> bool:
    now = now or clock.now()
    return grant.state == GRANT_ACTIVE and grant.revoked_at is None and clock.aware(grant.expires_at) > now


def grants_of_province(db: Session, identity: Identity, now: datetime | None = None) -> list[AccessGrant]:
    """Active grants the identity may revoke (own province; every province for a national admin)."""
    now = now or clock.now()
    query = select(AccessGrant).where(*_active(now)).order_by(AccessGrant.expires_at)
    if not identity.can(DECIDE_ALL_REQUESTS):
        if not may_decide_for(identity, identity.province):
            return []
        query = query.where(AccessGrant.holding_province == identity.province)
    return list(db.scalars(query))


def revoke(db: Session, identity: Identity, grant_id: int, reason: str = "") -> AccessGrant:
    """End a grant now. Staff of another province do not learn that it exists."""
    grant = db.get(AccessGrant, grant_id)
    if grant is None or not may_decide_for(identity, grant.holding_province):
        raise GrantNotFound(grant_id)
    now = clock.now()
    result = db.execute(update(AccessGrant).where(AccessGrant.id == grant_id, AccessGrant.state == GRANT_ACTIVE,
                                                  AccessGrant.revoked_at.is_(None))
                        .values(state=GRANT_REVOKED, revoked_at=now, revoked_by_id=int(identity.user_id),
                                revoke_reason=reason.strip() or None)
                        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.rollback()
        raise GrantAlreadyEnded(grant_id)
    entry = notifications.notify(db, grant.user_id, notifications.GRANT_REVOKED, grant_id=grant.id,
                                 title=grant.scope_title, reason=reason.strip(), link="/requests")
    events.request_event(events.GRANT_REVOKE, target_id=grant.scope_record_id,
                         target_province=grant.holding_province,
                         details={"grant": grant.id, "user": grant.user_id, "reason": reason.strip() or None})
    db.commit()
    db.refresh(grant)
    notifications.deliver(db, [entry])
    return grant


def expire_grants(db: Session, now: datetime | None = None,
                  notice_before: timedelta = EXPIRY_NOTICE_BEFORE) -> tuple[int, int]:
    """Mark grants past their expiry as expired, and tell the holders of grants that end within
    `notice_before` (once each). Returns (expired, noticed)."""
    now = now or clock.now()
    ended = list(db.scalars(select(AccessGrant).where(AccessGrant.state == GRANT_ACTIVE,
                                                      AccessGrant.expires_at <= now)))
    for grant in ended:
        grant.state = GRANT_EXPIRED
        events.request_event(events.GRANT_REVOKE, target_id=grant.scope_record_id,
                             target_province=grant.holding_province,
                             details={"grant": grant.id, "user": grant.user_id, "ended_by": "expiry"})
    ending = list(db.scalars(select(AccessGrant).where(
        *_active(now), AccessGrant.expires_at <= now + notice_before,
        AccessGrant.expiry_notice_sent_at.is_(None))))
    entries = []
    for grant in ending:
        grant.expiry_notice_sent_at = now
        entries.append(notifications.notify(
            db, grant.user_id, notifications.GRANT_EXPIRING, grant_id=grant.id, title=grant.scope_title,
            until=last_day(grant).isoformat(), link="/requests"))
    db.commit()
    notifications.deliver(db, entries)
    return len(ended), len(ending)


def last_day(grant: AccessGrant):
    """The last Vietnamese calendar day on which the grant is open."""
    return local_date(clock.aware(grant.expires_at) - timedelta(microseconds=1))
