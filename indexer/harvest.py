"""A harvest run of one source, in CKAN's stages: gather the list page by page, fetch each
record and its files, import it; a harvest object per record keeps its state and error.

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
import queue
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import partial
from datetime import datetime, timezone
from typing import Callable, Iterator

from opensearchpy import OpenSearch
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from indexer.errors import (HarvestError, IndexUnavailable, LeaseLost, RecordError, SourceProtocolError,
                            SourceUnavailable)
from indexer.files import fetch_file
from indexer.mapping.oai_dc import MappedRecord
from indexer.mapping.registry import MAPPERS, mapper_for, richest_known
from indexer.mapping.text import clean_text
from indexer.run_log import RunLog
from indexer.runs import RunClock, RunLease, claim_run
from indexer.sources.oai_pmh import OaiPage, OaiPmhClient, OaiRecord, RepositoryInfo, RetryPolicy, local_identifier
from indexer.text_extraction import TikaExtractor
from indexer.writer import RecordWriter
from schema.access_policy import policy_of
from schema.file_links import FileLinkPolicy, guarded_session
from schema.index import IndexLayout
from schema.record import content_hash, record_id
from schema.tables import HarvestedRecord, HarvestObject, HarvestRun, Source, next_due, utcnow

log = logging.getLogger(__name__)

AUTO_PREFIX = "auto"
FINISHED_STATES = ("done", "done-with-errors", "failed", "stopped")


@dataclass
class HarvestSettings:
    index_prefix: str = ""
    index_layout: IndexLayout = field(default_factory=IndexLayout)  # shards and replicas of a new index
    batch_size: int = 500  # documents a bulk request carries at most
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


Progress = Callable[[int, int | None], None]  # (records done, records expected or None)


def known_records_query(source_id: str, identifiers: list[str]):
    """What the index holds of these source identifiers (a finding aid's identifier holds many records).
    Asked on every page: ix_harvested_records_identifier keeps it from reading all of the source's rows."""
    return select(HarvestedRecord).where(HarvestedRecord.source_id == source_id,
                                         HarvestedRecord.identifier.in_(set(identifiers)))


def awaiting_extraction_query(source_id: str, run_id: int):
    """The identifiers of the source's records indexed without their files' text (Tika was down) by an
    earlier run: this run reads their files again."""
    return select(HarvestedRecord.identifier).where(
        HarvestedRecord.source_id == source_id, HarvestedRecord.needs_extraction.is_(True),
        (HarvestedRecord.last_run_id != run_id) | HarvestedRecord.last_run_id.is_(None))


@dataclass
class _Pending:
    """One OAI record taken from a page, waiting for the page's bulk write."""

    record: OaiRecord
    documents: list[dict] = field(default_factory=list)
    deleted_ids: list[str] = field(default_factory=list)
    needs_extraction: set[str] = field(default_factory=set)
    repeat: bool = False  # this run met the identifier before: its counts are not taken again


@dataclass
class _PageWork:
    """A page between its stages: what it will add to the run once it is in the index."""

    page: OaiPage
    pending: dict[str, _Pending] = field(default_factory=dict)
    failures: list[tuple[OaiRecord, str, str]] = field(default_factory=list)
    notes: list[tuple[str, str, str]] = field(default_factory=list)
    unrecognised_access: list[str] = field(default_factory=list)  # a statement for each record carrying it
    known: dict[str, list[HarvestedRecord]] = field(default_factory=dict)
    processed: int = 0
    files_extracted: int = 0
    files_failed: int = 0
    links_refused: int = 0
    newest: str | None = None
    futures: list[Future] = field(default_factory=list)
    file_jobs: list[tuple[_Pending, dict, list[str]]] = field(default_factory=list)
    file_results: list[Future] = field(default_factory=list)
    write_failures: dict[str, str] = field(default_factory=dict)


def _prefetched(pages: Iterator[OaiPage], on_wait: Callable[[], None] = lambda: None,
                wait_seconds: float = 5) -> Iterator[OaiPage]:
    """The pages of a list, the next one fetched in a thread while the caller works on this one;
    `on_wait` is called every `wait_seconds` while the caller waits for a page (a slow source)."""
    slots: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    end = object()

    def fetch() -> None:
        try:
            for page in pages:
                while not stop.is_set():
                    try:
                        slots.put(page, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slots.put(end)
        except BaseException as error:  # handed to the caller, raised there
            slots.put(error)

    thread = threading.Thread(target=fetch, name="oai-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            try:
                item = slots.get(timeout=wait_seconds)
            except queue.Empty:
                on_wait()
                continue
            if item is end:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


class SourceHarvest:
    """Carries one run: its counters, its report, its checkpoint."""

    def __init__(self, db: Session, source: Source, client: OpenSearch, extractor: TikaExtractor,
                 settings: HarvestSettings, full: bool = False, set_spec: str | None = None,
                 until: str | None = None):
        self.db, self.source, self.extractor, self.settings = db, source, extractor, settings
        self.log = RunLog(log, source.id)
        self.full = full
        self.set_override = set_spec
        self.until = until
        # One guarded session for the source's list and its files: no link it sends reaches our own services.
        self.http = guarded_session(FileLinkPolicy.for_source(source), pool_size=max(settings.file_threads, 1) + 2)
        self.client = client
        self.writer: RecordWriter | None = None
        self.run: HarvestRun | None = None
        self.lease: RunLease | None = None
        self.mapper = None
        self.access_policy = policy_of(source)  # as the run starts: a policy changed meanwhile waits for the next
        self.listing_started = False
        self.restarted = False
        self.bulk_pool = ThreadPoolExecutor(max(settings.bulk_threads, 1), thread_name_prefix="bulk")
        self.file_pool = ThreadPoolExecutor(max(settings.file_threads, 1), thread_name_prefix="files")
        self._waiting_pool = ThreadPoolExecutor(1, thread_name_prefix="source-call")
        self._retry_notes: list[tuple[str, str, str]] = []
        self._retry_lock = threading.Lock()
        self._last_commit = time.monotonic()
        self.oai = OaiPmhClient(source.url, self.http, timeout=settings.http_timeout, retry=settings.retry,
                                on_retry=self._note_retry, max_record_bytes=settings.max_record_bytes)

    # --- the run ---------------------------------------------------------------------------------------------

    def execute(self, on_progress: Progress | None = None) -> HarvestRun:
        self.run = self._claim_run()
        self.log.bind(self.run)
        self.log.info("harvest of %s: run %s (%s) started", self.source.id, self.run.id, self.run.mode)
        try:
            self._prepare()
            self._gather(on_progress)
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
            self._shutdown()
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
            self._shutdown()
        return self.run

    def _shutdown(self) -> None:
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
                self._note("source", self.source.id, "the source keeps no deletions (deletedRecord=no): "
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

    def _gather(self, on_progress: Progress | None) -> None:
        """Pages flow through four stages at once: the next page is fetched (a thread) while this one is
        mapped, while the files of the one before are downloaded and sent to Tika (a thread pool), while
        the one before that is written to OpenSearch (a thread pool). Pages are committed in list order."""
        run = self.run
        token = run.checkpoint_token
        restarts = 0
        while True:
            reading: _PageWork | None = None  # mapped; its files being read
            writing: _PageWork | None = None  # in the bulk writers' hands
            try:
                pages = self.oai.list_pages(run.metadata_prefix, from_=run.from_datestamp, set_spec=run.set_spec,
                                            until=self.info.format_datestamp(run.until_datestamp, end_of_day=True),
                                            resumption_token=token)
                for page in _prefetched(pages, self._beat, self._beat_seconds):
                    self.listing_started = True
                    work = self._prepare_page(page, [w for w in (reading, writing) if w is not None])
                    if reading is not None:
                        writing = self._advance(reading, writing)
                    reading = work
                    if on_progress:
                        on_progress(run.processed + sum(w.processed for w in (reading, writing) if w),
                                    run.complete_list_size)
                if reading is not None:
                    writing = self._advance(reading, writing)
                    reading = None
                if writing is not None:
                    self._wait(writing)
                    self._commit_page(writing, final=True)
                return
            except BaseException as error:
                if reading is not None and isinstance(error, (SourceUnavailable, SourceProtocolError)):
                    try:  # the list broke off, not the index: the pages read so far still go in
                        writing = self._advance(reading, writing)
                    except Exception as late:
                        self.log.warning("could not write the last page read from %s: %s", self.source.id, late)
                self._keep_what_is_written(writing, error)
                if not (isinstance(error, SourceProtocolError) and error.code == "badResumptionToken"
                        and restarts < self.settings.max_list_restarts):
                    raise
                restarts += 1
                # Tokens expire: read the list again from the checkpoint's datestamp; what this run already
                # imported is recognised by its harvest objects and skipped.
                self._note("source", self.source.id, f"the resumption token was refused ({error}); the list was "
                                                     f"read again from {run.checkpoint_datestamp or 'the start'}")
                token = None
                self.restarted = True
                run.from_datestamp = run.checkpoint_datestamp

    def _advance(self, reading: "_PageWork", writing: "_PageWork | None") -> "_PageWork":
        """The page whose files are read goes to the writers once they are; the page the writers had is
        committed once it is in the index. Returns the page now being written."""
        self._collect_files(reading)
        if writing is not None:
            self._wait(writing)
        self._submit(reading)
        if writing is not None:
            self._commit_page(writing)
        return reading

    def _keep_what_is_written(self, inflight: "_PageWork | None", error: BaseException) -> None:
        """After a fault: the pages already in the index are committed with their checkpoint, and the page
        being written too if its writes went through. A page whose files were being read is not in the
        index: it is read again on resume. A run taken over keeps nothing: it is its successor's."""
        if isinstance(error, LeaseLost):
            return
        if inflight is not None and inflight.futures and not isinstance(error, IndexUnavailable):
            try:
                self._wait(inflight)
            except Exception:
                pass  # not in the index: it is read again on resume
            else:
                try:
                    self._commit_page(inflight, final=True)
                    return
                except LeaseLost:
                    raise
                except Exception:
                    self.log.exception("could not keep the last page of %s", self.source.id)
                    self.db.rollback()
                    return
        try:
            self.lease.commit()
        except LeaseLost:
            raise
        except Exception:
            self.log.exception("could not keep the pages of %s", self.source.id)
            self.db.rollback()

    # --- one page: fetch, map, write, commit -------------------------------------------------------------------

    def _take_page(self, page: OaiPage) -> None:
        """One page through every stage, before returning (single records, re-extraction)."""
        work = self._prepare_page(page, [])
        self._collect_files(work)
        self._submit(work)
        self._wait(work)
        self._commit_page(work, final=True)

    def _prepare_page(self, page: OaiPage, uncommitted: list["_PageWork"]) -> "_PageWork":
        """Map the page's records and set its files to be read. Touches nothing in the session: what it
        learns waits in the _PageWork until the page is in the index and is committed with its checkpoint."""
        work = _PageWork(page)
        identifiers = [r.identifier for r in page.records if r.identifier]
        done = {o.identifier: o.datestamp or "" for o in self._objects(identifiers) if o.state != "failed"}
        for earlier in uncommitted:  # pages before this one, not committed yet, count as done
            done.update((i, taken.record.datestamp or "") for i, taken in earlier.pending.items())
        work.known = self._known_records(identifiers)
        for oai_record in page.records:
            work.processed += 1
            if oai_record.problem or not oai_record.identifier:
                kind, message = oai_record.problem or ("xml", "the record has no identifier")
                work.failures.append((oai_record, kind, message))
                continue
            seen = done.get(oai_record.identifier)
            if seen is not None and seen >= oai_record.datestamp:
                if not self.restarted:  # a list read again after an expired token repeats itself by design
                    work.notes.append(("duplicate", oai_record.identifier,
                                       "the source listed this identifier again; it was imported once"))
                continue
            if oai_record.identifier in work.pending:
                work.notes.append(("duplicate", oai_record.identifier,
                                   "the source listed this identifier twice on one page; the later one was kept"))
            try:
                work.pending[oai_record.identifier] = self._take(oai_record, work, repeat=seen is not None)
            except RecordError as error:
                work.failures.append((oai_record, error.kind, str(error)))
            except Exception as error:  # one bad record must not stop the run; it is reported
                self.log.exception("unexpected error on %s", oai_record.identifier)
                work.failures.append((oai_record, "unexpected", f"{type(error).__name__}: {error}"))
        self._start_files(work)
        return work

    def _take(self, oai_record: OaiRecord, work: "_PageWork", repeat: bool) -> _Pending:
        taken = _Pending(oai_record, repeat=repeat)
        local_id = local_identifier(oai_record.identifier)
        if oai_record.datestamp and (not work.newest or oai_record.datestamp > work.newest):
            work.newest = oai_record.datestamp
        if oai_record.deleted:
            taken.deleted_ids.append(record_id(self.source.id, local_id))
            return taken
        mapped: list[MappedRecord] = self.mapper(oai_record.metadata, source_id=self.source.id, local_id=local_id,
                                                 holding_province=self.source.holding_province,
                                                 access_policy=self.access_policy)
        for one in mapped:
            document = one.document
            work.notes.extend((kind, document["id"], message) for kind, message in one.notes)
            if not repeat:
                work.unrecognised_access.extend(one.unrecognised_access)
            document["source_datestamp"] = oai_record.datestamp or None
            document["harvested_at"] = datetime.now(timezone.utc).isoformat()
            document["files"], document["content"] = [], None
            taken.documents.append(document)
            if one.file_urls:
                work.file_jobs.append((taken, document, list(one.file_urls)))
        return taken

    def _start_files(self, work: "_PageWork") -> None:
        """The page's files go to a few threads that download, check and send them to Tika, in list order."""
        work.file_results = [
            self.file_pool.submit(fetch_file, self.http, url, self.extractor, self.settings.http_timeout,
                                  self.settings.signature_trust_roots)
            for _, _, job_urls in work.file_jobs for url in job_urls]

    def _collect_files(self, work: "_PageWork") -> None:
        """Waits for the page's files and puts their entries and text on the documents."""
        self._wait_beating(work.file_results)
        fetched_all = (future.result() for future in work.file_results)
        for taken, document, job_urls in work.file_jobs:
            texts = []
            for url in job_urls:
                fetched = next(fetched_all)
                if fetched.refused:  # kept as a plain reference, never fetched, never relayed
                    document.setdefault("links", []).append(url)
                    work.links_refused += 1
                    work.notes.append(("link", document["id"], f"{url}: not fetched: {fetched.refused}"))
                    continue
                document["files"].append(fetched.entry)
                if fetched.text:
                    texts.append(fetched.text)
                    work.files_extracted += 1
                else:
                    work.files_failed += 1
                if fetched.extraction_pending:
                    taken.needs_extraction.add(document["id"])
                work.notes.extend((kind, document["id"], message)
                                  for kind, message in fetched.report_notes(fetched.entry["name"]))
            document["content"] = clean_text("\n\n".join(texts), keep_newlines=True) or None
        work.file_jobs, work.file_results = [], []

    def _submit(self, work: "_PageWork") -> None:
        """The page's bulk writes, split over the writer threads like parallel_bulk; deletions go last."""
        documents, deleted_ids = [], set()
        for taken in work.pending.values():
            documents += taken.documents
            new_ids = {d["id"] for d in taken.documents}
            previous = {r.record_id for r in work.known.get(taken.record.identifier, [])}
            # A record that was deleted, or a finding aid that no longer holds some of its parts.
            deleted_ids |= set(taken.deleted_ids) | (previous - new_ids)
        self.lease.check()  # a run taken over writes nothing more to its successor's index
        # One request a page as a rule: OpenSearch spends less a document on larger requests, and the pipeline
        # already writes one page while the next is mapped. A page of many documents (a finding aid) is split.
        size = max(self.settings.batch_size, 1)
        chunks = [documents[start:start + size] for start in range(0, len(documents), size)] or [[]]
        for number, chunk in enumerate(chunks):
            last = number == len(chunks) - 1
            work.futures.append(self.bulk_pool.submit(self.writer.write, chunk, sorted(deleted_ids) if last else []))

    def _wait(self, work: "_PageWork") -> None:
        self._wait_beating(work.futures)
        for future in work.futures:
            work.write_failures.update(future.result())  # IndexUnavailable is raised here
        work.futures = []

    def _commit_page(self, work: "_PageWork", final: bool = False) -> None:
        """The page is in the index: counts, harvest objects, harvested records and the checkpoint, at once."""
        run = self.run
        with self.db.no_autoflush:
            run.processed += work.processed
            run.files_extracted += work.files_extracted
            run.files_failed += work.files_failed
            run.links_refused = (run.links_refused or 0) + work.links_refused
            if work.page.complete_list_size is not None:
                run.complete_list_size = work.page.complete_list_size
            if work.newest and (not run.newest_datestamp or work.newest > run.newest_datestamp):
                run.newest_datestamp = work.newest
            if work.page.repaired:
                self._note("page", f"page {self.oai.progress.pages}", work.page.repaired)
            for kind, record, message in self._drain_retry_notes() + work.notes:
                self._note(kind, record, message)
            run.count_statements(work.unrecognised_access)
            identifiers = [r.identifier for r in work.page.records if r.identifier]
            objects = {o.identifier: o for o in self._objects(identifiers)}
            for oai_record, kind, message in work.failures:
                self._object_failed(objects, oai_record, kind, message)
            self._remember(list(work.pending.values()), objects, work.known, work.write_failures)
            run.checkpoint_token = work.page.token
            run.resumable = work.page.token is not None
        # Pages are committed together when they come fast: the checkpoint is then a little older, never wrong.
        if final or time.monotonic() - self._last_commit >= self.settings.commit_seconds:
            self.lease.commit()  # fenced: a run taken over meanwhile commits nothing
            self._last_commit = time.monotonic()

    def _remember(self, pending: list[_Pending], objects: dict[str, HarvestObject],
                  known: dict[str, list[HarvestedRecord]], failures: dict[str, str]) -> None:
        """Counts, harvest objects and harvested records of a written page (one query, no per-record lookups)."""
        run = self.run
        new_records: dict[str, dict] = {}
        wanted = {d["id"] for taken in pending for d in taken.documents} | \
                 {doc_id for taken in pending for doc_id in taken.deleted_ids}
        by_id = {r.record_id: r for rows in known.values() for r in rows}
        missing = wanted - set(by_id)
        if missing:
            by_id.update((r.record_id, r) for r in self.db.scalars(select(HarvestedRecord).where(
                HarvestedRecord.source_id == self.source.id, HarvestedRecord.record_id.in_(missing))))
        for taken in pending:
            states = []
            rows = {r.record_id: r for r in known.get(taken.record.identifier, [])}
            error = None
            for document in taken.documents:
                row = rows.pop(document["id"], None)
                if document["id"] in failures:
                    states.append("failed")
                    error = failures[document["id"]]
                    self._record_failure("index", document["id"], error, count=not taken.repeat)
                    continue
                digest = content_hash(document)
                if row is None:
                    row = by_id.get(document["id"])
                values = {"identifier": taken.record.identifier, "datestamp": taken.record.datestamp or None,
                          "content_hash": digest, "needs_extraction": document["id"] in taken.needs_extraction,
                          "last_run_id": run.id}
                if row is None:
                    state = "added"
                    new_records[document["id"]] = {"source_id": self.source.id, "record_id": document["id"], **values}
                else:
                    state = "unchanged" if row.content_hash == digest else "updated"
                    for name, value in values.items():
                        setattr(row, name, value)
                states.append(state)
                if not taken.repeat:
                    setattr(run, state, getattr(run, state) + 1)
            gone = set(taken.deleted_ids) | set(rows)
            for doc_id in gone:
                row = rows.get(doc_id) or by_id.pop(doc_id, None)
                if row is not None and row not in self.db.deleted:
                    self.db.delete(row)
                    if not taken.repeat:
                        run.deleted += 1
                    states.append("deleted")
                elif taken.record.deleted:
                    states.append("deleted")  # deleted before we ever held it: nothing to remove
            state = next((s for s in ("failed", "added", "updated", "deleted", "unchanged") if s in states), "unchanged")
            self._set_object(objects, taken.record, state, error)
        self.db.flush()  # deletions first: a record may come back under the same id
        # Core INSERTs of many rows a statement: the ORM's unit of work (and its bulk path) is too slow for pages.
        if new_records:
            self.db.execute(insert(HarvestedRecord.__table__), list(new_records.values()))
        new_objects = [row for row in objects.values() if isinstance(row, dict)]
        if new_objects:
            self.db.execute(insert(HarvestObject.__table__), new_objects)

    # --- harvest objects and the report -------------------------------------------------------------------------

    def _objects(self, identifiers: list[str]) -> list[HarvestObject]:
        if not identifiers:
            return []
        return list(self.db.scalars(select(HarvestObject).where(
            HarvestObject.run_id == self.run.id, HarvestObject.identifier.in_(set(identifiers)))))

    def _known_records(self, identifiers: list[str]) -> dict[str, list[HarvestedRecord]]:
        known: dict[str, list[HarvestedRecord]] = {}
        if identifiers:
            for row in self.db.scalars(known_records_query(self.source.id, identifiers)):
                known.setdefault(row.identifier, []).append(row)
        return known

    def _set_object(self, objects: dict[str, HarvestObject], oai_record: OaiRecord, state: str,
                    error: str | None = None, error_kind: str | None = None) -> None:
        """The run's object for the record: updated if the run met it before, else a row to insert (a dict)."""
        identifier = (oai_record.identifier or f"(unnamed record {self.run.processed})")[:512]
        values = {
            "record_id": record_id(self.source.id, local_identifier(identifier))[:600],
            "datestamp": oai_record.datestamp[:32] if oai_record.datestamp else None,
            "state": state, "error_kind": error_kind or ("index" if error else None), "error": error,
            "updated_at": utcnow(),
        }
        harvest_object = objects.get(identifier)
        if isinstance(harvest_object, HarvestObject):
            for name, value in values.items():
                setattr(harvest_object, name, value)
        else:
            objects[identifier] = {"run_id": self.run.id, "identifier": identifier, **values}

    def _object_failed(self, objects: dict[str, HarvestObject], oai_record: OaiRecord, kind: str,
                       message: str) -> None:
        repeat = oai_record.identifier in objects
        name = record_id(self.source.id, local_identifier(oai_record.identifier)) if oai_record.identifier \
            else f"(record {self.run.processed} of the list)"
        self._record_failure(kind, name, message, count=not repeat)
        self._set_object(objects, oai_record, "failed", message, kind)

    def _record_failure(self, kind: str, doc_id: str, message: str, count: bool = True) -> None:
        if count:
            self.run.failed += 1
        self._note(kind, doc_id, message)

    def _note(self, kind: str, doc_id: str, message: str) -> None:
        self.run.note(kind, doc_id, message)

    @property
    def _beat_seconds(self) -> float:
        return self.lease.beat_seconds

    def _wait_beating(self, futures: list[Future]) -> None:
        """Waits for the futures, keeping the run's lease alive meanwhile: a page of large files can take
        longer than the lease, and a run whose heartbeat stops is taken to be dead and resumed elsewhere."""
        pending = [future for future in futures if not future.done()]
        while pending:
            _, still = wait(pending, timeout=self._beat_seconds)
            pending = list(still)
            if pending:
                self._beat()

    def _beating(self, function, *args):
        """function(*args), called in a thread of its own while this one keeps the lease alive (a source
        that answers slowly, or asks to be retried later, may take longer than the lease)."""
        future = self._waiting_pool.submit(function, *args)
        self._wait_beating([future])
        return future.result()

    def _beat(self) -> None:
        """A fresh heartbeat, committed; LeaseLost if the run was taken over. Safe between pages: what the
        session holds then is of pages already in the index (mapping touches nothing in the session)."""
        self.lease.beat()
        self._last_commit = time.monotonic()

    def _note_retry(self, message: str) -> None:
        with self._retry_lock:  # called from the fetching thread; noted in the run at the next commit
            self._retry_notes.append(("retry", self.source.id, message))

    def _drain_retry_notes(self) -> list[tuple[str, str, str]]:
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
                self._note("extraction", identifier, f"could not fetch the record again: {error}")
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
        for kind, record, message in self._drain_retry_notes():
            self._note(kind, record, message)
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
                   until: str | None = None) -> HarvestRun:
    return SourceHarvest(db, source, client, extractor, settings or HarvestSettings(), full,
                         set_spec=set_spec, until=until).execute(on_progress)


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
