"""The one door through which the access workflow reports what happened: the audit log.

Called inside the transaction of the change it records, before the commit: the audit row is
written in that same transaction (portal.audit.log.record_event_in_transaction), so a change
whose row cannot be written is rolled back with it, and a row never tells of a change that
did not commit.
"""
from __future__ import annotations

from portal.audit import actions
from portal.audit.log import record_event_in_transaction
from portal.database import get_db

REQUEST_CREATE = actions.REQUEST_CREATE
REQUEST_CHANGE = actions.REQUEST_CHANGE  # approved, denied, withdrawn, commented
GRANT_CREATE = actions.GRANT_CREATE
GRANT_REVOKE = actions.GRANT_REVOKE  # revoked by staff, or ended by expiry (details say which)


def request_event(action: str, *, target_id: str | None = None, target_province: str | None = None,
                  outcome: str = "allowed", details: dict | None = None) -> None:
    record_event_in_transaction(get_db(), action, target_id=target_id, target_province=target_province,
                                outcome=outcome, details=details)
