"""The hash chain: canonical form of a row, its hash, and walking the chain to verify it.

hash = SHA-256 of the canonical JSON (sorted keys, no whitespace, UTC ISO times) of the row's
fields and `prev_hash`. The canonical form names the chain position `id`: it is the row's `seq`
(rows written before migration 0018 have seq = id, so their hashes still hold). Knows nothing
of Flask.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

from portal.audit.models import GENESIS_HASH

HASHED_FIELDS = ("id", "occurred_at", "actor", "actor_roles", "actor_province", "ip", "user_agent", "action",
                 "target_id", "target_province", "outcome", "details", "prev_hash")


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def utc_iso(moment: datetime) -> str:
    """Microsecond UTC time; SQLite gives naive datetimes back, which were written as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_position(row) -> int:
    """A row's place in the chain: its `seq`; an archive file's rows carry it as `id`."""
    get = row.get if isinstance(row, dict) else (lambda name: getattr(row, name, None))
    seq = get("seq")
    return seq if seq is not None else get("id")


def canonical_row(row) -> dict:
    """The hashed view of a row (a mapping or an object with the audit_log columns)."""
    get = row.get if isinstance(row, dict) else (lambda name: getattr(row, name))
    fields = {name: get(name) for name in HASHED_FIELDS if name != "id"}
    fields["id"] = chain_position(row)
    fields["occurred_at"] = utc_iso(fields["occurred_at"])
    fields["details"] = json.loads(fields["details"] or "{}")
    return fields


def row_hash(row) -> str:
    return hashlib.sha256(canonical_json(canonical_row(row)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    row_id: int
    message: str

    def __str__(self) -> str:
        return f"row {self.row_id}: {self.message}"


@dataclass(frozen=True)
class VerifyResult:
    rows_checked: int
    first_id: int | None
    last_id: int | None
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_rows(rows: Iterable, start_id: int = 1, start_hash: str = GENESIS_HASH) -> VerifyResult:
    """Walk rows in chain order; stop at the first that does not match. A missing row shows as
    a gap in the positions (the sequencer gives them consecutively under its lock). Rows are
    named by their position."""
    expected_id, expected_prev, checked, first_id, last_id = start_id, start_hash, 0, None, None
    for row in rows:
        position = chain_position(row)
        first_id = position if first_id is None else first_id
        if position != expected_id:
            missing = f"{expected_id}" if position == expected_id + 1 else f"{expected_id}–{position - 1}"
            return VerifyResult(checked, first_id, last_id, ChainProblem(
                position, f"gap before this row: row(s) {missing} are missing (deleted?)"))
        if row.prev_hash != expected_prev:
            return VerifyResult(checked, first_id, last_id, ChainProblem(
                position, "prev_hash does not match the hash of the row before it"))
        if row_hash(row) != row.hash:
            return VerifyResult(checked, first_id, last_id, ChainProblem(
                position, "content does not match its hash (changed after it was written)"))
        expected_id, expected_prev, checked, last_id = position + 1, row.hash, checked + 1, position
    return VerifyResult(checked, first_id, last_id, None)
