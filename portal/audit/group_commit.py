"""Group commit: the rows a process's requests write at the same moment go into the database in one
transaction, written by one thread, and each request waits until its own row is committed.

A request hands its row to the process's writer and blocks; the writer takes every row waiting (up
to `max_batch`), INSERTs them in one transaction and COMMITs, then wakes their requests: a commit (a
round trip and, on PostgreSQL, a WAL flush) is paid once for all of them instead of once a row. Fail
closed as before: a request goes on only once its row is committed, and a row that could not be
committed (or not within `wait_seconds`) raises, so the action it records does not happen. When a
batch fails, its rows are written again one a transaction, so one row the database refuses fails its
own request only.

Rows stay unchained (writer.insert_unchained); the sequencer chains them in commit order as before.
"""
from __future__ import annotations

import logging
import os
import queue
import threading
from datetime import datetime, timezone

from sqlalchemy import Engine

from portal.audit.writer import AuditEvent, append_event, insert_many_unchained

log = logging.getLogger(__name__)


class AuditWriteTimeout(RuntimeError):
    """The row was not committed in time; the action is refused (the row may still commit later)."""


class _Pending:
    __slots__ = ("event", "occurred_at", "committed", "error")

    def __init__(self, event: AuditEvent):
        self.event, self.occurred_at = event, datetime.now(timezone.utc)
        self.committed, self.error = threading.Event(), None

    def settle(self, error: BaseException | None) -> None:
        self.error = error
        self.committed.set()


class GroupCommitWriter:
    """One writer thread a process, started by the first row it is given (so after gunicorn's fork)
    and ended after `idle_seconds` without rows (a test's many apps leave no threads behind)."""

    def __init__(self, engine: Engine, max_batch: int = 256, wait_seconds: float = 10.0, idle_seconds: float = 60.0):
        self.engine, self.max_batch, self.wait_seconds, self.idle_seconds = engine, max_batch, wait_seconds, idle_seconds
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._running_in: int | None = None  # the process whose writer thread is running
        self._lock = threading.Lock()

    def write(self, event: AuditEvent) -> None:
        """Returns once the row is committed; raises the database's error, or AuditWriteTimeout."""
        pending = _Pending(event)
        with self._lock:  # the thread is running when the row goes in: it ends only with the queue empty
            if self._running_in != os.getpid():  # not yet, or a forked child: the parent's thread is not here
                self._queue = queue.SimpleQueue()
                threading.Thread(target=self._run, name="audit-group-commit", daemon=True).start()
                self._running_in = os.getpid()
            self._queue.put(pending)
        if not pending.committed.wait(self.wait_seconds):
            raise AuditWriteTimeout(f"the audit row was not committed within {self.wait_seconds:g} s")
        if pending.error is not None:
            raise pending.error

    def _run(self) -> None:
        rows = self._queue
        while True:
            try:
                batch = [rows.get(timeout=self.idle_seconds)]
            except queue.Empty:
                with self._lock:
                    if rows.empty():
                        self._running_in = None
                        return
                continue
            while len(batch) < self.max_batch:
                try:
                    batch.append(rows.get_nowait())
                except queue.Empty:
                    break
            self.commit_batch(batch)

    def commit_batch(self, batch: list[_Pending]) -> None:
        """One transaction for the batch; if it fails, each row alone. Every request is woken."""
        try:
            with self.engine.connect() as connection:  # AUTOCOMMIT engine: the transaction is ours to open
                connection.exec_driver_sql("BEGIN")
                try:
                    insert_many_unchained(connection, [(pending.event, pending.occurred_at) for pending in batch])
                    connection.exec_driver_sql("COMMIT")
                except BaseException:
                    connection.exec_driver_sql("ROLLBACK")
                    raise
        except Exception as error:  # noqa: BLE001 - each row is tried alone below, and its request told
            log.warning("audit batch of %d rows failed (%s); writing them one by one", len(batch), error)
            for pending in batch:
                try:
                    append_event(self.engine, pending.event, now=pending.occurred_at)
                except Exception as row_error:  # noqa: BLE001 - raised in the request that wrote the row
                    pending.settle(row_error)
                else:
                    pending.settle(None)
            return
        for pending in batch:
            pending.settle(None)
