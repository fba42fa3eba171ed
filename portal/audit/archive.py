"""Retention without silent deletion: rows older than a date leave the table only after they
were written to an archive file, whose SHA-256 a checkpoint row keeps; the chain then goes on
from the checkpoint's last hash, and the archive step is itself an audit row.

The archive file is JSON Lines: a header line, then each row in the canonical form that was
hashed (plus its `hash`), so `flask audit verify --archive FILE` can re-walk it offline.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from types import SimpleNamespace

from sqlalchemy import Engine, select, text

from portal.audit import actions
from portal.audit.chain import canonical_json, canonical_row, verify_rows
from portal.audit.models import GENESIS_HASH, AuditEntry
from portal.audit.writer import AuditEvent, append_locked, begin_locked, chain_locked

ARCHIVE_FORMAT = "portal-audit-archive/1"


class ArchiveError(RuntimeError):
    pass


@dataclass(frozen=True)
class ArchiveResult:
    row_count: int
    first_id: int | None
    through_id: int | None
    file_sha256: str | None


def chain_start(connection) -> tuple[int, str]:
    """The id and prev_hash the rows still in the table must start from."""
    checkpoint = connection.execute(text(
        "SELECT archived_through, last_hash FROM audit_checkpoints ORDER BY archived_through DESC LIMIT 1")).first()
    return (checkpoint[0] + 1, checkpoint[1]) if checkpoint else (1, GENESIS_HASH)


def select_rows(connection, *conditions, limit: int | None = None):
    """Chained rows in chain order, with typed columns (times as datetimes on every database)."""
    table = AuditEntry.__table__
    return connection.execute(select(table).where(table.c.seq.is_not(None), *conditions)
                              .order_by(table.c.seq).limit(limit))


def archive_before(engine: Engine, before: datetime, path: str, actor: str) -> ArchiveResult:
    if os.path.exists(path):
        raise ArchiveError(f"{path} exists already; an archive file is never overwritten")
    with engine.connect() as connection:
        begin_locked(connection)
        try:
            chain_locked(connection)  # rows written before `before` but not yet chained go too
            start_id, start_hash = chain_start(connection)
            # The oldest rows up to the first one at or after `before`: the archive is a prefix of the chain.
            first_kept = connection.execute(text("SELECT MIN(seq) FROM audit_log WHERE occurred_at >= :before"),
                                            {"before": before}).scalar()
            rows = list(select_rows(connection, *([AuditEntry.__table__.c.seq < first_kept] if first_kept else [])))
            if not rows:  # still recorded: someone ran the archive step
                append_locked(connection, AuditEvent(action=actions.AUDIT_ARCHIVE, actor=actor, details={
                    "before": before.isoformat(), "file": None, "rows": 0}))
                connection.exec_driver_sql("COMMIT")
                return ArchiveResult(0, None, None, None)
            checked = verify_rows(rows, start_id, start_hash)
            if not checked.ok:
                raise ArchiveError(f"the chain is broken, nothing archived: {checked.problem}")
            digest = _write_archive(path, rows, start_hash)
            through = SimpleNamespace(id=rows[-1].seq, hash=rows[-1].hash)
            connection.execute(text(
                "INSERT INTO audit_checkpoints (created_at, archived_through, last_hash, row_count, file_name,"
                " file_sha256) VALUES (:created_at, :through, :last_hash, :count, :file_name, :sha)"),
                {"created_at": datetime.now(timezone.utc), "through": through.id, "last_hash": through.hash,
                 "count": len(rows), "file_name": os.path.basename(path), "sha": digest})
            connection.execute(text("DELETE FROM audit_log WHERE seq <= :through"), {"through": through.id})
            append_locked(connection, AuditEvent(
                action=actions.AUDIT_ARCHIVE, actor=actor, details={
                    "before": before.isoformat(), "file": os.path.basename(path), "file_sha256": digest,
                    "rows": len(rows), "first_id": rows[0].seq, "through_id": through.id,
                    "last_hash": through.hash}))
            connection.exec_driver_sql("COMMIT")
        except BaseException:
            connection.exec_driver_sql("ROLLBACK")
            raise
    return ArchiveResult(len(rows), rows[0].seq, through.id, digest)


def _write_archive(path: str, rows, start_hash: str) -> str:
    header = {"format": ARCHIVE_FORMAT, "first_id": rows[0].seq, "through_id": rows[-1].seq,
              "start_prev_hash": start_hash, "last_hash": rows[-1].hash, "rows": len(rows),
              "written_at": datetime.now(timezone.utc).isoformat()}
    lines = [canonical_json(header)]
    for row in rows:
        lines.append(canonical_json({**canonical_row(row), "hash": row.hash}))
    body = ("\n".join(lines) + "\n").encode("utf-8")
    partial = f"{path}.partial"
    with open(partial, "xb") as handle:
        handle.write(body)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    return hashlib.sha256(body).hexdigest()


def verify_archive_file(path: str):
    """Re-walk an archive file's chain; returns (sha256 of the file, VerifyResult)."""
    with open(path, "rb") as handle:
        body = handle.read()
    lines = body.decode("utf-8").splitlines()
    header = json.loads(lines[0])
    if header.get("format") != ARCHIVE_FORMAT:
        raise ArchiveError(f"{path} is not an audit archive")
    rows = []
    for line in lines[1:]:
        fields = json.loads(line)
        fields["occurred_at"] = datetime.fromisoformat(fields["occurred_at"].replace("Z", "+00:00"))
        fields["details"] = canonical_json(fields["details"])
        rows.append(SimpleNamespace(**fields))
    return hashlib.sha256(body).hexdigest(), verify_rows(rows, header["first_id"], header["start_prev_hash"])
