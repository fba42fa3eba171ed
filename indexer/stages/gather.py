"""The gather stage: the source's list walked page by page (resumption tokens are sequential), each page
handed to the import and fetch stages while the next is fetched, and committed in list order; a refused
token reads the list again from the checkpoint's datestamp."""
from __future__ import annotations

from typing import TYPE_CHECKING
import queue
import threading
from typing import Callable, Iterator

from indexer.errors import IndexUnavailable, LeaseLost, SourceProtocolError, SourceUnavailable
from indexer.sources.oai_pmh import OaiPage
from indexer.stages.page import PageWork

if TYPE_CHECKING:
    from indexer.harvest import Progress, SourceHarvest


def prefetched(pages: Iterator[OaiPage], on_wait: Callable[[], None] = lambda: None,
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


def joined_pages(pages: list[OaiPage]) -> OaiPage:
    """Consecutive pages of a list as one: their records in order, the last one's token (where the list goes
    on after them), and each one's content in `parts`."""
    if len(pages) == 1:
        return pages[0]
    last = pages[-1]
    sizes = [page.complete_list_size for page in pages if page.complete_list_size is not None]
    repaired = [page.repaired for page in pages if page.repaired]
    return OaiPage([record for page in pages for record in page.records], last.token, cursor=last.cursor,
                   complete_list_size=sizes[-1] if sizes else None, expiration_date=last.expiration_date,
                   repaired="; ".join(dict.fromkeys(repaired)) or None, listed=sum(page.listed for page in pages),
                   parts=tuple(part for page in pages for part in page.contents))


def taken_together(pages: Iterator[OaiPage], records: int) -> Iterator[OaiPage]:
    """The list's pages joined until they hold `records` records. A page is the source's choice, often 100
    records, and each import has costs of its own whatever its size (a page task, the bookkeeping's statements,
    a bulk request, a commit): measured at 100 records a page, a fifth of the harvester's CPU a record and a
    third of a page task's. When the list breaks off, the pages read before are handed on first, as they would
    be one by one."""
    held: list[OaiPage] = []
    count = 0
    try:
        for page in pages:
            held.append(page)
            count += page.listed
            if count >= records:
                yield joined_pages(held)
                held, count = [], 0
    except (SourceUnavailable, SourceProtocolError):
        if held:
            yield joined_pages(held)
        raise
    if held:
        yield joined_pages(held)


def list_pages(harvest: "SourceHarvest", token: str | None) -> Iterator[OaiPage]:
    """The run's list from `token` (or its start), its pages taken together (taken_together), the next ones
    fetched while the caller works on these; the run's lease kept alive while a slow source makes the caller
    wait. The checkpoint then moves over pages taken together, never inside them."""
    h, run = harvest, harvest.run
    pages = h.oai.list_pages(run.metadata_prefix, from_=run.from_datestamp, set_spec=run.set_spec,
                             until=h.info.format_datestamp(run.until_datestamp, end_of_day=True),
                             resumption_token=token)
    for page in prefetched(taken_together(pages, h.settings.import_records), h.beat, h.beat_seconds):
        h.listing_started = True
        yield page


class ListGather:
    """Walks the run's list from its checkpoint through the stages, several pages in flight at once."""

    def __init__(self, harvest: "SourceHarvest"):
        self.harvest = harvest  # the run's coordinator: its session, lease, writer, pools and report

    def walk(self, on_progress: Progress | None) -> None:
        """Pages flow through four stages at once: the next page is fetched (a thread) while this one is
        mapped, while the files of the one before are downloaded and sent to Tika (a thread pool), while
        the one before that is written to OpenSearch (a thread pool). Pages are committed in list order."""
        h = self.harvest
        run = h.run
        token = run.checkpoint_token
        restarts = 0
        while True:
            reading: PageWork | None = None  # mapped; its files being read
            writing: PageWork | None = None  # in the bulk writers' hands
            try:
                for page in list_pages(h, token):
                    work = h.importer.prepare(page, [w for w in (reading, writing) if w is not None])
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
                    h.importer.wait(writing)
                    h.bookkeeping.commit(writing, final=True)
                return
            except BaseException as error:
                if reading is not None and isinstance(error, (SourceUnavailable, SourceProtocolError)):
                    try:  # the list broke off, not the index: the pages read so far still go in
                        writing = self._advance(reading, writing)
                    except Exception as late:
                        h.log.warning("could not write the last page read from %s: %s", h.source.id, late)
                self._keep_what_is_written(writing, error)
                if not (isinstance(error, SourceProtocolError) and error.code == "badResumptionToken"
                        and restarts < h.settings.max_list_restarts):
                    raise
                restarts += 1
                # Tokens expire: read the list again from the checkpoint's datestamp; what this run already
                # imported is recognised by its harvest objects and skipped.
                h.note("source", h.source.id, f"the resumption token was refused ({error}); the list was "
                                                  f"read again from {run.checkpoint_datestamp or 'the start'}")
                token = None
                h.restarted = True
                run.from_datestamp = run.checkpoint_datestamp

    def _advance(self, reading: "PageWork", writing: "PageWork | None") -> "PageWork":
        """The page whose files are read goes to the writers once they are; the page the writers had is
        committed once it is in the index. Returns the page now being written."""
        h = self.harvest
        h.files.collect(reading)
        if writing is not None:
            h.importer.wait(writing)
        h.importer.submit(reading)
        if writing is not None:
            h.bookkeeping.commit(writing)
        return reading

    def _keep_what_is_written(self, inflight: "PageWork | None", error: BaseException) -> None:
        """After a fault: the pages already in the index are committed with their checkpoint, and the page
        being written too if its writes went through. A page whose files were being read is not in the
        index: it is read again on resume. A run taken over keeps nothing: it is its successor's."""
        h = self.harvest
        if isinstance(error, LeaseLost):
            return
        if inflight is not None and inflight.futures and not isinstance(error, IndexUnavailable):
            try:
                h.importer.wait(inflight)
            except Exception:
                pass  # not in the index: it is read again on resume
            else:
                try:
                    h.bookkeeping.commit(inflight, final=True)
                    return
                except LeaseLost:
                    raise
                except Exception:
                    h.log.exception("could not keep the last page of %s", h.source.id)
                    h.db.rollback()
                    return
        try:
            h.lease.commit()
        except LeaseLost:
            raise
        except Exception:
            h.log.exception("could not keep the pages of %s", h.source.id)
            h.db.rollback()

