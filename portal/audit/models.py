"""The audit log's tables: `audit_log` (the hash chain) and `audit_checkpoints` (where archived
rows went). Migration 0003 creates them, with the triggers that make them append-only; 0018
lets a row be written unchained (no `seq`, `prev_hash`, `hash`) and chained once, later, by
the sequencer (portal/audit/sequencer.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from schema.tables import Base

GENESIS_HASH = "0" * 64  # the prev_hash of the first row ever written


class AuditEntry(Base):
    """One audited action. `id` is given at insert (in insert order, not commit order); `seq` is
    the position in the chain, given by the sequencer in the order it finds rows committed
    (rows written before 0018 have seq = id). Unchained rows have no seq, prev_hash, hash."""

    __tablename__ = "audit_log"
    __table_args__ = {"sqlite_autoincrement": True}  # ids of archived rows are never given again

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int | None] = mapped_column(Integer, nullable=True, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(255), index=True)
    actor_roles: Mapped[str] = mapped_column(String(255), default="")  # sorted, comma-separated
    actor_province: Mapped[str | None] = mapped_column(String(2), nullable=True)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(512), nullable=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_id: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    target_province: Mapped[str | None] = mapped_column(String(2), nullable=True, index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    details: Mapped[str] = mapped_column(Text, default="{}")  # canonical JSON, exactly as hashed
    prev_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)

    @property
    def roles(self) -> list[str]:
        return [role for role in self.actor_roles.split(",") if role]


class AuditCheckpoint(Base):
    """Rows up to seq `archived_through` were exported to a file and removed; the chain goes on
    from `last_hash`, and the file's SHA-256 lets anyone check the file was not changed."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    archived_through: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(1024))
    file_sha256: Mapped[str] = mapped_column(String(64))
