"""Database tables that both the indexer (writes) and the portal (reads, manages) use.

Alembic migrations in migrations/ create them; `Base.metadata` is their single description.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


SOURCE_KINDS = ("oai-pmh", "package")  # package: `url` is the inbox directory


class Source(Base):
    """One archive endpoint the harvester reads (DESIGN §3)."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    holding_province: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(32), default="oai-pmh")
    url: Mapped[str] = mapped_column(String(1024))
    metadata_prefix: Mapped[str] = mapped_column(String(64), default="oai_dc")
    set_spec: Mapped[str | None] = mapped_column(String(255), nullable=True)
    schedule: Mapped[str | None] = mapped_column(String(64), nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Checkpoint for incremental runs: the newest datestamp of the last successful run.
    last_datestamp: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    runs: Mapped[list["HarvestRun"]] = relationship(back_populates="source")


class HarvestRun(Base):
    """One harvest of one source, with the report a person reads afterwards."""

    __tablename__ = "harvest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    mode: Mapped[str] = mapped_column(String(16))  # incremental | full
    state: Mapped[str] = mapped_column(String(24), default="running")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    files_extracted: Mapped[int] = mapped_column(Integer, default=0)
    files_failed: Mapped[int] = mapped_column(Integer, default=0)
    # {"kind": [{"record": id, "message": text}, ...]}, for the report.
    errors: Mapped[dict] = mapped_column(JSON, default=dict)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)

    source: Mapped[Source] = relationship(back_populates="runs")
