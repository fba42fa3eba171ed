"""A harvest run of one source, in CKAN's stages (indexer/stages/): gather the list page by page, fetch
each record's files, import it; a harvest object per record keeps its state and error. This module
claims the run, conducts the stages and closes the run.

One bad record never stops a run: it is counted and its error kept in the run's report. The
run stops only when the source or the index cannot be used, and says why.

Resumable: after each page is in the index, the page's objects, the counts and the checkpoint
(the token of the next page) are committed together. A run killed at any moment is taken up
again from that checkpoint by the next `harvest` of its source; the pages after it are read
again, which is harmless because writes are idempotent by record id and counts come from the
database, not from the index. Claiming the run, its lease and every write of the run go through
indexer/runs.py: one running run per source, and a process whose run was taken over stops.

Incremental runs ask for records from the last successful datestamp; full runs build a new
index of the source beside the one readers use and swap the alias when they succeed, so what
the source no longer has is gone and readers never see a half-built province.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import partial
from datetime import datetime
from typing import Callable

from opensearchpy import OpenSearch
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from indexer.errors import HarvestError, IndexUnavailable, LeaseLost, SourceProtocolError, SourceUnavailable
from indexer.file_texts import FileTexts
from indexer.mapping.registry import MAPPERS, mapper_for, richest_known
from indexer.run_log import RunLog
from indexer.runs import RunClock, RunLease, claim_run
from indexer.sources.oai_pmh import OaiPage, OaiPmhClient, RepositoryInfo, RetryPolicy
from indexer.stages.bookkeeping import PageBookkeeping, known_records_query
from indexer.stages.dispatch import DispatchedGather, PageDispatcher, PageTask, import_page
from indexer.stages.fetch import FileFetch
from indexer.stages.gather import ListGather
from indexer.stages.import_ import PageImport
from indexer.text_extraction import TikaExtractor
from indexer.writer import RecordWriter
from schema.access_policy import policy_of
from schema.file_links import FileLinkPolicy, guarded_session
from schema.index import IndexLayout
from schema.record import content_hash, record_id
from schema.tables import HarvestedRecord, HarvestRun, Source, next_due, utcnow

__all__ = ["AUTO_PREFIX", "FINISHED_STATES", "HarvestSettings", "PageDispatcher", "PageTask", "Progress",
           "RetryPolicy", "SourceHarvest", "awaiting_extraction_query", "content_hash", "due_sources",
           "forget_source_records", "harvest_page", "harvest_source", "known_records_query", "last_run_started",
           "refresh_record", "source_sets"]

log = logging.getLogger(__name__)

AUTO_PREFIX = "auto"
FINISHED_STATES = ("done", "done-with-errors", "failed", "stopped")


@dataclass
class HarvestSettings:
    index_prefix: str = ""
    index_layout: IndexLayout = field(default_factory=IndexLayout)  # shards and replicas of a new index
    batch_size: int = 500  # documents a bulk request carries at most
    import_records: int = 500  # the list's pages are imported together until they hold this many records
    bulk_threads: int = 2  # bulk requests of one page sent at once, when a page needs more than one
    file_threads: int = 2  # files of a page downloaded and sent to Tika at once
    commit_seconds: float = 0.5  # pages written within this time are committed (with their checkpoint) together
    http_timeout: float = 60
    signature_trust_roots: list = field(default_factory=list)  # certificates PDF signers must chain to
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    lease_seconds: float = 300  # a running run whose heartbeat is older is taken to be dead
    clock: RunClock = field(default_factory=RunClock)  # what leases are read against; tests move their own
    max_list_restarts: int = 2  # after badResumptionToken
    max_record_bytes: int = 10 * 1024 * 1024
    page_window: int = 8  # pages handed to page tasks and not yet done, at most (a run on Celery's workers)
    # A page no worker process has started after this long is imported by its coordinator itself: a fleet whose
    # every process coordinates a run would otherwise wait for ever on pages none of them is free to take.
    page_stall_seconds: float = 15.0
    # Text kept from an earlier extraction of the same bytes is used instead of Tika's (indexer/file_texts.py).
    # False: every file goes to Tika and what it reads replaces what was kept (the bench's first harvests).
    reuse_file_texts: bool = True


Progress = Callable[[int, int | None], None]  # (records done, records expected or None)


def awaiting_extraction_query(source_id: str, run_id: int):
    """The identifiers of the source's records indexed without their files' text (Tika was down) by an
    earlier run: this run reads their files again."""
    return select(HarvestedRecord.identifier).where(
        HarvestedRecord.source_id == source_id, HarvestedRecord.needs_extraction.is_(True),
        (HarvestedRecord.last_run_id != run_id) | HarvestedRecord.last_run_id.is_(None))


class SourceHarvest:
    """Claims and carries one run (its lease, its report, its checkpoint) and conducts its stages, each in
    a module of indexer/stages/: the list gathered page by page, each page's records imported (mapped and
    written), their files fetched, and each written page's bookkeeping committed with its checkpoint."""

    def __init__(self, db: Session, source: Source, client: OpenSearch, extractor: TikaExtractor,
                 settings: HarvestSettings, full: bool = False, set_spec: str | None = None,
                 until: str | None = None, dispatcher: PageDispatcher | None = None):
        self.db, self.source, self.extractor, self.settings = db, source, extractor, settings
        self.log = RunLog(log, source.id)
        self.full = full
        self.set_override = set_spec
        self.until = until
        # One guarded session for the source's list and its files: no link it sends reaches our own services.
        self.http = guarded_session(FileLinkPolicy.for_source(source), pool_size=max(settings.file_threads, 1) + 2)
        self.client = client
        self.file_texts = FileTexts(client, settings.index_prefix, extractor.limits, settings.reuse_file_texts)
        self.writer: RecordWriter | None = None
        self.run: HarvestRun | None = None
        self.lease: RunLease | None = None
        self.mapper = None
        self.access_policy = policy_of(source)  # as the run starts: a policy changed meanwhile waits for the next
        self.listing_started = False
        self.restarted = False
        self.page_read_again = False  # a page task's page whose records this run may have imported already
        self.bulk_pool = ThreadPoolExecutor(max(settings.bulk_threads, 1), thread_name_prefix="bulk")
        self.file_pool = ThreadPoolExecutor(max(settings.file_threads, 1), thread_name_prefix="files")
        self._waiting_pool = ThreadPoolExecutor(1, thread_name_prefix="source-call")
        self._retry_notes: list[tuple[str, str, str]] = []
        self._retry_lock = threading.Lock()
        self.last_commit = time.monotonic()
        self.oai = OaiPmhClient(source.url, self.http, timeout=settings.http_timeout, retry=settings.retry,
                                on_retry=self._note_retry, max_record_bytes=settings.max_record_bytes)
        # Pages imported here, or (a dispatcher given) by page tasks in any worker process.
        self.gather = DispatchedGather(self, dispatcher, settings.page_window, settings.page_stall_seconds) \
            if dispatcher else ListGather(self)
        self.files = FileFetch(self)
        self.importer, self.bookkeeping = PageImport(self), PageBookkeeping(self)

    # --- the run ---------------------------------------------------------------------------------------------

    def execute(self, on_progress: Progress | None = None) -> HarvestRun:
        self.run = self._claim_run()
        self.log.bind(self.run)
        self.log.info("harvest of %s: run %s (%s) started", self.source.id, self.run.id, self.run.mode)
        try:
            self._prepare()
            self.gather.walk(on_progress)
            self._extract_pending()
            self._finish()
        except LeaseLost:  # the run is its successor's now: nothing more is written, not even a report
            raise
        except SourceProtocolError as error:
            self._stop(error, resumable=False,
                       state="stopped" if error.code == "resumptionTokenLoop" else "failed")
        except (SourceUnavailable, IndexUnavailable) as error:
            self._stop(error, resumable=self.listing_started,
                       state="stopped" if self.listing_started else "failed")
        except HarvestError as error:
            self._stop(error, resumable=False, state="failed")
        except Exception as error:  # a bug must still leave a report and a checkpoint to resume from
            self.log.exception("harvest of %s broke", self.source.id)
            self._stop(f"unexpected error: {type(error).__name__}: {error}", resumable=True, state="failed")
        except BaseException:  # Ctrl-C, SystemExit: what is committed stays, the run can be resumed
            self._stop("interrupted", resumable=True, state="stopped")
            raise
        finally:
            self.shutdown()
        return self.run

    def refresh_record(self, identifier: str) -> HarvestRun:
        """GetRecord for one record, imported as a run of mode `record`."""
        self.run = self._claim_run(mode="record")
        self.log.bind(self.run)
        self.log.info("harvest of %s: run %s refreshes %s", self.source.id, self.run.id, identifier)
        try:
            self._prepare()
            record = self._beating(self.oai.get_record, self._oai_identifier(identifier), self.run.metadata_prefix)
            self.listing_started = True
            self._take_page(OaiPage([record], None))
            self.writer.refresh()
            self._close("done-with-errors" if self.run.failed else "done")
        except LeaseLost:
            raise
        except HarvestError as error:
            self._stop(error, resumable=False, state="failed")
        finally:
            self.shutdown()
        return self.run

    def shutdown(self) -> None:
        for pool in (self.bulk_pool, self.file_pool, self._waiting_pool):
            pool.shutdown(wait=True)

    def _claim_run(self, mode: str | None = None) -> HarvestRun:
        """A stale or stopped run of the source to take up again, or a new run; RunBusy if a live process
        holds the source. A single-record refresh takes up nothing: a stale run is left for the next one."""
        def start(owner: str) -> HarvestRun:
            return HarvestRun.begin(self.source.id, mode or ("full" if self.full else "incremental"), owner,
                                    set_spec=self.set_override if self.set_override is not None
                                    else self.source.set_spec, until_datestamp=self.until)

        def resume_from(candidates: list[HarvestRun]) -> HarvestRun | None:
            return next((run for run in candidates if run.mode != "record" and (not self.full or run.mode == "full")
                         and (self.set_override is None or self.set_override == run.set_spec)), None)

        self.lease = claim_run(self.db, self.source.id, start, lease_seconds=self.settings.lease_seconds,
                               clock=self.settings.clock, resume_from=None if mode else resume_from,
                               park_stale=mode == "record")
        run = self.lease.run
        if run.resumed:
            self.full = run.mode == "full"
            self.until = run.until_datestamp
        return run

    def _prepare(self) -> None:
        run = self.run
        if self.source.kind != "oai-pmh":
            raise HarvestError(f"source kind {self.source.kind!r} is not harvested over OAI-PMH")
        info = self._beating(self.oai.describe)
        if run.metadata_prefix is None:
            run.metadata_prefix = self._choose_prefix()
        self.mapper = mapper_for(run.metadata_prefix)
        if self.mapper is None:
            raise SourceProtocolError("cannotDisseminateFormat",
                                      f"no mapping reads {run.metadata_prefix!r} (known: {', '.join(MAPPERS)})")
        if run.resumed == 0 and run.mode != "record":
            run.from_datestamp = None if self.full else info.format_datestamp(self.source.last_datestamp)
            run.checkpoint_datestamp = run.from_datestamp
            if not self.full and info.deleted_record == "no" and run.from_datestamp:
                self.note("source", self.source.id, "the source keeps no deletions (deletedRecord=no): "
                                                     "records it removed stay until a --full run")
        self.info: RepositoryInfo = info
        # Creating an index can take OpenSearch a while when it is busy: the lease is kept meanwhile.
        if self.full:
            if run.target_index:
                self.writer = self._beating(partial(RecordWriter, self.client, self.source.id,
                                                    self.settings.index_prefix, index=run.target_index,
                                                    layout=self.settings.index_layout))
            else:
                self.writer = self._beating(RecordWriter.new_generation, self.client, self.source.id,
                                            self.settings.index_prefix, self.settings.index_layout)
                run.target_index = self.writer.index
        else:
            self.writer = self._beating(partial(RecordWriter, self.client, self.source.id, self.settings.index_prefix,
                                                layout=self.settings.index_layout))
        self.lease.commit()

    def _choose_prefix(self) -> str:
        wanted = (self.source.metadata_prefix or AUTO_PREFIX).strip()
        if wanted != AUTO_PREFIX:
            return wanted
        offered = self._beating(self.oai.list_metadata_formats)
        chosen = richest_known(offered)
        if chosen is None:
            raise SourceProtocolError("cannotDisseminateFormat",
                                      f"the source offers {', '.join(offered) or 'no format'}; "
                                      f"the harvester reads {', '.join(MAPPERS)}")
        return chosen

    # --- one page: fetch, map, write, commit -------------------------------------------------------------------

    def _take_page(self, page: OaiPage) -> None:
        """One page through every stage, before returning (single records, re-extraction)."""
        work = self.importer.prepare(page, [])
        self.files.collect(work)
        self.importer.submit(work)
        self.importer.wait(work)
        self.bookkeeping.commit(work, final=True)

    def note(self, kind: str, doc_id: str, message: str) -> None:
        self.run.note(kind, doc_id, message)

    @property
    def beat_seconds(self) -> float:
        return self.lease.beat_seconds

    def wait_beating(self, futures: list[Future]) -> None:
        """Waits for the futures, keeping the run's lease alive meanwhile: a page of large files can take
        longer than the lease, and a run whose heartbeat stops is taken to be dead and resumed elsewhere."""
        pending = [future for future in futures if not future.done()]
        while pending:
            _, still = wait(pending, timeout=self.beat_seconds)
            pending = list(still)
            if pending:
                self.beat()

    def _beating(self, function, *args):
        """function(*args), called in a thread of its own while this one keeps the lease alive (a source
        that answers slowly, or asks to be retried later, may take longer than the lease)."""
        future = self._waiting_pool.submit(function, *args)
        self.wait_beating([future])
        return future.result()

    def beat(self) -> None:
        """A fresh heartbeat, committed; LeaseLost if the run was taken over. Safe between pages: what the
        session holds then is of pages already in the index (mapping touches nothing in the session)."""
        self.lease.beat()
        self.last_commit = time.monotonic()

    def _note_retry(self, message: str) -> None:
        with self._retry_lock:  # called from the fetching thread; noted in the run at the next commit
            self._retry_notes.append(("retry", self.source.id, message))

    def drain_retry_notes(self) -> list[tuple[str, str, str]]:
        with self._retry_lock:
            notes, self._retry_notes = self._retry_notes, []
        return notes

    # --- the end of a run --------------------------------------------------------------------------------------

    def _extract_pending(self) -> None:
        """Records indexed while Tika was down are fetched again, now that it answers."""
        pending = self.db.scalars(awaiting_extraction_query(self.source.id, self.run.id)).all()
        if not pending or not self.extractor.is_available():
            return
        for identifier in sorted(set(pending)):
            try:
                record = self._beating(self.oai.get_record, identifier, self.run.metadata_prefix)
            except SourceProtocolError as error:
                self.note("extraction", identifier, f"could not fetch the record again: {error}")
                continue
            self._take_page(OaiPage([record], None))

    def _finish(self) -> None:
        run = self.run
        if self.full:
            self._beating(self.writer.refresh)
            self.lease.check()  # only the run's holder shows readers its index
            self._beating(self.writer.swap_alias)
            # What the source no longer lists is not in the new index; the database forgets it too.
            gone = self.db.scalars(select(HarvestedRecord).where(
                HarvestedRecord.source_id == self.source.id,
                (HarvestedRecord.last_run_id != run.id) | HarvestedRecord.last_run_id.is_(None))).all()
            for row in gone:
                self.db.delete(row)
            run.deleted += len(gone)
        else:
            self._beating(self.writer.refresh)
        own_list = run.set_spec == self.source.set_spec and not run.until_datestamp
        if own_list and run.newest_datestamp and (not self.source.last_datestamp
                                                  or run.newest_datestamp > self.source.last_datestamp):
            self.source.last_datestamp = run.newest_datestamp  # a partial list must not move the source's mark
        if run.files_extracted:
            self.log.info("harvest of %s: %d files with text, %d of them reused from an earlier extraction "
                          "of the same bytes", self.source.id, run.files_extracted, run.files_reused or 0)
        self._close("done-with-errors" if run.failed else "done")

    def _close(self, state: str) -> None:
        self.run.checkpoint_token = None
        self.lease.close(state)

    def _stop(self, error, resumable: bool, state: str) -> None:
        """The run stops with its message and, if resumable, its checkpoint; LeaseLost (and nothing
        written) if it was taken over meanwhile."""
        try:
            self.db.rollback()  # what is not committed was not in the index either
        except Exception:  # pragma: no cover - the session is unusable; the lease will tell
            self.log.exception("rollback failed")
        for kind, record, message in self.drain_retry_notes():
            self.note(kind, record, message)
        self.lease.close(state, message=str(error), resumable=resumable)
        self.log.error("harvest of %s %s: %s", self.source.id, state, error)

    def _oai_identifier(self, identifier: str) -> str:
        """An OAI identifier as given, or the one behind a record id / local id the index holds."""
        if identifier.startswith("oai:"):
            return identifier
        for candidate in (identifier, record_id(self.source.id, identifier)):
            row = self.db.get(HarvestedRecord, (self.source.id, candidate))
            if row is not None:
                return row.identifier
        return identifier


def harvest_source(db: Session, source: Source, client: OpenSearch, extractor: TikaExtractor,
                   settings: HarvestSettings | None = None, full: bool = False,
                   on_progress: Progress | None = None, set_spec: str | None = None,
                   until: str | None = None, dispatcher: PageDispatcher | None = None) -> HarvestRun:
    return SourceHarvest(db, source, client, extractor, settings or HarvestSettings(), full,
                         set_spec=set_spec, until=until, dispatcher=dispatcher).execute(on_progress)


def harvest_page(db: Session, source: Source, client: OpenSearch, extractor: TikaExtractor, task: PageTask,
                 settings: HarvestSettings | None = None) -> str:
    """One page of a run another process coordinates (a page task): "done", or "superseded" when that run is
    no longer its coordinator's. HarvestError (the index unreachable, say) when the page could not be written."""
    return import_page(SourceHarvest(db, source, client, extractor, settings or HarvestSettings()), task)


def refresh_record(db: Session, source: Source, client: OpenSearch, extractor: TikaExtractor,
                   identifier: str, settings: HarvestSettings | None = None) -> HarvestRun:
    return SourceHarvest(db, source, client, extractor, settings or HarvestSettings()).refresh_record(identifier)


def last_run_started(db: Session, source_id: str) -> datetime | None:
    return db.scalars(select(HarvestRun.started_at).where(HarvestRun.source_id == source_id, HarvestRun.mode != "record")
                      .order_by(HarvestRun.id.desc()).limit(1)).first()


def due_sources(db: Session, now: datetime | None = None) -> list[Source]:
    """Enabled sources due now: by their schedule, or because a run was asked for on /admin/sources
    (schema.tables.next_due decides both)."""
    now = now or utcnow()
    due = []
    for source in db.scalars(select(Source).where(Source.enabled.is_(True)).order_by(Source.id)):
        when = next_due(source, last_run_started(db, source.id))
        if when is not None and when <= now:
            due.append(source)
    return due


def source_sets(source: Source, timeout: float = 60) -> list[tuple[str, str]]:
    """(setSpec, setName) of the sets the source offers."""
    return OaiPmhClient(source.url, guarded_session(FileLinkPolicy.for_source(source)), timeout=timeout).list_sets()


def forget_source_records(db: Session, source_id: str) -> None:
    db.execute(delete(HarvestedRecord).where(HarvestedRecord.source_id == source_id))
