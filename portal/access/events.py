"""The one door through which the access workflow reports what happened, for the audit log.

Called inside the transaction of the change it records, before the commit, so that once it
writes the audit row (portal.audit.log.record_event, issue 8) a row that cannot be written
stops the change. Until then it logs.
"""
from __future__ import annotations

import logging

log = logging.getLogger("portal.access.events")

# The audit log's action names (portal/audit/actions.py on the audit branch).
REQUEST_CREATE = "REQUEST_CREATE"
REQUEST_CHANGE = "REQUEST_CHANGE"  # approved, denied, withdrawn, commented
GRANT_CREATE = "GRANT_CREATE"
GRANT_REVOKE = "GRANT_REVOKE"  # revoked by staff, or ended by expiry (details say which)


def request_event(action: str, *, target_id: str | None = None, target_province: str | None = None,
                  outcome: str = "allowed", details: dict | None = None) -> None:
    log.info("%s target=%s province=%s outcome=%s details=%s", action, target_id, target_province,
             outcome, details or {})
