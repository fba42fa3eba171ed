"""Writing rows, and chaining them, in two steps that never wait for each other.

1. `insert_unchained`: a request's row is INSERTed unchained (no `seq`, `prev_hash`, `hash`), never
   in the request's session: by the process's group-commit writer (group_commit.py) with the rows
   of other requests in one transaction, or alone by `append_event`, committed before the caller
   goes on: fail closed, and no lock, so writers do not queue behind one another.
   `record_event_in_transaction` inserts the same way inside the caller's transaction, so the
   change and its row commit together.
2. `chain_locked`: the sequencer, holding the chain's lock, gives every committed unchained
   row, in the order it finds them (id order within one pass), the next `seq`, the previous
   row's hash and its own. A row that commits late (a lower id than rows already chained) is
   simply found by a later pass: nothing is chosen by id range, so nothing is skipped.

The chain's lock: SQLite `BEGIN IMMEDIATE` (its one writer); PostgreSQL a transaction-level
advisory lock (`pg_advisory_xact_lock`), which needs no privilege beyond SELECT and UPDATE.
Two sequencers at once take turns, and the second finds nothing left to chain.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import Connection, Engine, create_engine, select, text

from portal.audit.chain import canonical_json, row_hash
from portal.audit.models import GENESIS_HASH, AuditEntry

# The key of the chain's advisory lock on PostgreSQL: every sequencer of audit_log takes this one.
POSTGRES_LOCK_KEY = 0x41554449544C4F47  # "AUDITLOG"

_INSERT = text(
    "INSERT INTO audit_log (occurred_at, actor, actor_roles, actor_province, ip, user_agent, action,"
    " target_id, target_province, outcome, details) VALUES (:occurred_at, :actor, :actor_roles,"
    " :actor_province, :ip, :user_agent, :action, :target_id, :target_province, :outcome, :details)")

_CHAIN = text("UPDATE audit_log SET seq = :seq, prev_hash = :prev_hash, hash = :hash WHERE id = :id AND seq IS NULL")


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


def create_audit_engine(database_url: str, pool_size: int = 10) -> Engine:
    """An engine whose connections we drive by hand (BEGIN/COMMIT), apart from the app's.
    `pool_size` connections stay open (as many as a worker's threads: beyond it, each row would
    open and close a connection of its own). No ping at checkout (a second round trip for every
    row): a batch that fails on a connection the database dropped empties the pool and its rows are
    written again on new ones (group_commit.py); none is kept past `pool_recycle`."""
    if database_url.startswith("sqlite"):
        return create_engine(database_url, isolation_level="AUTOCOMMIT", connect_args={"timeout": 30})
    return create_engine(database_url, isolation_level="AUTOCOMMIT", pool_size=pool_size, max_overflow=pool_size,
                         pool_recycle=1800)


def begin_locked(connection: Connection, wait: bool = True) -> bool:
    """Open a transaction holding the chain's lock. With wait=False on PostgreSQL, give up
    (rolled back, False) when another sequencer holds it."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return True
    connection.exec_driver_sql("BEGIN")
    if wait:
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({POSTGRES_LOCK_KEY})")
        return True
    if connection.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({POSTGRES_LOCK_KEY})").scalar():
        return True
    connection.exec_driver_sql("ROLLBACK")
    return False


def insert_unchained(connection: Connection, event: AuditEvent, now: datetime | None = None) -> None:
    """INSERT one row without its chain link; the caller's transaction (or autocommit) commits it."""
    connection.execute(_INSERT, _columns(connection, event, now))


def insert_many_unchained(connection: Connection, events: list[tuple[AuditEvent, datetime]]) -> None:
    """INSERT rows (each with its time) in one statement sent for all (psycopg pipelines it)."""
    connection.execute(_INSERT, [_columns(connection, event, now) for event, now in events])


def _columns(connection: Connection, event: AuditEvent, now: datetime | None) -> dict:
    occurred_at = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    if connection.dialect.name == "sqlite":  # stored naive, read back as UTC
        occurred_at = occurred_at.replace(tzinfo=None)
    return {
        "occurred_at": occurred_at,
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
    }


def chain_head(connection: Connection) -> tuple[int, str]:
    """The last chained row's (seq, hash); after an archive emptied the chain, its checkpoint's."""
    last = connection.execute(text(
        "SELECT seq, hash FROM audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1")).first()
    if last is None:
        last = connection.execute(text(
            "SELECT archived_through, last_hash FROM audit_checkpoints ORDER BY archived_through DESC LIMIT 1")).first()
    return (last[0], last[1]) if last is not None else (0, GENESIS_HASH)


def chain_locked(connection: Connection, limit: int | None = None) -> int:
    """Chain the committed unchained rows (at most `limit`); the caller holds the lock and commits.
    The hash is taken of the row as stored, exactly what `flask audit verify` reads back."""
    table = AuditEntry.__table__
    pending = connection.execute(select(table).where(table.c.seq.is_(None)).order_by(table.c.id).limit(limit)).all()
    if not pending:
        return 0
    seq, prev_hash = chain_head(connection)
    links = []
    for row in pending:
        seq += 1
        link = {**row._mapping, "seq": seq, "prev_hash": prev_hash}
        prev_hash = link["hash"] = row_hash(link)
        links.append({"id": row.id, "seq": seq, "prev_hash": link["prev_hash"], "hash": prev_hash})
    connection.execute(_CHAIN, links)
    return len(links)


def append_locked(connection: Connection, event: AuditEvent) -> None:
    """Write one row and chain it (and any waiting before it) at once; the caller holds the lock
    and commits. For steps that change the chain itself (`flask audit archive`)."""
    insert_unchained(connection, event)
    chain_locked(connection)


def append_event(engine: Engine, event: AuditEvent, now: datetime | None = None) -> None:
    """Write one unchained row, committed when this returns; raises on any failure."""
    with engine.connect() as connection:  # AUTOCOMMIT: the one INSERT is its own transaction
        insert_unchained(connection, event, now)
