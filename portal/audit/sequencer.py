"""The sequencer: chains the rows requests wrote unchained (writer.chain_locked), a batch per
short transaction, so the chain's lock is held for milliseconds by one process instead of by
every request. Run it as a thread of each gunicorn worker (gunicorn.conf.py starts one; only
one at a time gets the lock, the others skip that round), as `flask audit chain --every 1`, or
both. An unchained row older than `ALARM_AFTER_SECONDS` means no sequencer runs:
`flask audit verify` fails on it.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, text

from portal.audit.writer import begin_locked, chain_locked

log = logging.getLogger(__name__)

CHAIN_BATCH = 2000  # rows a transaction: keeps each hold of the lock short
ALARM_AFTER_SECONDS = 60


def chain_pending(engine: Engine, wait: bool = True) -> int:
    """Chain every row committed so far; returns how many. wait=False: leave it to the
    sequencer that holds the lock now (returns 0)."""
    chained = 0
    with engine.connect() as connection:
        while True:
            if not begin_locked(connection, wait=wait):
                return chained
            try:
                count = chain_locked(connection, limit=CHAIN_BATCH)
                connection.exec_driver_sql("COMMIT")
            except BaseException:
                connection.exec_driver_sql("ROLLBACK")
                raise
            chained += count
            if count < CHAIN_BATCH:
                return chained


@dataclass(frozen=True)
class Unchained:
    count: int
    oldest: datetime | None


def unchained_older_than(engine: Engine, seconds: float, now: datetime | None = None) -> Unchained:
    """Rows still waiting for the sequencer though written more than `seconds` ago."""
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(seconds=seconds)
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            cutoff = cutoff.replace(tzinfo=None)
        count, oldest = connection.execute(text(
            "SELECT COUNT(*), MIN(occurred_at) FROM audit_log WHERE seq IS NULL AND occurred_at < :cutoff"),
            {"cutoff": cutoff}).one()
    if isinstance(oldest, str):  # SQLite's aggregate comes back as text
        oldest = datetime.fromisoformat(oldest)
    return Unchained(count, oldest)


class SequencerThread(threading.Thread):
    """Chains every `interval` seconds until stopped; a failed round is logged and retried."""

    def __init__(self, engine: Engine, interval: float):
        super().__init__(name="audit-sequencer", daemon=True)
        self.engine, self.interval, self.stopping = engine, interval, threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            try:
                chain_pending(self.engine, wait=False)
            except Exception as error:  # noqa: BLE001 - the next round tries again; verify alarms if none succeeds
                log.error("audit sequencer round failed: %s", error)

    def stop(self) -> None:
        self.stopping.set()
        self.join(self.interval + 5)


def start_sequencer(app) -> SequencerThread | None:
    """One thread for this process, when AUDIT_SEQUENCER_SECONDS > 0."""
    interval = float(app.config.get("AUDIT_SEQUENCER_SECONDS") or 0)
    if interval <= 0:
        return None
    thread = SequencerThread(app.extensions["audit_engine"], interval)
    thread.start()
    app.extensions["audit_sequencer"] = thread
    return thread
