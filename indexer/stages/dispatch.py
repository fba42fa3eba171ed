"""A run's pages shared among worker processes: the coordinator (the process holding the run's lease) walks
the list in order, since resumption tokens are sequential, and hands each page as the source sent it to a
page task; any worker process maps, fetches, writes and books it (`import_page`).

What keeps the run's guarantees:
- The checkpoint moves only over the pages all done before it (the contiguous prefix): a coordinator killed
  at any moment is taken over from a checkpoint whose pages are all in the index and the database, and the
  pages after it are read again, at most the ones that were not done.
- A page is booked once: its harvest objects, harvested records and counts are committed in one
  transaction, under the run's row lock, so page tasks never lose each other's counts; a page imported
  again (its task delivered twice, the list read again after a takeover) finds its records' objects and
  counts nothing twice, as a resumed run always has.
- A page task writes only for the coordinator that sent it: its writes and its booking are fenced by that
  coordinator's lease owner, so the tasks of a run taken over (or ended) do nothing.

The queue (which process runs a page task, how its outcome comes back) is the caller's: a PageDispatcher.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING, Protocol

from indexer.errors import IndexUnavailable, LeaseLost, SourceProtocolError, SourceUnavailable
from indexer.mapping.registry import mapper_for
from indexer.runs import HOLD_ROW, RunLease
from indexer.stages.gather import joined_pages, list_pages
from indexer.writer import RecordWriter
from schema.tables import HarvestRun

if TYPE_CHECKING:
    from indexer.harvest import SourceHarvest

DONE = "done"
SUPERSEDED = "superseded"


@dataclass(frozen=True)
class PageTask:
    """One page of a run, as handed to a worker: whose run it is, its place in the list, what the source sent."""

    run_id: int
    owner: str  # the coordinator's lease owner: the page is written only while the run is still its
    number: int  # counted from the page the coordinator started at
    content: bytes  # the page, or pages of the list taken together one after the other (`lengths`)
    quiet_repeats: bool = False  # records this run met before are expected (a run taken up again)
    lengths: tuple[int, ...] = ()  # of each page in `content`, when it holds more than one

    def pages(self) -> list[bytes]:
        """Each page in `content`, as the source sent it."""
        if not self.lengths:
            return [self.content]
        ends = list(accumulate(self.lengths))
        return [self.content[end - length:end] for end, length in zip(ends, self.lengths)]


class PageDispatcher(Protocol):
    def send(self, source_id: str, task: PageTask) -> None:
        """Queues the page for a worker."""

    def outcomes(self, run_id: int, owner: str, numbers: list[int]) -> dict[int, str]:
        """Which of these pages of this coordinator have ended: number → DONE or why the page could not be
        written (asked for the pages in flight only: a province's run has tens of thousands)."""

    def forget(self, run_id: int, owner: str) -> None:
        """The run's outcomes are no longer needed."""

    def take_back(self, source_id: str, task: PageTask) -> bool:
        """Imports the page in this process (the coordinator's) and leaves its outcome as a page task would,
        unless a worker process has started it: True if taken back. Each page is started once, by whichever
        claims it first; the task of a page taken back finds it claimed and does nothing."""


class PageLease(RunLease):
    """A page task's hold on the coordinator's run: every write fenced by the coordinator's lease owner, as
    the coordinator's own are, but leaving the heartbeat alone (the coordinator's liveness is its own)."""

    def _renew(self) -> None:
        if self.lost:
            raise self.lost
        held = self.db.execute(HOLD_ROW, {"run_id": self.run_id, "owner": self.owner}).rowcount
        if held != 1:
            self._lose()

    def lock(self) -> None:
        """The run's row, locked until this transaction's commit (PostgreSQL; the database on SQLite) and read
        again: the counts other page tasks committed meanwhile are added to, not overwritten."""
        self._renew()
        self.db.refresh(self.run)


class DispatchedGather:
    """The coordinator's walk: pages read in list order and queued, at most `window` not yet done; the
    checkpoint moved over the done prefix; the run's counts read back once every page has ended."""

    poll_seconds = 0.05

    def __init__(self, harvest: "SourceHarvest", dispatcher: PageDispatcher, window: int, stall_seconds: float = 15.0):
        self.harvest, self.dispatcher, self.window = harvest, dispatcher, max(window, 1)
        self.stall_seconds = stall_seconds
        self.tokens: list[str | None] = []  # the token after each page sent
        self.settled = 0  # pages done, from the first sent
        self.waiting: dict[int, tuple[PageTask, float]] = {}  # pages sent and not done: the task, when sent

    def walk(self, on_progress=None) -> None:
        h = self.harvest
        run = h.run
        token = run.checkpoint_token
        restarts = 0
        quiet = bool(run.resumed)  # pages after the checkpoint may have been done before the takeover
        h.oai.read_records = False  # the page tasks read them
        try:
            while True:
                try:
                    for page in list_pages(h, token):
                        if page.complete_list_size is not None:
                            run.complete_list_size = page.complete_list_size
                        parts = page.contents
                        task = PageTask(run.id, h.lease.owner, len(self.tokens), b"".join(parts), quiet or h.restarted,
                                        tuple(len(part) for part in parts) if len(parts) > 1 else ())
                        self.dispatcher.send(h.source.id, task)
                        self.waiting[task.number] = (task, time.monotonic())
                        self.tokens.append(page.token)
                        while len(self.tokens) - self.settled >= self.window:
                            self._settle()
                        if on_progress:
                            on_progress(run.processed, run.complete_list_size)
                    break
                except SourceProtocolError as error:
                    if not (error.code == "badResumptionToken" and restarts < h.settings.max_list_restarts):
                        raise
                    self._settle_all()
                    restarts += 1
                    token, h.restarted = None, True
                    self._note_after_pages("source", h.source.id, f"the resumption token was refused ({error}); "
                                           f"the list was read again from {run.checkpoint_datestamp or 'the start'}")
                    run.from_datestamp = run.checkpoint_datestamp
            self._settle_all()
        except LeaseLost:
            raise
        except (SourceUnavailable, SourceProtocolError):
            self._settle_all()  # the list broke off, not the index: the pages read so far still go in
            raise
        finally:
            self.dispatcher.forget(run.id, h.lease.owner)

    def _settle_all(self) -> None:
        while self.settled < len(self.tokens):
            self._settle()
        self._read_run()

    def _settle(self) -> None:
        """Waits a moment for pages to end; moves the checkpoint over those done in order. A page that could
        not be written stops the run there (resumable from the checkpoint before it)."""
        h = self.harvest
        outcomes = self.dispatcher.outcomes(h.run.id, h.lease.owner, list(range(self.settled, len(self.tokens))))
        moved = False
        for number in outcomes:
            self.waiting.pop(number, None)
        while self.settled < len(self.tokens) and self.settled in outcomes:
            outcome = outcomes[self.settled]
            if outcome != DONE:
                self._read_run()
                raise IndexUnavailable(f"page {self.settled + 1} of the list could not be written: {outcome}")
            self.settled += 1
            moved = True
        if moved:
            run = h.run
            run.checkpoint_token = self.tokens[self.settled - 1]
            run.resumable = run.checkpoint_token is not None
            # Fenced like every write; only the checkpoint's columns are changed here. Pages that end fast are
            # committed together, as a run in one process commits them: the checkpoint is then a little older,
            # never wrong, and _read_run commits the last one.
            if time.monotonic() - h.last_commit >= h.settings.commit_seconds:
                h.lease.commit()
                h.last_commit = time.monotonic()
        elif not self._take_back_a_stalled_page():
            time.sleep(self.poll_seconds)
            if time.monotonic() - h.last_commit >= h.beat_seconds:
                h.beat()

    def _take_back_a_stalled_page(self) -> bool:
        """The oldest page no process has started within stall_seconds, imported here: every worker process
        may be a coordinator waiting on its pages, and then no page would ever start (found by a test with one
        process). A page a worker has started is left to it, however long it takes."""
        h = self.harvest
        stalled = [(sent, number) for number, (_, sent) in self.waiting.items()
                   if time.monotonic() - sent >= self.stall_seconds]
        if not stalled:
            return False
        number = min(stalled)[1]
        task = self.waiting[number][0]
        h.lease.commit()  # the page's booking locks the run's row: nothing of this process may hold it
        h.last_commit = time.monotonic()
        if self.dispatcher.take_back(h.source.id, task):
            h.log.info("page %s: no worker process had started it in %g s; imported by the run's coordinator",
                       number + 1, self.stall_seconds)
            del self.waiting[number]  # its outcome is read on the next poll
        else:
            self.waiting[number] = (task, time.monotonic())  # a worker has it: wait for it again
        return True

    def _read_run(self) -> None:
        """The counts and report the page tasks committed, read into the coordinator's run."""
        h = self.harvest
        h.lease.commit()
        h.db.refresh(h.run)

    def _note_after_pages(self, kind: str, record: str, message: str) -> None:
        self.harvest.note(kind, record, message)  # every page has ended: the report is the coordinator's again
        self.harvest.lease.commit()


_writers: dict[tuple[int, str], RecordWriter] = {}  # a worker process's writer of each run it has pages of


def import_page(harvest: "SourceHarvest", task: PageTask) -> str:
    """One page of another process's run, in this process: mapped, its files fetched, written and booked.
    DONE, or SUPERSEDED when the run is no longer the coordinator's (nothing written). IndexUnavailable
    and other errors are raised: the page is not booked, and its coordinator stops the run there."""
    h = harvest
    run = h.db.get(HarvestRun, task.run_id)
    if run is None or run.state != "running" or run.lease_owner != task.owner:
        return SUPERSEDED
    h.run, h.full = run, run.mode == "full"
    h.restarted = h.page_read_again = task.quiet_repeats
    h.log.bind(run)
    h.lease = PageLease(h.db, run, task.owner, h.settings.lease_seconds, h.settings.clock)
    h.mapper = mapper_for(run.metadata_prefix)
    h.oai.progress.pages = task.number + 1
    try:
        h.writer = _writer_of(h, run)
        pages = [page for part in task.pages() if (page := h.oai.read_list_page(part, run.metadata_prefix))]
        if not pages:  # noRecordsMatch
            return DONE
        page = joined_pages(pages)
        work = h.importer.prepare(page, [])
        h.files.collect(work)
        h.importer.submit(work)
        h.importer.wait(work)
        h.lease.lock()
        h.bookkeeping.commit(work, final=True, checkpoint=False)
        return DONE
    except LeaseLost:
        return SUPERSEDED
    except BaseException:
        h.db.rollback()
        raise
    finally:
        h.shutdown()


def _writer_of(h: "SourceHarvest", run: HarvestRun) -> RecordWriter:
    """The index the run writes to (a full run's new one, else the source's), opened once a process."""
    key = (run.id, run.target_index or "")
    if key not in _writers:
        _writers.clear()  # another run's writer is not needed any more
        _writers[key] = RecordWriter(h.client, h.source.id, h.settings.index_prefix,
                                     index=run.target_index if run.mode == "full" else None,
                                     layout=h.settings.index_layout)
    return _writers[key]
