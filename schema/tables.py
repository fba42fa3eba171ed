"""Database tables that both the indexer (writes) and the portal (reads, manages) use.

Alembic migrations in migrations/ create them; `Base.metadata` is their single description.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from schema.access_policy import MAX_STATEMENT_LENGTH, statement_key


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
    # Added by migration 0006: a run asked for on the admin pages; the next `flask harvest --due`
    # starts it (full if asked) and clears these.
    run_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    run_requested_full: Mapped[bool] = mapped_column(Boolean, default=False)
    run_requested_by: Mapped[str | None] = mapped_column(String(320), nullable=True)  # who asked: e-mail or name
    # Added by migration 0009: origins (scheme://host[:port]) its file links may point to besides its own.
    file_hosts: Mapped[list | None] = mapped_column(JSON, nullable=True, default=list)
    # Added by migration 0013: its access policy (schema/access_policy.py): its wordings of access mapped
    # to a level, [{"statement", "level", "set_by", "set_at"}], and the level of records stating none.
    access_rules: Mapped[list | None] = mapped_column(JSON, nullable=True, default=list)
    unstated_access: Mapped[str] = mapped_column(String(16), default="closed", server_default="closed")

    runs: Mapped[list["HarvestRun"]] = relationship(back_populates="source")

    @property
    def interval(self) -> timedelta | None:
        return schedule_interval(self.schedule)


MAX_ERRORS_KEPT_PER_KIND = 100
ERROR_COUNTS = "#counts"  # not a kind: how many of each kind were noted, beyond the examples kept
MAX_STATEMENTS_KEPT = 200
OTHER_STATEMENTS = "#other"  # not a statement: records carrying statements past MAX_STATEMENTS_KEPT


class HarvestRun(Base):
    """One harvest of one source, with the report a person reads afterwards."""

    __tablename__ = "harvest_runs"
    # At most one running run per source, whatever the processes racing to claim it (migration 0009).
    __table_args__ = (Index("uq_harvest_runs_one_running", "source_id", unique=True,
                            sqlite_where=text("state = 'running'"), postgresql_where=text("state = 'running'")),)

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
    # Added by migration 0009: file links not fetched (outside the source's file hosts, or an address of ours).
    links_refused: Mapped[int] = mapped_column(Integer, default=0)
    # Added by migration 0019_files_reused: of files_extracted, those whose text an earlier extraction of the
    # same bytes gave (indexer/file_texts.py), without Tika.
    files_reused: Mapped[int] = mapped_column(Integer, default=0)
    # {"kind": [{"record": id, "message": text}, ...]}, for the report.
    errors: Mapped[dict] = mapped_column(JSON, default=dict)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Added by migration 0004: resumable runs.
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    processed: Mapped[int] = mapped_column(Integer, default=0)  # records read from the list so far
    complete_list_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    metadata_prefix: Mapped[str | None] = mapped_column(String(64), nullable=True)
    set_spec: Mapped[str | None] = mapped_column(String(255), nullable=True)
    from_datestamp: Mapped[str | None] = mapped_column(String(32), nullable=True)
    until_datestamp: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Checkpoint: the token of the next page to read, and the datestamp the list may restart from
    # when that token is refused; written only after the pages before it are in the index.
    checkpoint_token: Mapped[str | None] = mapped_column(Text, nullable=True)
    checkpoint_datestamp: Mapped[str | None] = mapped_column(String(32), nullable=True)
    newest_datestamp: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # A full run builds this new index; the alias moves to it only when the run succeeds.
    target_index: Mapped[str | None] = mapped_column(String(255), nullable=True)
    resumable: Mapped[bool] = mapped_column(Boolean, default=False)
    resumed: Mapped[int] = mapped_column(Integer, default=0)  # how many times it was taken up again
    lease_owner: Mapped[str | None] = mapped_column(String(255), nullable=True)  # "host:pid:token"
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Added by migration 0013: {statement: records} of the rights statements nobody recognised.
    access_statements: Mapped[dict | None] = mapped_column(JSON, nullable=True)

    source: Mapped[Source] = relationship(back_populates="runs")
    objects: Mapped[list["HarvestObject"]] = relationship(back_populates="run", cascade="all, delete-orphan")

    @classmethod
    def begin(cls, source_id: str, mode: str, lease_owner: str, **fields) -> "HarvestRun":
        """A new running run, its counters at zero now (column defaults apply only when it is first written)."""
        counters = dict.fromkeys(("added", "updated", "deleted", "failed", "unchanged", "processed", "resumed",
                                  "files_extracted", "files_failed", "files_reused", "links_refused"), 0)
        return cls(source_id=source_id, mode=mode, state="running", errors={}, lease_owner=lease_owner,
                   heartbeat_at=utcnow(), resumable=False, **{**counters, **fields})

    def note(self, kind: str, record: str, message: str) -> None:
        """An error for the report, grouped by kind; past MAX_ERRORS_KEPT_PER_KIND a kind keeps only its count.
        (The counts sit under ERROR_COUNTS beside the examples, so older runs' reports read as before.)"""
        errors = dict(self.errors or {})
        entries = list(errors.get(kind, []))
        if len(entries) < MAX_ERRORS_KEPT_PER_KIND:
            entries.append({"record": record, "message": message[:2000]})
        errors[kind] = entries
        counts = dict(errors.get(ERROR_COUNTS) or {})
        counts[kind] = counts.get(kind, len(entries) - 1) + 1
        errors[ERROR_COUNTS] = counts
        self.errors = errors  # a new dict, so SQLAlchemy sees the change

    def count_statements(self, statements) -> None:
        """Counts the records that carry each unrecognised rights statement (one wording of each kept, the
        first met); past MAX_STATEMENTS_KEPT distinct statements, the rest are counted together."""
        if not statements:
            return
        counted = dict(self.access_statements or {})
        keys = {statement_key(statement): statement for statement in counted if statement != OTHER_STATEMENTS}
        for statement in statements:
            kept = keys.get(statement_key(statement))
            if kept is None and len(keys) >= MAX_STATEMENTS_KEPT:
                kept = OTHER_STATEMENTS
            elif kept is None:
                kept = keys[statement_key(statement)] = statement[:MAX_STATEMENT_LENGTH]
            counted[kept] = counted.get(kept, 0) + 1
        self.access_statements = counted  # a new dict, so SQLAlchemy sees the change

    def unrecognised_statements(self) -> list[tuple[str, int]]:
        """(statement, records) most frequent first; the statements past the cap come last, as OTHER_STATEMENTS."""
        counted = dict(self.access_statements or {})
        other = counted.pop(OTHER_STATEMENTS, 0)
        ranked = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
        return ranked + ([(OTHER_STATEMENTS, other)] if other else [])

    def error_kinds(self) -> list[tuple[str, int, list[dict]]]:
        """Each kind of error noted: (kind, how many, the examples kept), in the order first noted."""
        errors = dict(self.errors or {})
        counts = errors.pop(ERROR_COUNTS, None) or {}
        return [(kind, max(counts.get(kind, 0), len(entries)), entries) for kind, entries in errors.items()]

    @property
    def records_done(self) -> int:
        return self.added + self.updated + self.unchanged + self.deleted + self.failed


OBJECT_STATES = ("added", "updated", "unchanged", "deleted", "failed")


class HarvestObject(Base):
    """One record as one run met it: its identifier, datestamp, what became of it and why (CKAN's model)."""

    __tablename__ = "harvest_objects"
    __table_args__ = (UniqueConstraint("run_id", "identifier", name="uq_harvest_objects_run_identifier"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("harvest_runs.id", ondelete="CASCADE"), index=True)
    identifier: Mapped[str] = mapped_column(String(512))  # the source's (OAI) identifier
    record_id: Mapped[str | None] = mapped_column(String(600), nullable=True)
    datestamp: Mapped[str | None] = mapped_column(String(32), nullable=True)
    state: Mapped[str] = mapped_column(String(16))
    error_kind: Mapped[str | None] = mapped_column(String(32), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    run: Mapped[HarvestRun] = relationship(back_populates="objects")


class HarvestedRecord(Base):
    """What the index holds of a source, as the harvester last wrote it: a hash of the mapped
    document (to count unchanged records) and whether its files still wait for text extraction."""

    __tablename__ = "harvested_records"
    # Each page of a harvest looks its records up by the source's identifier: without this index every
    # lookup reads all of the source's rows, and a run slows down as the table grows.
    __table_args__ = (Index("ix_harvested_records_pending", "source_id", "needs_extraction"),
                      Index("ix_harvested_records_identifier", "source_id", "identifier"))

    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(600), primary_key=True)
    identifier: Mapped[str] = mapped_column(String(512))
    datestamp: Mapped[str | None] = mapped_column(String(32), nullable=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    needs_extraction: Mapped[bool] = mapped_column(Boolean, default=False)
    last_run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


# A schedule: "hourly", "daily", "weekly", or "every <n><m|h|d|w>" ("every 6h"); empty: only by hand.
_NAMED_SCHEDULES = {"hourly": timedelta(hours=1), "daily": timedelta(days=1), "weekly": timedelta(weeks=1)}
_INTERVAL = re.compile(r"^every\s+(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def schedule_interval(schedule: str | None) -> timedelta | None:
    """The time between two runs a schedule asks for; None for no schedule. ValueError if unreadable."""
    text = (schedule or "").strip().lower()
    if not text:
        return None
    if text in _NAMED_SCHEDULES:
        return _NAMED_SCHEDULES[text]
    match = _INTERVAL.match(text)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{schedule!r} is not a schedule: use hourly, daily, weekly or 'every 6h' (m, h, d, w)")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def as_aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:  # SQLite gives naive datetimes back
        return moment.replace(tzinfo=timezone.utc)
    return moment


def run_request_pending(source: Source, last_started: datetime | None) -> bool:
    """A run was asked for on the admin pages after the source's last run started."""
    requested = as_aware(source.run_requested_at)
    return requested is not None and (last_started is None or requested > as_aware(last_started))


def next_due(source: Source, last_started: datetime | None) -> datetime | None:
    """When the source's next run is due (now or in the past: due); None if it is neither scheduled
    nor asked for. A run asked for on the admin pages is due from the moment it was asked for."""
    if not source.enabled:
        return None
    requested = as_aware(source.run_requested_at) if run_request_pending(source, last_started) else None
    try:
        interval = schedule_interval(source.schedule)
    except ValueError:
        interval = None
    if interval is None:
        return requested
    scheduled = datetime.min.replace(tzinfo=timezone.utc) if last_started is None else as_aware(last_started) + interval
    return scheduled if requested is None else min(scheduled, requested)
