"""A reader deleting their account (Decree 13/2023, the right to deletion and to withdraw consent).

The person is anonymised, not the row removed: name, e-mail, ID number, phone and workplace are
cleared, the password made unusable and the account disabled (which ends its sessions everywhere:
the session loader refuses a disabled account). The access requests and grants stay, linked to the
anonymised row, as the law on archives requires; an open request is withdrawn and an active grant
revoked, each with its audit row. The reader's inbox, saved searches (their alerts with them) and search
history go; notices to staff that named the reader
name a "deleted reader" instead. The e-mail address is free for a new registration.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from portal.access import clock, events
from portal.access.models import (GRANT_ACTIVE, GRANT_REVOKED, SUBMITTED, WITHDRAWN, AccessGrant, AccessRequest,
                                  Notification)
from portal.audit import actions
from portal.audit.log import record_event_in_transaction
from portal.personal_data.names import person_name
from portal.saved_searches.service import remove_all_of

REASON = "account deleted by the reader"


def refusal(user):
    """Why this account cannot be deleted on its own page, or None when it can."""
    if user.is_official:
        return _l("Your account comes from the government single sign-on: your organisation manages it.")
    if user.role_set - {"reader"}:
        return _l("Your account has a staff role. Ask an administrator to take the role away first.")
    return None


def delete_account(db: Session, user) -> dict:
    """Anonymise the user and end what they had open, with the audit rows, in one transaction."""
    now = clock.now()
    old_name = person_name(user)
    kept = {"requests": 0, "grants": 0, "withdrawn": 0, "revoked": 0}
    for access_request in db.scalars(select(AccessRequest).where(AccessRequest.requester_id == user.id)):
        kept["requests"] += 1
        if access_request.state != SUBMITTED:
            continue
        result = db.execute(update(AccessRequest).where(AccessRequest.id == access_request.id,
                                                        AccessRequest.state == SUBMITTED)
                            .values(state=WITHDRAWN, decided_at=now, version=AccessRequest.version + 1)
                            .execution_options(synchronize_session=False))
        if result.rowcount == 1:
            kept["withdrawn"] += 1
            events.request_event(events.REQUEST_CHANGE, target_id=access_request.record_id,
                                 target_province=access_request.holding_province,
                                 details={"request": access_request.id, "state": WITHDRAWN, "reason": REASON})
    for grant in db.scalars(select(AccessGrant).where(AccessGrant.user_id == user.id)):
        kept["grants"] += 1
        if grant.state != GRANT_ACTIVE:
            continue
        result = db.execute(update(AccessGrant).where(AccessGrant.id == grant.id, AccessGrant.state == GRANT_ACTIVE)
                            .values(state=GRANT_REVOKED, revoked_at=now, revoked_by_id=user.id, revoke_reason=REASON)
                            .execution_options(synchronize_session=False))
        if result.rowcount == 1:
            kept["revoked"] += 1
            events.request_event(events.GRANT_REVOKE, target_id=grant.scope_record_id,
                                 target_province=grant.holding_province,
                                 details={"grant": grant.id, "user": user.id, "reason": REASON})
    db.execute(delete(Notification).where(Notification.user_id == user.id))
    kept.update(remove_all_of(db, user.id))
    _unname_in_notices_to_staff(db, user, old_name)
    user.full_name = ""
    user.email = None
    user.id_number_encrypted = None
    user.phone = None
    user.workplace = None
    user.password_hash = None
    user.active = False
    user.failed_logins = 0
    user.locked_until = None
    user.email_verified_at = None
    user.last_login_at = None
    user.deleted_at = now
    db.flush()
    record_event_in_transaction(db, actions.ACCOUNT_DELETE, target_id=f"user:{user.id}", details=kept)
    db.commit()
    return kept


def _unname_in_notices_to_staff(db: Session, user, old_name: str) -> None:
    requests_of_user = select(AccessRequest.id).where(AccessRequest.requester_id == user.id)
    for entry in db.scalars(select(Notification).where(Notification.request_id.in_(requests_of_user))):
        params = dict(entry.params or {})
        changed = False
        for person in ("reader", "author"):
            if params.get(person) == old_name:
                params[person] = ""
                params[f"{person}_deleted"] = True
                changed = True
        if changed:
            entry.params = params
