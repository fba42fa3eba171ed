"""The import stage: a page's records mapped to index documents by the run's mapping (one bad record is
a failure of its own, never the page's), then written to the source's index in bulk, idempotent by id."""
from __future__ import annotations

from typing import TYPE_CHECKING
from datetime import datetime, timezone

from indexer.errors import RecordError
from indexer.mapping.oai_dc import MappedRecord
from indexer.sources.oai_pmh import OaiPage, OaiRecord, local_identifier
from indexer.stages.page import PageWork, Pending
from schema.record import record_id

if TYPE_CHECKING:
    from indexer.harvest import SourceHarvest


class PageImport:
    """Maps a page's records and writes them, split over the run's bulk threads like parallel_bulk."""

    def __init__(self, harvest: "SourceHarvest"):
        self.harvest = harvest  # the run's coordinator: its session, lease, writer, pools and report

    def prepare(self, page: OaiPage, uncommitted: list["PageWork"]) -> "PageWork":
        """Map the page's records and set its files to be read. Touches nothing in the session: what it
        learns waits in the PageWork until the page is in the index and is committed with its checkpoint."""
        h = self.harvest
        work = PageWork(page)
        identifiers = [r.identifier for r in page.records if r.identifier]
        done = {o.identifier: o.datestamp or "" for o in h.bookkeeping.objects(identifiers) if o.state != "failed"}
        for earlier in uncommitted:  # pages before this one, not committed yet, count as done
            done.update((i, taken.record.datestamp or "") for i, taken in earlier.pending.items())
        work.known = h.bookkeeping.known_records(identifiers)
        for oai_record in page.records:
            work.processed += 1
            if oai_record.problem or not oai_record.identifier:
                kind, message = oai_record.problem or ("xml", "the record has no identifier")
                work.failures.append((oai_record, kind, message))
                continue
            seen = done.get(oai_record.identifier)
            if seen is not None and seen >= oai_record.datestamp:
                if h.page_read_again:  # a page task's page done before its run was taken over: counted then
                    work.processed -= 1
                elif not h.restarted:  # a list read again after an expired token repeats itself by design
                    work.notes.append(("duplicate", oai_record.identifier,
                                       "the source listed this identifier again; it was imported once"))
                continue
            if oai_record.identifier in work.pending:
                work.notes.append(("duplicate", oai_record.identifier, "the source listed this identifier twice in the "
                                   "pages imported together; the later one was kept"))
            try:
                work.pending[oai_record.identifier] = self._take(oai_record, work, repeat=seen is not None)
            except RecordError as error:
                work.failures.append((oai_record, error.kind, str(error)))
            except Exception as error:  # one bad record must not stop the run; it is reported
                h.log.exception("unexpected error on %s", oai_record.identifier)
                work.failures.append((oai_record, "unexpected", f"{type(error).__name__}: {error}"))
        h.files.start(work)
        return work

    def _take(self, oai_record: OaiRecord, work: "PageWork", repeat: bool) -> Pending:
        h = self.harvest
        taken = Pending(oai_record, repeat=repeat)
        local_id = local_identifier(oai_record.identifier)
        if oai_record.datestamp and (not work.newest or oai_record.datestamp > work.newest):
            work.newest = oai_record.datestamp
        if oai_record.deleted:
            taken.deleted_ids.append(record_id(h.source.id, local_id))
            return taken
        mapped: list[MappedRecord] = h.mapper(oai_record.metadata, source_id=h.source.id, local_id=local_id,
                                              holding_province=h.source.holding_province,
                                              access_policy=h.access_policy)
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


    def submit(self, work: "PageWork") -> None:
        """The page's bulk writes, split over the writer threads like parallel_bulk; deletions go last."""
        h = self.harvest
        documents, deleted_ids = [], set()
        for taken in work.pending.values():
            documents += taken.documents
            new_ids = {d["id"] for d in taken.documents}
            previous = {r.record_id for r in work.known.get(taken.record.identifier, [])}
            # A record that was deleted, or a finding aid that no longer holds some of its parts.
            deleted_ids |= set(taken.deleted_ids) | (previous - new_ids)
        h.lease.check()  # a run taken over writes nothing more to its successor's index
        # One request a page as a rule: OpenSearch spends less a document on larger requests, and the pipeline
        # already writes one page while the next is mapped. A page of many documents (a finding aid) is split.
        size = max(h.settings.batch_size, 1)
        chunks = [documents[start:start + size] for start in range(0, len(documents), size)] or [[]]
        for number, chunk in enumerate(chunks):
            last = number == len(chunks) - 1
            work.futures.append(h.bulk_pool.submit(h.writer.write, chunk, sorted(deleted_ids) if last else []))

    def wait(self, work: "PageWork") -> None:
        h = self.harvest
        h.wait_beating(work.futures)
        for future in work.futures:
            work.write_failures.update(future.result())  # IndexUnavailable is raised here
        work.futures = []

