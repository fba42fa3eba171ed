"""`record_event`: the one call the rest of the portal makes to write an audit row.

Fail closed: if the row cannot be written, `AuditUnavailable` is raised and the action it
records must not happen; the app-wide handler answers 503 ("this action is unavailable").

The row is written unchained, committed before this returns: handed to the process's group-commit
writer (group_commit.py), which commits the rows of concurrent requests in one transaction; the
sequencer (sequencer.py) links it into the hash chain within seconds. Call it when the caller's
session holds no uncommitted writes (flushed but not committed), since SQLite lets one writer
at a time.
"""
from __future__ import annotations

import getpass
import logging

import click
from flask import current_app, has_app_context, has_request_context, request

from portal.access import identity as identity_module
from portal.audit.actions import OUTCOMES
from portal.audit.writer import AuditEvent, insert_unchained
from portal.logging_setup import current_request_id
from portal.metrics import AUDIT_WRITE_FAILURES, AUDIT_WRITES
from portal.personal_data.addresses import anonymous_address

log = logging.getLogger(__name__)


class AuditUnavailable(RuntimeError):
    """The audit row could not be written, so the action is refused."""


def _request_actor() -> dict:
    identity = identity_module.current_identity()
    # An anonymous visitor's address is personal data we need not keep: a keyed hash of it is
    # enough to match rows of one address (Decree 13/2023). Signed-in people keep theirs.
    ip = request.remote_addr if identity.user_id is not None else anonymous_address(request.remote_addr)
    return {
        "actor": str(identity.user_id) if identity.user_id is not None else "anonymous",
        "actor_roles": sorted(identity.roles),
        "actor_province": identity.province,
        "ip": ip,
        "user_agent": request.user_agent.string or None,
    }


def _offline_actor() -> str:
    """Outside a request: the command line (with the system user running it) or the system."""
    if click.get_current_context(silent=True) is not None:
        try:
            return f"cli:{getpass.getuser()}"
        except (KeyError, OSError):
            return "cli"
    return "system"


def _event(action: str, target_id, target_province, outcome: str, details, actor) -> AuditEvent:
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown audit outcome {outcome!r}")
    details = dict(details or {})
    if has_request_context():
        who = _request_actor()
        if actor is not None:
            who["actor"] = actor
        request_id = current_request_id()
        if request_id:  # ties the row to the request's log lines; hashed with the rest of the details
            details.setdefault("request_id", request_id)
    else:
        who = {"actor": actor or _offline_actor()}
    return AuditEvent(action=action, target_id=target_id, target_province=target_province,
                      outcome=outcome, details=details, **who)


def record_event_in_transaction(session, action: str, *, target_id: str | None = None,
                                target_province: str | None = None, outcome: str = "allowed",
                                details: dict | None = None, actor: str | None = None) -> None:
    """Append the audit row inside the caller's own database transaction, so the change and its
    row commit together or not at all (for changes made in the portal's database, e.g. access
    requests and grants). Unchained, like every row: the sequencer links it once committed."""
    event = _event(action, target_id, target_province, outcome, details, actor)
    try:
        insert_unchained(session.connection(), event)
    except Exception as error:  # any database failure: the change it records does not happen
        AUDIT_WRITE_FAILURES.inc()
        log.error("audit row for %s could not be written: %s", action, error)
        raise AuditUnavailable(str(error)) from error
    AUDIT_WRITES.labels(action, outcome).inc()


def record_event(action: str, *, target_id: str | None = None, target_province: str | None = None,
                 outcome: str = "allowed", details: dict | None = None, actor: str | None = None) -> None:
    """Append one audit row, committed before this returns; `AuditUnavailable` if it cannot be."""
    event = _event(action, target_id, target_province, outcome, details, actor)
    if not has_app_context() or "audit_writer" not in current_app.extensions:
        raise AuditUnavailable("the audit log is not configured")
    try:
        current_app.extensions["audit_writer"].write(event)
    except Exception as error:  # any database failure: the action does not happen
        AUDIT_WRITE_FAILURES.inc()
        log.error("audit row for %s could not be written: %s", action, error)
        raise AuditUnavailable(str(error)) from error
    AUDIT_WRITES.labels(action, outcome).inc()


def described(values) -> dict:
    """The non-empty fields of a dataclass (e.g. search parameters) as JSON-ready details."""
    from dataclasses import asdict

    return {name: list(value) if isinstance(value, tuple) else value
            for name, value in asdict(values).items() if value not in (None, "", (), [])}


def record_command_event(action: str, **kwargs) -> None:
    """record_event for the command line: an unwritable row stops the command with a message."""
    try:
        record_event(action, **kwargs)
    except AuditUnavailable as error:
        raise click.ClickException(f"refused: the audit log cannot be written ({error})") from error
