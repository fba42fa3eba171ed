"""A harvest run of one source: gather the list, fetch each record and its files, import.

One bad record never stops a run: it is counted and its error kept in the run's report. The
run stops only when the source or the index cannot be used, and says why.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

import requests
from opensearchpy import OpenSearch
from sqlalchemy.orm import Session

from indexer.errors import HarvestError, RecordError
from indexer.files import fetch_file
from indexer.mapping.oai_dc import map_oai_dc
from indexer.mapping.text import clean_text
from indexer.sources.oai_pmh import OaiPmhClient, OaiRecord, local_identifier
from indexer.text_extraction import TikaExtractor
from indexer.writer import RecordWriter
from schema.record import record_id
from schema.tables import HarvestRun, Source, utcnow

log = logging.getLogger(__name__)

MAX_ERRORS_KEPT_PER_KIND = 100


@dataclass
class HarvestSettings:
    index_prefix: str = ""
    batch_size: int = 100
    http_timeout: float = 60
    signature_trust_roots: list = field(default_factory=list)  # certificates PDF signers must chain to


Progress = Callable[[int, int | None], None]  # (records done, records expected or None)


class SourceHarvest:
    """Carries one run: its counters, its report, its batch of pending writes."""

    def __init__(self, db: Session, source: Source, client: OpenSearch, extractor: TikaExtractor,
                 settings: HarvestSettings, full: bool):
        self.db, self.source, self.extractor, self.settings = db, source, extractor, settings
        self.full = full
        self.http = requests.Session()
        self.client = client
        self.writer: RecordWriter | None = None  # made in execute(), where its failure is reported
        self.run = HarvestRun(source_id=source.id, mode="full" if full else "incremental",
                              state="running", errors={})
        self.documents: list[dict] = []
        self.deleted_ids: list[str] = []
        self.newest_datestamp = source.last_datestamp

    def execute(self, on_progress: Progress | None = None) -> HarvestRun:
        self.db.add(self.run)
        self.db.commit()
        started = self.run.started_at
        oai = OaiPmhClient(self.source.url, self.http, timeout=self.settings.http_timeout)
        from_ = None if self.full else self.source.last_datestamp
        done = 0
        try:
            self.writer = RecordWriter(self.client, self.source.id, self.settings.index_prefix)
            for oai_record in oai.list_records(self.source.metadata_prefix, from_, self.source.set_spec):
                try:
                    self._take(oai_record)
                except Exception as error:  # one bad record must not stop the run; it is reported
                    log.exception("unexpected error on %s", oai_record.identifier)
                    self._record_failure("unexpected", oai_record.identifier, f"{type(error).__name__}: {error}")
                done += 1
                if len(self.documents) + len(self.deleted_ids) >= self.settings.batch_size:
                    self._flush()
                if on_progress:
                    on_progress(done, oai.progress.complete_list_size)
            self._flush()
            if self.full:
                self.run.deleted += self.writer.remove_not_seen_since(started)
            self.writer.refresh()
        except HarvestError as error:
            self.run.state = "failed"
            self.run.message = str(error)
            log.error("harvest of %s failed: %s", self.source.id, error)
        else:
            self.run.state = "done-with-errors" if self.run.failed else "done"
            self.source.last_datestamp = self.newest_datestamp
        self.run.finished_at = utcnow()
        self.db.commit()
        return self.run

    def _take(self, oai_record: OaiRecord) -> None:
        local_id = local_identifier(oai_record.identifier)
        doc_id = record_id(self.source.id, local_id)
        if oai_record.datestamp and (not self.newest_datestamp or oai_record.datestamp > self.newest_datestamp):
            self.newest_datestamp = oai_record.datestamp
        if oai_record.deleted:
            self.deleted_ids.append(doc_id)
            return
        try:
            mapped = map_oai_dc(oai_record.metadata, source_id=self.source.id, local_id=local_id,
                                holding_province=self.source.holding_province)
        except RecordError as error:
            self._record_failure(error.kind, doc_id, str(error))
            return
        document = mapped.document
        texts, files = [], []
        for url in mapped.file_urls:
            fetched = fetch_file(self.http, url, self.extractor, self.settings.http_timeout,
                                 self.settings.signature_trust_roots)
            files.append(fetched.entry)
            if fetched.text:
                texts.append(fetched.text)
                self.run.files_extracted += 1
            else:
                self.run.files_failed += 1
                self._note(
                    "file", doc_id, f"{fetched.entry['name']}: {fetched.entry.get('extraction_error')}"
                )
        document["files"] = files
        document["content"] = clean_text("\n\n".join(texts), keep_newlines=True) or None
        document["source_datestamp"] = oai_record.datestamp or None
        document["harvested_at"] = datetime.now(timezone.utc).isoformat()
        self.documents.append(document)

    def _flush(self) -> None:
        if not self.documents and not self.deleted_ids:
            return
        existing = self.writer.existing_ids([d["id"] for d in self.documents] + self.deleted_ids)
        failures = dict(self.writer.write(self.documents, self.deleted_ids))
        for document in self.documents:
            if document["id"] in failures:
                self._record_failure("index", document["id"], failures[document["id"]])
            elif document["id"] in existing:
                self.run.updated += 1
            else:
                self.run.added += 1
        self.run.deleted += sum(1 for doc_id in self.deleted_ids if doc_id in existing)
        self.documents, self.deleted_ids = [], []
        self.db.commit()  # the counts so far are visible to whoever watches the run

    def _record_failure(self, kind: str, doc_id: str, message: str) -> None:
        self.run.failed += 1
        self._note(kind, doc_id, message)

    def _note(self, kind: str, doc_id: str, message: str) -> None:
        errors = dict(self.run.errors or {})
        entries = list(errors.get(kind, []))
        if len(entries) < MAX_ERRORS_KEPT_PER_KIND:
            entries.append({"record": doc_id, "message": message})
        errors[kind] = entries
        self.run.errors = errors  # a new dict, so SQLAlchemy sees the change


def harvest_source(db: Session, source: Source, client: OpenSearch, extractor: TikaExtractor,
                   settings: HarvestSettings | None = None, full: bool = False,
                   on_progress: Progress | None = None) -> HarvestRun:
    if source.kind != "oai-pmh":
        raise HarvestError(f"source kind {source.kind!r} is not supported yet")
    return SourceHarvest(db, source, client, extractor, settings or HarvestSettings(), full).execute(on_progress)
