"""What a page written to the index adds to its run, committed with its checkpoint in one fenced
transaction: counts, harvest objects (one a record, its state and error), harvested records (their
content hash) and the run's report."""
from __future__ import annotations

from typing import TYPE_CHECKING
import time

from sqlalchemy import bindparam, insert, select

from indexer.sources.oai_pmh import OaiRecord, local_identifier
from indexer.stages.page import PageWork, Pending
from schema.record import content_hash, record_id
from schema.tables import HarvestedRecord, HarvestObject, utcnow

if TYPE_CHECKING:
    from indexer.harvest import SourceHarvest


# The page's lookups, built once with their parameters left open: building a statement and its cache key
# costs about as much as running it (SQLAlchemy 2.0), four times a page.
KNOWN_BY_IDENTIFIER = select(HarvestedRecord).where(
    HarvestedRecord.source_id == bindparam("source_id"),
    HarvestedRecord.identifier.in_(bindparam("identifiers", expanding=True)))
KNOWN_BY_RECORD_ID = select(HarvestedRecord).where(
    HarvestedRecord.source_id == bindparam("source_id"),
    HarvestedRecord.record_id.in_(bindparam("record_ids", expanding=True)))
RUN_OBJECTS = select(HarvestObject).where(
    HarvestObject.run_id == bindparam("run_id"),
    HarvestObject.identifier.in_(bindparam("identifiers", expanding=True)))


def known_records_query(source_id: str, identifiers: list[str]):
    """What the index holds of these source identifiers (a finding aid's identifier holds many records).
    Asked on every page: ix_harvested_records_identifier keeps it from reading all of the source's rows."""
    return KNOWN_BY_IDENTIFIER.params(source_id=source_id, identifiers=sorted(set(identifiers)))


class PageBookkeeping:
    """Takes a written page into the run: its counts, objects and records, then its checkpoint."""

    def __init__(self, harvest: "SourceHarvest"):
        self.harvest = harvest  # the run's coordinator: its session, lease, writer, pools and report

    def commit(self, work: "PageWork", final: bool = False, checkpoint: bool = True) -> None:
        """The page is in the index: counts, harvest objects, harvested records and the checkpoint, at once.
        A page task's page (`checkpoint=False`) leaves the checkpoint to the run's coordinator, which moves it
        only over the pages all done before it."""
        h = self.harvest
        run = h.run
        with h.db.no_autoflush:
            run.processed += work.processed
            run.files_extracted += work.files_extracted
            run.files_failed += work.files_failed
            run.files_reused = (run.files_reused or 0) + work.files_reused
            run.links_refused = (run.links_refused or 0) + work.links_refused
            if work.page.complete_list_size is not None:
                run.complete_list_size = work.page.complete_list_size
            if work.newest and (not run.newest_datestamp or work.newest > run.newest_datestamp):
                run.newest_datestamp = work.newest
            if work.page.repaired:
                h.note("page", f"page {h.oai.progress.pages}", work.page.repaired)
            for kind, record, message in h.drain_retry_notes() + work.notes:
                h.note(kind, record, message)
            run.count_statements(work.unrecognised_access)
            if checkpoint:  # set before _remember's flush: the run's row is written once a page
                run.checkpoint_token = work.page.token
                run.resumable = work.page.token is not None
            identifiers = [r.identifier for r in work.page.records if r.identifier]
            objects = {o.identifier: o for o in self.objects(identifiers)}
            for oai_record, kind, message in work.failures:
                self._object_failed(objects, oai_record, kind, message)
            self._remember(list(work.pending.values()), objects, work.known, work.write_failures)
        # Pages are committed together when they come fast: the checkpoint is then a little older, never wrong.
        if final or time.monotonic() - h.last_commit >= h.settings.commit_seconds:
            h.lease.commit()  # fenced: a run taken over meanwhile commits nothing
            h.last_commit = time.monotonic()

    def _remember(self, pending: list[Pending], objects: dict[str, HarvestObject],
                  known: dict[str, list[HarvestedRecord]], failures: dict[str, str]) -> None:
        """Counts, harvest objects and harvested records of a written page (one query, no per-record lookups)."""
        h = self.harvest
        run = h.run
        new_records: dict[str, dict] = {}
        counts = dict.fromkeys(("added", "updated", "unchanged", "deleted"), 0)  # onto the run once, not a record
        wanted = {d["id"] for taken in pending for d in taken.documents} | \
                 {doc_id for taken in pending for doc_id in taken.deleted_ids}
        by_id = {r.record_id: r for rows in known.values() for r in rows}
        missing = wanted - set(by_id)
        if missing:
            by_id.update((r.record_id, r) for r in h.db.scalars(
                KNOWN_BY_RECORD_ID, {"source_id": h.source.id, "record_ids": list(missing)}))
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
                digest = document.get("content_hash") or content_hash(document)  # the writer's, when it wrote it
                if row is None:
                    row = by_id.get(document["id"])
                values = {"identifier": taken.record.identifier, "datestamp": taken.record.datestamp or None,
                          "content_hash": digest, "needs_extraction": document["id"] in taken.needs_extraction,
                          "last_run_id": run.id}
                if row is None:
                    state = "added"
                    new_records[document["id"]] = {"source_id": h.source.id, "record_id": document["id"], **values}
                else:
                    state = "unchanged" if row.content_hash == digest else "updated"
                    for name, value in values.items():
                        setattr(row, name, value)
                states.append(state)
                if not taken.repeat:
                    counts[state] += 1
            gone = set(taken.deleted_ids) | set(rows)
            for doc_id in gone:
                row = rows.get(doc_id) or by_id.pop(doc_id, None)
                if row is not None and row not in h.db.deleted:
                    h.db.delete(row)
                    if not taken.repeat:
                        counts["deleted"] += 1
                    states.append("deleted")
                elif taken.record.deleted:
                    states.append("deleted")  # deleted before we ever held it: nothing to remove
            state = next((s for s in ("failed", "added", "updated", "deleted", "unchanged") if s in states), "unchanged")
            self._set_object(objects, taken.record, state, error)
        for state, count in counts.items():
            if count:
                setattr(run, state, getattr(run, state) + count)
        h.db.flush()  # deletions first: a record may come back under the same id
        # Core INSERTs of many rows a statement: the ORM's unit of work (and its bulk path) is too slow for pages.
        if new_records:
            h.db.execute(insert(HarvestedRecord.__table__), list(new_records.values()))
        new_objects = [row for row in objects.values() if isinstance(row, dict)]
        if new_objects:
            h.db.execute(insert(HarvestObject.__table__), new_objects)

    # --- harvest objects and the report -------------------------------------------------------------------------

    def objects(self, identifiers: list[str]) -> list[HarvestObject]:
        h = self.harvest
        if not identifiers:
            return []
        return list(h.db.scalars(RUN_OBJECTS, {"run_id": h.run.id, "identifiers": list(set(identifiers))}))

    def known_records(self, identifiers: list[str]) -> dict[str, list[HarvestedRecord]]:
        h = self.harvest
        known: dict[str, list[HarvestedRecord]] = {}
        if identifiers:
            for row in h.db.scalars(KNOWN_BY_IDENTIFIER, {"source_id": h.source.id,
                                                          "identifiers": list(set(identifiers))}):
                known.setdefault(row.identifier, []).append(row)
        return known

    def _set_object(self, objects: dict[str, HarvestObject], oai_record: OaiRecord, state: str,
                    error: str | None = None, error_kind: str | None = None) -> None:
        """The run's object for the record: updated if the run met it before, else a row to insert (a dict)."""
        h = self.harvest
        identifier = (oai_record.identifier or f"(unnamed record {h.run.processed})")[:512]
        values = {
            "record_id": record_id(h.source.id, local_identifier(identifier))[:600],
            "datestamp": oai_record.datestamp[:32] if oai_record.datestamp else None,
            "state": state, "error_kind": error_kind or ("index" if error else None), "error": error,
            "updated_at": utcnow(),
        }
        harvest_object = objects.get(identifier)
        if isinstance(harvest_object, HarvestObject):
            for name, value in values.items():
                setattr(harvest_object, name, value)
        else:
            objects[identifier] = {"run_id": h.run.id, "identifier": identifier, **values}

    def _object_failed(self, objects: dict[str, HarvestObject], oai_record: OaiRecord, kind: str,
                       message: str) -> None:
        h = self.harvest
        repeat = oai_record.identifier in objects
        name = record_id(h.source.id, local_identifier(oai_record.identifier)) if oai_record.identifier \
            else f"(record {h.run.processed} of the list)"
        self._record_failure(kind, name, message, count=not repeat)
        self._set_object(objects, oai_record, "failed", message, kind)

    def _record_failure(self, kind: str, doc_id: str, message: str, count: bool = True) -> None:
        h = self.harvest
        if count:
            h.run.failed += 1
        h.note(kind, doc_id, message)

