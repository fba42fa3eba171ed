"""Appending rows to the chain, serialised across threads and processes.

Each row is written in its own short transaction on a connection of its own (never the
request's session), committed before the caller goes on:
- SQLite: `BEGIN IMMEDIATE` takes the database's write lock before the last row is read;
- PostgreSQL: a transaction-level advisory lock (`pg_advisory_xact_lock`) does the same, and
  needs no privilege beyond INSERT and SELECT, so the portal's role may be denied UPDATE/DELETE.
So two writers never read the same last row, and ids follow each other without gaps.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import Connection, Engine, create_engine, text

from portal.audit.chain import canonical_json, row_hash
from portal.audit.models import GENESIS_HASH

# The key of the chain's advisory lock on PostgreSQL: every writer of audit_log takes this one.
POSTGRES_LOCK_KEY = 0x41554449544C4F47  # "AUDITLOG"

_INSERT = text(
    "INSERT INTO audit_log (id, occurred_at, actor, actor_roles, actor_province, ip, user_agent, action,"
    " target_id, target_province, outcome, details, prev_hash, hash) VALUES (:id, :occurred_at, :actor,"
    " :actor_roles, :actor_province, :ip, :user_agent, :action, :target_id, :target_province, :outcome,"
    " :details, :prev_hash, :hash)")


@dataclass
class AuditEvent:
    action: str
    actor: str
    actor_roles: list[str] = field(default_factory=list)
    actor_province: str | None = None
    ip: str | None = None
    user_agent: str | None = None
    target_id: str | None = None
    target_province: str | None = None
    outcome: str = "allowed"
    details: dict = field(default_factory=dict)


def create_audit_engine(database_url: str) -> Engine:
    """An engine whose connections we drive by hand (BEGIN/COMMIT), apart from the app's."""
    connect_args = {"timeout": 30} if database_url.startswith("sqlite") else {}
    return create_engine(database_url, isolation_level="AUTOCOMMIT", pool_pre_ping=True,
                         connect_args=connect_args)


def begin_locked(connection: Connection) -> None:
    """Open a transaction holding the chain's write lock."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({POSTGRES_LOCK_KEY})")


def append_locked(connection: Connection, event: AuditEvent, now: datetime | None = None) -> dict:
    """Append one row; the caller holds the lock (begin_locked) and commits."""
    last = connection.execute(text("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")).first()
    if last is None:  # after an archive the chain goes on from the checkpoint
        checkpoint = connection.execute(text(
            "SELECT archived_through, last_hash FROM audit_checkpoints ORDER BY archived_through DESC LIMIT 1")).first()
        last = checkpoint if checkpoint is not None else (0, GENESIS_HASH)
    row = {
        "id": last[0] + 1,
        "occurred_at": (now or datetime.now(timezone.utc)).astimezone(timezone.utc),
        "actor": event.actor[:255],
        "actor_roles": ",".join(sorted(event.actor_roles)),
        "actor_province": event.actor_province,
        "ip": event.ip,
        "user_agent": (event.user_agent or None) and event.user_agent[:512],
        "action": event.action,
        "target_id": event.target_id,
        "target_province": event.target_province,
        "outcome": event.outcome,
        "details": canonical_json(event.details or {}),
        "prev_hash": last[1],
    }
    if connection.dialect.name == "sqlite":  # stored naive, read back as UTC
        row["occurred_at"] = row["occurred_at"].replace(tzinfo=None)
    row["hash"] = row_hash(row)
    connection.execute(_INSERT, row)
    return row


def append_event(engine: Engine, event: AuditEvent) -> dict:
    """Write one row in its own transaction and commit it; raises on any failure."""
    with engine.connect() as connection:
        begin_locked(connection)
        try:
            row = append_locked(connection, event)
            connection.exec_driver_sql("COMMIT")
        except BaseException:
            connection.exec_driver_sql("ROLLBACK")
            raise
    return row
