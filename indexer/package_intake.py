"""A harvest run of a `package` source: take in every package waiting in its inbox directory.

Each package (a folder or a zip) is checked whole (indexer/sources/package.py); a good one is indexed with
its files' checksums, text and signature status and moved to `done/`, a bad one to `rejected/`, each with
a `<name>.report.json` beside it that names what was wrong. Nothing of a rejected package is indexed, and
since processed packages leave the inbox, a second run does not take them in again; the same package
dropped again is written over the same record ids (idempotent).

Like an OAI-PMH run (indexer/harvest.py), a run keeps a harvest object per record it takes in, named
`<package>/<local id>`, and one per rejected package (its name, error kind `package`); a harvested record
per record of the source holds the hash of what was written, so a record taken in again is counted added,
updated or unchanged from the database. The run's `processed` counts packages read, its list is the inbox.
Each file entry keeps `package_path` (the package's name under `done/`, then the file's path inside it),
from which the portal serves the file.

A `--full` run reads every package in `done/` again (they stay there) and whatever waits in the inbox, into
a new index of the source that readers do not see; the alias moves to it only when the run succeeds, and the
harvested records of what no package holds any more are removed. Until then the inbox's good packages stay
in the inbox, so a failed full run leaves readers' index, the database and `done/` as they were. The half-built
index is deleted (re-reading packages from disk is the retry; there is nothing to resume); if OpenSearch is
too far gone to delete it, the next successful full run's swap removes it with the source's older indices.

One intake of a source at a time, on any number of hosts: the run is claimed, leased and closed by
indexer/runs.py as an OAI-PMH run is (the database is the lock), and a run taken over stops before it
writes the index or moves a package again.
"""
from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Callable

from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException
from sqlalchemy import select
from sqlalchemy.orm import Session

from indexer.errors import HarvestError, IndexUnavailable, LeaseLost, SourceUnavailable
from indexer.report_text import without_server_paths
from indexer.file_texts import FileTexts
from indexer.files import read_local_file
from indexer.harvest import awaiting_extraction_query
from indexer.mapping.text import clean_text
from indexer.run_log import RunLog
from indexer.runs import RunLease, claim_run
from indexer.sources.package import (
    OUTSIDE,
    Package,
    PackageLimits,
    PackageRejected,
    Problem,
    extract_zip,
    is_candidate,
    package_relative,
    read_package,
    remove_tree,
)
from indexer.text_extraction import TikaExtractor
from indexer.writer import RecordWriter
from schema.access_policy import policy_of
from schema.record import content_hash
from schema.tables import HarvestedRecord, HarvestObject, HarvestRun, Source, utcnow

log = logging.getLogger(__name__)

DONE, REJECTED = "done", "rejected"
Progress = Callable[[int, int | None], None]  # (packages done, packages in the run's list)


def intake_packages(db: Session, source: Source, client: OpenSearch, extractor: TikaExtractor, settings,
                    limits: PackageLimits | None = None, on_progress: Progress | None = None,
                    full: bool = False) -> HarvestRun:
    """`settings` is the harvest's HarvestSettings (index prefix, signature trust roots, lease and its clock)."""
    return _Intake(db, source, client, extractor, settings, limits or PackageLimits(), full).execute(on_progress)


@dataclass
class _Waiting:
    entry: Path  # the package's folder or zip, where it is now
    in_done: bool = False  # taken in before and read again (a full run, a late extraction): it stays in done/


class _Intake:
    def __init__(self, db, source, client, extractor, settings, limits, full):
        self.db, self.source, self.client, self.extractor = db, source, client, extractor
        self.settings, self.limits, self.full = settings, limits, full
        self.inbox = Path(source.url)
        self.access_policy = policy_of(source)  # as the run starts: a policy changed meanwhile waits for the next
        self.log = RunLog(log, source.id)
        self.run: HarvestRun | None = None
        self.lease: RunLease | None = None
        self.writer: RecordWriter | None = None
        self.file_texts = FileTexts(client, settings.index_prefix, extractor.limits, settings.reuse_file_texts)
        self.swapped = False
        # Full runs only: what the new index holds (record id → harvested record values) and the inbox's good
        # packages, both kept back until the alias has moved to the new index.
        self.held: dict[str, dict] = {}
        self.to_move: list[tuple[Path, dict]] = []
        self.taken: set[str] = set()  # names of the packages this run read: each is read once

    # --- the run ---------------------------------------------------------------------------------------------

    def execute(self, on_progress: Progress | None) -> HarvestRun:
        # RunBusy when another process takes in the source's packages; a dead one's run is superseded.
        self.lease = claim_run(self.db, self.source.id, self._start, lease_seconds=self.settings.lease_seconds,
                               clock=self.settings.clock)
        self.run = self.lease.run
        self.log.bind(self.run)
        self.log.info("package intake of %s: run %s (%s) started", self.source.id, self.run.id, self.run.mode)
        try:
            if not self.inbox.is_dir():
                raise SourceUnavailable("the inbox (the source's address) is not a directory")
            self._prepare()
            waiting = self._waiting()
            self.run.complete_list_size = len(waiting)
            self.lease.commit()
            for done, package in enumerate(waiting, start=1):
                self._take(package)
                if on_progress:
                    on_progress(done, len(waiting))
            if not self.full:
                self._extract_pending()
            self._finish()
        except LeaseLost:  # the run is its successor's now: nothing more is written or moved
            raise
        except HarvestError as error:
            self._stop(error, "failed")
        except Exception as error:  # a bug must still leave a report, and readers their index
            self.log.exception("package intake of %s broke", self.source.id)
            self._stop(f"unexpected error: {type(error).__name__}: {error}", "failed")
        except BaseException:  # Ctrl-C, SystemExit
            self._stop("interrupted", "stopped")
            raise
        return self.run

    def _start(self, owner: str) -> HarvestRun:
        return HarvestRun.begin(self.source.id, "full" if self.full else "incremental", owner)

    def _prepare(self) -> None:
        if self.full:
            self.writer = RecordWriter.new_generation(self.client, self.source.id, self.settings.index_prefix,
                                                      self.settings.index_layout)
            self.run.target_index = self.writer.index
        else:
            self.writer = RecordWriter(self.client, self.source.id, self.settings.index_prefix,
                                       layout=self.settings.index_layout)

    def _waiting(self) -> list[_Waiting]:
        """The inbox's packages; for a full run the packages in done/ first, so that the newer ones win."""
        inbox = sorted(entry for entry in self.inbox.iterdir()
                       if is_candidate(entry) and entry.name not in (DONE, REJECTED))
        waiting = [_Waiting(entry) for entry in inbox]
        done = self.inbox / DONE
        if self.full and done.is_dir():
            replaced = {entry.name for entry in inbox}
            waiting[:0] = [_Waiting(entry, in_done=True) for entry in sorted(done.iterdir())
                           if is_candidate(entry) and entry.name not in replaced]
        return waiting

    def _finish(self) -> None:
        run = self.run
        self.writer.refresh()
        if self.full:
            self.lease.check()  # only the run's holder shows readers its index
            self._swap()
            gone = self._keep_held()
            run.deleted += gone
            self.lease.commit()
            for entry, report in self.to_move:
                self._move(entry, DONE, report)
        self.lease.close("done-with-errors" if run.failed else "done")

    def _stop(self, error, state: str) -> None:
        """The run ends with its message; LeaseLost (nothing written) if it was taken over meanwhile."""
        try:
            self.db.rollback()  # the package being taken in is not counted; it is read again next time
        except Exception:  # pragma: no cover - the session is unusable
            self.log.exception("rollback failed")
        message = without_server_paths(str(error), self.inbox)
        if self.full and not self.swapped:
            message += self._discard_generation()
        self.lease.close(state, message=message)
        self.log.error("package intake of %s %s: %s", self.source.id, state, error)  # the server's log keeps paths

    # --- the new index of a full run -------------------------------------------------------------------------

    def _swap(self) -> None:
        try:
            self.writer.swap_alias()
        except IndexUnavailable as error:
            # The alias change may have gone through and only the removal of older indices failed.
            if not self._alias_holds_new_index():
                raise
            self._note("index", self.writer.index, f"the new index is in place; older ones stay: {error}")
        self.swapped = True

    def _alias_holds_new_index(self) -> bool | None:
        """Whether readers see the new index; None when OpenSearch cannot say."""
        try:
            return bool(self.client.indices.exists_alias(name=self.writer.alias, index=self.writer.index))
        except OpenSearchException:
            return None

    def _discard_generation(self) -> str:
        """After a failed full run: readers keep the old index, and the half-built one is deleted."""
        if self.writer is None:
            return ""
        if self._alias_holds_new_index() is not False:  # in use, or unknown: never delete what readers may see
            return f"; the index {self.writer.index} was left as it is"
        try:
            self.client.indices.delete(index=self.writer.index, ignore_unavailable=True)
        except OpenSearchException as error:
            self.log.warning("could not delete the half-built index %s: %s", self.writer.index, error)
            return f"; the half-built index {self.writer.index} is removed by the next successful full run"
        return "; readers keep the index they had, the half-built one was deleted"

    def _keep_held(self) -> int:
        """The harvested records become what the new index holds; returns how many records left it."""
        rows = {row.record_id: row for row in self.db.scalars(
            select(HarvestedRecord).where(HarvestedRecord.source_id == self.source.id))}
        for doc_id, values in self.held.items():
            row = rows.pop(doc_id, None)
            if row is None:
                self.db.add(HarvestedRecord(source_id=self.source.id, record_id=doc_id, **values))
            else:
                for name, value in values.items():
                    setattr(row, name, value)
        for row in rows.values():  # no package holds it any more
            self.db.delete(row)
        return len(rows)

    # --- one package -----------------------------------------------------------------------------------------

    def _take(self, waiting: _Waiting) -> None:
        entry = waiting.entry
        self.taken.add(entry.name)
        self.run.processed += 1
        with tempfile.TemporaryDirectory(prefix="package-") as scratch:
            problems = None
            with self.lease.kept_alive():  # checksums and Tika on a large package may outlast the lease
                try:
                    root = extract_zip(entry, Path(scratch), self.limits) if entry.is_file() else entry
                    package = read_package(root, entry.name, source_id=self.source.id,
                                           holding_province=self.source.holding_province,
                                           access_policy=self.access_policy)
                except PackageRejected as rejected:
                    problems = rejected.problems
                except Exception as error:  # one unreadable package must not stop the others
                    self.log.exception("unexpected error on package %s", entry.name)
                    problems = [Problem(entry.name, f"{type(error).__name__}: {error}")]
                if problems is None:
                    for note in package.notes:
                        self._note("package", entry.name, f"{note.file}: {note.problem}")
                    # Where its files are once in done/: the zip's name, then the path of the member.
                    base = PurePosixPath(entry.name) / (root.relative_to(scratch).as_posix() if entry.is_file()
                                                        else ".")
                    documents, notes, pending = self._documents(package, base)
            if problems is None:  # out of kept_alive: the session is asked, and that work must leave it alone
                problems = self._identity_taken(package, entry.name)
            if problems is not None:
                self._reject(waiting, problems)
                return
            # IndexUnavailable propagates: the package stays in the inbox for the next run.
            self.lease.check()
            failures = dict(self.writer.write(documents, []))
        self._remember(package, documents, failures, pending)
        self.run.count_statements([statement for mapped in package.records for statement in mapped.unrecognised_access])
        report = {"outcome": "imported", "kind": package.kind, "identifier": package.identifier,
                  "records": [d["id"] for d in documents], "file_notes": notes,
                  "index_failures": [{"record": k, "error": v} for k, v in failures.items()]}
        self.lease.commit()  # before the move: a package whose move is lost is taken in again, unchanged
        if waiting.in_done:
            return
        if self.full:
            self.to_move.append((entry, report))
        else:
            self._move(entry, DONE, report)

    def _documents(self, package: Package, base: PurePosixPath) -> tuple[list[dict], list[dict], set[str]]:
        """The package's records with their files read; file notes; ids of records whose text waits for Tika."""
        harvested_at = datetime.now(timezone.utc).isoformat()
        documents, notes, attached, pending = [], [], set(), set()
        for mapped in package.records:
            for reference in mapped.file_urls:
                if found := package.file_for(reference):
                    attached.add(found.relative)
        unattached = [f for relative, f in sorted(package.files.items())
                      if relative not in attached and "/data/" in f"/{relative}"]
        # What no document claims belongs to the hồ sơ (or, in a package of documents alone, the first one).
        holder = next((m for m in package.records if m.document["level"] == "file"), package.records[0])
        for mapped in package.records:
            document = mapped.document
            for kind, message in mapped.notes:
                self._note(kind, document["id"], message)
            package_files = []
            for reference in mapped.file_urls:
                if package_relative(reference) == OUTSIDE:  # kept as a plain reference; nothing is fetched
                    document.setdefault("links", []).append(reference)
                    self.run.links_refused = (self.run.links_refused or 0) + 1
                    message = f"{reference}: not fetched: it points outside the package"
                    notes.append({"record": document["id"], "message": message})
                    self._note("link", document["id"], message)
                    continue
                found = package.file_for(reference)
                if found is None:
                    notes.append({"record": document["id"], "message": f"{reference}: not a file of the package"})
                    self._note("file", document["id"], f"{reference}: not a file of the package")
                else:
                    package_files.append(found)
            if mapped is holder:
                package_files.extend(unattached)
            texts, entries = [], []
            for package_file in package_files:
                fetched = read_local_file(str(package_file.path), self.extractor,
                                          name=package_file.path.name, media_type=package_file.media_type,
                                          expected_sha256=package_file.sha256,
                                          trust_roots=self.settings.signature_trust_roots, texts=self.file_texts)
                fetched.entry["package_path"] = (base / package_file.relative).as_posix()
                entries.append(fetched.entry)
                if fetched.text:
                    texts.append(fetched.text)
                    self.run.files_extracted += 1
                    self.run.files_reused = (self.run.files_reused or 0) + fetched.reused
                else:
                    self.run.files_failed += 1
                if fetched.extraction_pending:
                    pending.add(document["id"])
                for kind, message in fetched.report_notes(str(package_file.relative)):
                    notes.append({"record": document["id"], "message": message})
                    self._note(kind, document["id"], message)
            document["files"] = entries
            document["content"] = clean_text("\n\n".join(texts), keep_newlines=True) or None
            document["source_datestamp"] = _datestamp(package.created)
            document["harvested_at"] = harvested_at
            documents.append(document)
        return documents, notes, pending

    def _remember(self, package: Package, documents: list[dict], failures: dict[str, str],
                  pending: set[str]) -> None:
        """Counts, harvest objects and harvested records of a package in the index."""
        run = self.run
        ids = [d["id"] for d in documents]
        rows = {row.record_id: row for row in self.db.scalars(select(HarvestedRecord).where(
            HarvestedRecord.source_id == self.source.id, HarvestedRecord.record_id.in_(ids)))} if ids else {}
        objects: dict[str, HarvestObject] = {}
        for document in documents:
            doc_id = document["id"]
            identifier = f"{package.name}/{document.get('local_id') or doc_id}"[:512]
            datestamp = (document.get("source_datestamp") or "")[:32] or None
            if identifier in objects:
                self._note("duplicate", doc_id, f"{package.name} describes this record twice; the later one was kept")
            if doc_id in failures:
                run.failed += 1
                self._note("index", doc_id, failures[doc_id])
                objects[identifier] = self._object(identifier, doc_id, datestamp, "failed", failures[doc_id], "index")
                continue
            digest = content_hash(document)
            values = {"identifier": identifier, "datestamp": datestamp, "content_hash": digest,
                      "needs_extraction": doc_id in pending, "last_run_id": run.id}
            row = rows.get(doc_id)
            # A full run compares with what readers see now, or with what this run already wrote of the record.
            before = self.held[doc_id]["content_hash"] if doc_id in self.held else (row.content_hash if row else None)
            state = "added" if before is None else "unchanged" if before == digest else "updated"
            setattr(run, state, getattr(run, state) + 1)
            if self.full:
                self.held[doc_id] = values
            elif row is None:
                rows[doc_id] = HarvestedRecord(source_id=self.source.id, record_id=doc_id, **values)
                self.db.add(rows[doc_id])
            else:
                for name, value in values.items():
                    setattr(row, name, value)
            objects[identifier] = self._object(identifier, doc_id, datestamp, state)
        self.db.add_all(objects.values())

    def _object(self, identifier: str, doc_id: str | None, datestamp: str | None, state: str,
                error: str | None = None, error_kind: str | None = None) -> HarvestObject:
        return HarvestObject(run_id=self.run.id, identifier=identifier, record_id=doc_id and doc_id[:600],
                             datestamp=datestamp, state=state, error=error, error_kind=error_kind,
                             updated_at=utcnow())

    def _identity_taken(self, package: Package, name: str) -> list[Problem] | None:
        """A package never silently replaces the records of another: sixteen bags of the LoC suite share one
        External-Identifier, and each took over the one record of the bag before. The package that holds the
        identifier keeps it; a later one with another name is refused, naming the holder (issue 15)."""
        # Its own records: a hồ sơ and its documents. The fonds and series above them are shared by design.
        ids = [mapped.document["id"] for mapped in package.records if mapped.document["level"] in ("file", "item")]
        holders = {doc_id: values["identifier"] for doc_id, values in self.held.items() if doc_id in ids}
        if ids:
            holders.update({doc_id: identifier for doc_id, identifier in self.db.execute(
                select(HarvestedRecord.record_id, HarvestedRecord.identifier).where(
                    HarvestedRecord.source_id == self.source.id, HarvestedRecord.record_id.in_(ids))).all()
                if doc_id not in holders})
        taken = sorted({identifier.split("/", 1)[0] for identifier in holders.values()} - {name})
        if not taken:
            return None
        return [Problem(name, f"its identifier {package.identifier!r} is already held by the package {taken[0]!r}; a "
                              f"package's records never replace another's: give this package an identifier of its "
                              f"own, or withdraw {taken[0]!r} from done/ first")]

    def _reject(self, waiting: _Waiting, problems: list[Problem]) -> None:
        entry = waiting.entry
        self.run.failed += 1
        named = "; ".join(f"{p.file}: {p.problem}" for p in problems[:20])
        message = without_server_paths(f"rejected, nothing indexed: {named}", entry, self.inbox)
        self._note("package", entry.name, message)
        identifier = entry.name if not waiting.in_done else f"{DONE}/{entry.name}"
        self.db.add(self._object(identifier[:512], None, None, "failed", message, "package"))
        self.lease.commit()
        if waiting.in_done:
            # Taken in once, now failing its checks (damaged on disk?): it stays for a person to look at.
            return
        self._move(entry, REJECTED, {"outcome": "rejected", "problems": [p.as_dict() for p in problems]})
        earlier = self.inbox / DONE / entry.name
        if self.full and is_candidate(earlier):
            # The good copy taken in before stays in done/, and so do its records, as in an incremental run.
            self._take(_Waiting(earlier, in_done=True))

    def _move(self, entry: Path, folder: str, report: dict) -> None:
        """Moves the package out of the inbox, replacing an earlier copy of the same name, report beside it."""
        target_folder = self.inbox / folder
        target_folder.mkdir(exist_ok=True)
        target = target_folder / entry.name
        remove_tree(target)
        entry.replace(target)
        report = {"package": entry.name, "source": self.source.id, "run": self.run.id,
                  "checked_at": datetime.now(timezone.utc).isoformat(), **report}
        (target_folder / f"{entry.name}.report.json").write_text(
            json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")

    # --- text extraction caught up, and the report -----------------------------------------------------------

    def _extract_pending(self) -> None:
        """Packages whose records were indexed while Tika was down are read again from done/, now that it answers."""
        identifiers = self.db.scalars(awaiting_extraction_query(self.source.id, self.run.id)).all()
        if not identifiers or not self.extractor.is_available():
            return
        for name in sorted({identifier.split("/", 1)[0] for identifier in identifiers} - self.taken):
            entry = self.inbox / DONE / name
            if is_candidate(entry):
                self._take(_Waiting(entry, in_done=True))

    def _note(self, kind: str, record: str, message: str) -> None:
        self.run.note(kind, record, without_server_paths(message, self.inbox))


def _datestamp(created: str | None) -> str | None:
    if not created:
        return None
    try:
        return datetime.fromisoformat(created.replace("Z", "+00:00")).isoformat()
    except ValueError:
        return None
