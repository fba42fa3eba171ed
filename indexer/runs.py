"""A harvest run's life in the database, for every kind of source: claimed, leased, renewed, closed.

The database is the lock. At most one run of a source is `running` (the partial unique index
uq_harvest_runs_one_running), so when two processes claim a source in the same instant, on one host or
on two, the index decides: the second insert (or the second run re-opened) fails and that process gets
RunBusy, naming who holds the source. A run left `running` by a dead process is handed over by a
compare-and-set on its lease as it was seen (owner and heartbeat), so of two processes that both
find it stale, one takes it.

A claimed run belongs to the process named by its `lease_owner` (host:pid:token, unique per claim).
Every write of the run goes through its RunLease: heartbeats, checkpoints and the end of the run
first renew the heartbeat with `UPDATE … WHERE id = :run AND lease_owner = :me` in the same
transaction as their own writes. When no row matches, a successor took the run over (this process
stalled longer than the lease): the process stops with LeaseLost before it writes the index again and
leaves the row, now the successor's, as it is.

Time comes from a RunClock (the wall clock unless a test gives its own), so what counts as stale
and how often a waiting run renews its heartbeat can be tested without racing the machine.
"""
from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Callable, Iterator

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from indexer.errors import LeaseLost, RunBusy
from indexer.run_log import RunLog
from schema.tables import HarvestRun, as_aware, utcnow

log = logging.getLogger(__name__)

RUNS = HarvestRun.__table__

# The lease's statements, built once: they run several times a page, and SQLAlchemy builds and keys a statement
# written out anew each time, which cost a page task more than the database's work on them.
_OURS = (RUNS.c.id == bindparam("run_id")) & (RUNS.c.lease_owner == bindparam("owner")) & (RUNS.c.state == "running")
RENEW_HEARTBEAT = update(RUNS).where(_OURS).values(heartbeat_at=bindparam("now"))
HOLD_ROW = update(RUNS).where(_OURS).values(lease_owner=RUNS.c.lease_owner)  # the row locked, nothing changed
HOLDER = select(RUNS.c.lease_owner, RUNS.c.state).where(RUNS.c.id == bindparam("run_id"))
ONE_RUNNING_INDEX = "uq_harvest_runs_one_running"


class RunClock:
    """The time leases are read against, and how long a waiting run goes between heartbeats (a fifth
    of the lease, so one late heartbeat never makes a live run look dead)."""

    def now(self) -> datetime:
        return utcnow()

    def beat_seconds(self, lease_seconds: float) -> float:
        return max(lease_seconds / 5, 0.05)


def new_lease_owner() -> str:
    """host:pid:token. The token tells two claims of one process apart (a run taken over and given back);
    host and pid let lease_is_stale see that a process of this host is gone."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _owner_process(owner: str | None) -> tuple[str, int | None]:
    """(host, pid) of a lease owner: host:pid:token, or host:pid as runs before tokens were written."""
    parts = (owner or "").split(":")
    for pid_at in (-2, -1):
        if len(parts) >= -pid_at + 1 and parts[pid_at].isdigit():
            return ":".join(parts[:pid_at]), int(parts[pid_at])
    return "", None


def lease_is_stale(run: HarvestRun, lease_seconds: float, now: datetime | None = None) -> bool:
    """The process holding the run is gone: its heartbeat is old, or it ran here and has exited."""
    now = now or utcnow()
    heartbeat = as_aware(run.heartbeat_at) or as_aware(run.started_at)
    if heartbeat is None or now - heartbeat > timedelta(seconds=lease_seconds):
        return True
    host, pid = _owner_process(run.lease_owner)
    if host == socket.gethostname() and pid is not None:
        return not _process_alive(pid)
    return False


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _held_by(run: HarvestRun) -> str:
    heartbeat = f", heartbeat {run.heartbeat_at:%Y-%m-%d %H:%M:%S}" if run.heartbeat_at else ""
    return f"source {run.source_id} is being harvested by {run.lease_owner} (run {run.id}{heartbeat})"


# --- claiming ---------------------------------------------------------------------------------------------------

def claim_run(db: Session, source_id: str, start: Callable[[str], HarvestRun], *, lease_seconds: float,
              clock: RunClock | None = None,
              resume_from: Callable[[list[HarvestRun]], HarvestRun | None] | None = None,
              park_stale: bool = False) -> "RunLease":
    """The source's run for this process, committed: a stale or stopped run that `resume_from` picks
    (given them newest first), taken up again, or else the new run `start(owner)` makes.

    A stale running run that is not taken up is closed as superseded, or with `park_stale` (a
    single-record refresh, which must not end a list's run) stopped with its checkpoint, to be taken up
    by the source's next run. Runs `resume_from` passed over lose their checkpoint. RunBusy when a live
    process holds the source, or when another process claims it in the same instant."""
    clock = clock or RunClock()
    owner = new_lease_owner()
    try:
        running = list(db.scalars(select(HarvestRun).where(HarvestRun.source_id == source_id,
                                                           HarvestRun.state == "running")))
        now = clock.now()
        for run in running:
            if not lease_is_stale(run, lease_seconds, now):
                raise RunBusy(_held_by(run))
        candidates = []
        if resume_from is not None:
            stopped = db.scalars(select(HarvestRun).where(HarvestRun.source_id == source_id,
                                                          HarvestRun.state == "stopped",
                                                          HarvestRun.resumable.is_(True)))
            candidates = sorted([*running, *stopped], key=lambda r: r.id, reverse=True)
        chosen = resume_from(candidates) if resume_from is not None else None
        for run in running:  # stale: its process is gone; handed over only as this process saw it
            if run is chosen:
                continue
            if park_stale and run.mode != "record":
                parked = {"state": "stopped", "lease_owner": None, "resumable": True,
                          "message": "its process died; stopped to be taken up by the next run of the source"}
                take_over(db, run, **parked)
            else:
                take_over(db, run, state="stopped", finished_at=utcnow(), lease_owner=None, resumable=False,
                          message=(run.message or "") + " (its process died; superseded by a later run)")
        for run in candidates:
            if run is not chosen and run.state == "stopped":
                db.execute(update(RUNS).where(RUNS.c.id == run.id, RUNS.c.state == "stopped")
                           .values(resumable=False))
        if chosen is not None:
            taken_up = {"state": "running", "lease_owner": owner, "heartbeat_at": now, "finished_at": None,
                        "message": None, "resumed": (chosen.resumed or 0) + 1}
            if chosen.state == "running":
                take_over(db, chosen, **taken_up)
            else:
                reopen(db, chosen, **taken_up)
            db.commit()
            db.refresh(chosen)
            log.info("resuming run %s of %s from its checkpoint", chosen.id, source_id,
                     extra={"source": source_id, "run": chosen.id})
            return RunLease(db, chosen, owner, lease_seconds, clock)
        run = start(owner)
        run.heartbeat_at = now
        insert_run(db, run)
        return RunLease(db, run, owner, lease_seconds, clock)
    except Exception:  # RunBusy included: the session is left as it was, nothing of the claim in it
        db.rollback()
        raise


def insert_run(db: Session, run: HarvestRun) -> None:
    """Adds a running run and commits; RunBusy if the source has one already (the unique index says so
    even when the other process's insert is not committed yet: PostgreSQL waits for it)."""
    db.add(run)
    try:
        db.commit()
    except IntegrityError as error:
        db.rollback()
        if not _one_running_violated(error):
            raise
        raise RunBusy(_busy_message(db, run.source_id)) from None


def reopen(db: Session, run: HarvestRun, **values) -> None:
    """A stopped run taken up again (not committed): RunBusy if another process re-opened it first, or
    holds a running run of its source (the unique index)."""
    try:
        reopened = db.execute(update(RUNS).where(RUNS.c.id == run.id, RUNS.c.state == "stopped",
                                                 RUNS.c.resumable.is_(True)).values(**values)).rowcount
    except IntegrityError as error:
        db.rollback()
        if not _one_running_violated(error):
            raise
        raise RunBusy(_busy_message(db, run.source_id)) from None
    if reopened != 1:
        db.rollback()
        raise RunBusy(_busy_message(db, run.source_id, f"its stopped run {run.id} was taken up by another process"))


def take_over(db: Session, seen: HarvestRun, **values) -> None:
    """A stale running run changed (not committed) only if it is still as this process saw it: the same
    owner and the same heartbeat. RunBusy when another process took it first, or its owner woke up."""
    owner = RUNS.c.lease_owner == seen.lease_owner if seen.lease_owner is not None else RUNS.c.lease_owner.is_(None)
    heartbeat = RUNS.c.heartbeat_at == seen.heartbeat_at if seen.heartbeat_at is not None \
        else RUNS.c.heartbeat_at.is_(None)
    taken = db.execute(update(RUNS).where(RUNS.c.id == seen.id, RUNS.c.state == "running", owner, heartbeat)
                       .values(**values)).rowcount
    if taken != 1:
        db.rollback()
        raise RunBusy(_busy_message(db, seen.source_id, f"its run {seen.id} was taken over by another process"))


def _one_running_violated(error: IntegrityError) -> bool:
    text = str(error.orig)
    # PostgreSQL names the index; SQLite names the indexed column.
    return ONE_RUNNING_INDEX in text or "harvest_runs.source_id" in text


def _busy_message(db: Session, source_id: str, what: str | None = None) -> str:
    holder = db.scalars(select(HarvestRun).where(HarvestRun.source_id == source_id,
                                                 HarvestRun.state == "running")).first()
    said = _held_by(holder) if holder is not None else \
        f"source {source_id} was claimed by another process at the same moment"
    db.rollback()
    return said + (f" ({what})" if what else "")


# --- holding ----------------------------------------------------------------------------------------------------

class RunLease:
    """This process's hold on its run. Every write of the run goes through it, fenced by the lease."""

    def __init__(self, db: Session, run: HarvestRun, owner: str, lease_seconds: float, clock: RunClock):
        self.db, self.run, self.owner = db, run, owner
        self.run_id, self.source_id = run.id, run.source_id
        self.lease_seconds, self.clock = lease_seconds, clock
        self.lost: LeaseLost | None = None  # once lost, every later write is refused with the same reason
        self.log = RunLog(log, self.source_id, self.run_id)

    @property
    def beat_seconds(self) -> float:
        return self.clock.beat_seconds(self.lease_seconds)

    def commit(self) -> None:
        """Commits what the session holds (a checkpoint and its page), with a fresh heartbeat, if the run is
        still this process's; else rolls it all back and raises LeaseLost."""
        self._renew()
        self.db.commit()

    beat = commit  # a heartbeat commits what the session holds: only ever pages already in the index

    def check(self) -> None:
        """LeaseLost if the run is no longer this process's: asked before each write to the index, which
        the database's transaction cannot fence."""
        if self.lost:
            raise self.lost
        holder = self.db.execute(HOLDER, {"run_id": self.run_id}).first()
        if holder is None or holder.lease_owner != self.owner or holder.state != "running":
            self._lose()

    @contextmanager
    def kept_alive(self) -> Iterator[None]:
        """For work that leaves the session alone (a package's files read and sent to Tika): meanwhile a
        thread renews the heartbeat every beat_seconds on a connection of its own, fenced like every write,
        so that nothing half-done of the work is committed with it. A lease found lost there is raised
        once the work is done, before anything of it is written."""
        stop, lost = threading.Event(), threading.Event()

        def beat() -> None:
            while not stop.wait(self.beat_seconds):
                try:
                    with self.db.get_bind().connect() as connection:
                        renewed = connection.execute(RENEW_HEARTBEAT, {
                            "run_id": self.run_id, "owner": self.owner, "now": self.clock.now()}).rowcount
                        connection.commit()
                except Exception as error:  # the database away for a moment: the next beat tries again
                    self.log.warning("could not renew the heartbeat of run %s: %s", self.run_id, error)
                    continue
                if renewed != 1:
                    lost.set()
                    return

        thread = threading.Thread(target=beat, name=f"heartbeat-run-{self.run_id}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
        if lost.is_set():
            self.check()  # raises LeaseLost, naming who holds the run now

    def close(self, state: str, message: str | None = None, resumable: bool = False) -> None:
        """The run's end: its state and message, the lease given up, committed with what the session holds.
        LeaseLost (nothing written) if the run is no longer this process's."""
        if self.lost:
            raise self.lost
        self._renew()
        run = self.run
        run.state, run.finished_at, run.lease_owner, run.resumable = state, utcnow(), None, resumable
        if message is not None:
            run.message = message
        self.db.commit()
        self.log.log(logging.ERROR if state == "failed" else logging.INFO,
                     "run %s of %s %s: %s added, %s updated, %s deleted, %s failed, %s unchanged", run.id,
                     self.source_id, state, run.added or 0, run.updated or 0, run.deleted or 0, run.failed or 0,
                     run.unchanged or 0)

    def _renew(self) -> None:
        """The fence: a heartbeat written only where the run is still ours, in the caller's transaction.
        On PostgreSQL the row stays locked until the commit, on SQLite the database: no successor can
        take the run between this check and the commit."""
        if self.lost:
            raise self.lost
        now = self.clock.now()
        renewed = self.db.execute(RENEW_HEARTBEAT, {"run_id": self.run_id, "owner": self.owner, "now": now}).rowcount
        if renewed != 1:
            self._lose()
        set_committed_value(self.run, "heartbeat_at", now)

    def _lose(self) -> None:
        self.db.rollback()  # what this process had not committed is not the successor's
        holder = self.db.execute(HOLDER, {"run_id": self.run_id}).first()
        self.db.rollback()
        now = f"held by {holder.lease_owner}" if holder is not None and holder.lease_owner else \
            holder.state if holder is not None else "gone"
        self.lost = LeaseLost(f"run {self.run_id} of {self.source_id} is no longer this process's ({self.owner}): "
                              f"it was taken over while this process stalled and is now {now}; this process stops "
                              f"without writing the index or the run again")
        self.log.error("%s", self.lost)
        raise self.lost
