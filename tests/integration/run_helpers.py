"""Shared by the run-lifecycle tests: clocks the test moves itself, and a source that answers when the test
lets it, so that no test of leases races the machine's speed."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from indexer.runs import RunClock, lease_is_stale
from schema.tables import HarvestRun, utcnow


class ShiftedClock(RunClock):
    """The wall clock moved ahead: to a process reading it, every other run's heartbeat is that much older."""

    def __init__(self, ahead_seconds: float):
        self.ahead = timedelta(seconds=ahead_seconds)

    def now(self) -> datetime:
        return utcnow() + self.ahead


class ManualClock(RunClock):
    """Time that moves only when the test advances it. A run reads the clock once for each heartbeat it
    writes (and only then), so a test waits for heartbeats, not for time. `beat_seconds` is how long a
    waiting run goes between heartbeats, in real time: short to make a test quick, long to have none."""

    def __init__(self, beat_seconds: float = 0.01):
        self.moment = utcnow()
        self.readings = 0
        self.interval = beat_seconds
        self._changed = threading.Condition()

    def now(self) -> datetime:
        with self._changed:
            self.readings += 1
            self._changed.notify_all()
            return self.moment

    def beat_seconds(self, lease_seconds: float) -> float:
        return self.interval

    def advance(self, seconds: float) -> tuple[datetime, int]:
        """Moves the time on; returns the new time and how many readings were made before."""
        with self._changed:
            self.moment += timedelta(seconds=seconds)
            return self.moment, self.readings

    def wait_for_readings(self, count: int, timeout: float = 60) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.readings >= count, timeout)


class LeaseWitness:
    """Each time a run waits on something the test serves (a file, a page, Tika), the time moves two
    leases on, and the run must renew its heartbeat past that moment before the answer comes; the test
    looks from another connection, as a second `flask harvest` would."""

    def __init__(self, database_url: str, clock: ManualClock, lease_seconds: float):
        self.engine = create_engine(database_url)
        self.clock, self.lease_seconds = clock, lease_seconds
        self.kept: list[bool] = []

    def outlast_the_lease(self) -> None:
        moved_to, readings = self.clock.advance(2 * self.lease_seconds)
        # A heartbeat reads the clock, then commits; the next reading comes after that commit.
        beaten = self.clock.wait_for_readings(readings + 2)
        with Session(self.engine) as session:
            run = session.scalars(select(HarvestRun).where(HarvestRun.state == "running")).one()
            self.kept.append(beaten and aware(run.heartbeat_at) >= moved_to
                             and not lease_is_stale(run, self.lease_seconds, moved_to))


class HeldSource:
    """A WSGI app in front of another whose answers wait until the test opens the gate."""

    def __init__(self, app, holds=lambda environ: True):
        self.app, self.holds = app, holds
        self.gate = threading.Event()
        self.held = 0

    def __call__(self, environ, start_response):
        if self.holds(environ):
            self.held += 1
            self.gate.wait(timeout=300)  # a bound, so a failing test ends; the test opens it long before
        return self.app(environ, start_response)


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # SQLite gives naive datetimes back
