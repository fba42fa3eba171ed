"""A harvest run of a `package` source: take in every package waiting in its inbox directory.

Each package (a folder or a zip) is checked whole (indexer/sources/package.py); a good one is indexed with
its files' checksums, text and signature status and moved to `done/`, a bad one to `rejected/`, each with
a `<name>.report.json` beside it that names what was wrong. Nothing of a rejected package is indexed, and
since processed packages leave the inbox, a second run does not take them in again; the same package
dropped again is written over the same record ids (idempotent). The run's report counts records and keeps
one error entry per rejected package.
"""
from __future__ import annotations

import fcntl
import json
import logging
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from opensearchpy import OpenSearch
from sqlalchemy.orm import Session

from indexer.errors import HarvestError, SourceUnavailable
from indexer.files import read_local_file
from indexer.mapping.text import clean_text
from indexer.sources.package import (
    Package,
    PackageLimits,
    PackageRejected,
    Problem,
    extract_zip,
    is_candidate,
    read_package,
    remove_tree,
)
from indexer.text_extraction import TikaExtractor
from indexer.writer import RecordWriter
from schema.tables import HarvestRun, Source, utcnow

log = logging.getLogger(__name__)

DONE, REJECTED = "done", "rejected"
MAX_ERRORS_KEPT_PER_KIND = 100
Progress = Callable[[int, int | None], None]  # (packages done, packages waiting)


def intake_packages(db: Session, source: Source, client: OpenSearch, extractor: TikaExtractor, settings,
                    limits: PackageLimits | None = None, on_progress: Progress | None = None) -> HarvestRun:
    """`settings` is the harvest's HarvestSettings (index prefix, signature trust roots)."""
    return _Intake(db, source, client, extractor, settings, limits or PackageLimits()).execute(on_progress)


class _Intake:
    def __init__(self, db, source, client, extractor, settings, limits):
        self.db, self.source, self.client, self.extractor = db, source, client, extractor
        self.settings, self.limits = settings, limits
        self.run = HarvestRun(source_id=source.id, mode="incremental", state="running", errors={})

    def execute(self, on_progress: Progress | None) -> HarvestRun:
        self.db.add(self.run)
        self.db.commit()
        inbox = Path(self.source.url)
        try:
            if not inbox.is_dir():
                raise SourceUnavailable(f"the inbox {inbox} is not a directory")
            with _inbox_lock(inbox):
                writer = RecordWriter(self.client, self.source.id, self.settings.index_prefix)
                waiting = sorted(entry for entry in inbox.iterdir()
                                 if is_candidate(entry) and entry.name not in (DONE, REJECTED))
                for done, entry in enumerate(waiting, start=1):
                    self._take(entry, writer)
                    if on_progress:
                        on_progress(done, len(waiting))
                writer.refresh()
        except HarvestError as error:
            self.run.state = "failed"
            self.run.message = str(error)
            log.error("package intake of %s failed: %s", self.source.id, error)
        else:
            self.run.state = "done-with-errors" if self.run.failed else "done"
        self.run.finished_at = utcnow()
        self.db.commit()
        return self.run

    def _take(self, entry: Path, writer: RecordWriter) -> None:
        with tempfile.TemporaryDirectory(prefix="package-") as scratch:
            try:
                root = extract_zip(entry, Path(scratch), self.limits) if entry.is_file() else entry
                package = read_package(root, entry.name, source_id=self.source.id,
                                       holding_province=self.source.holding_province)
            except PackageRejected as rejected:
                self._reject(entry, rejected.problems)
                return
            except Exception as error:  # one unreadable package must not stop the others
                log.exception("unexpected error on package %s", entry.name)
                self._reject(entry, [Problem(entry.name, f"{type(error).__name__}: {error}")])
                return
            documents, notes = self._documents(package)
            # IndexUnavailable propagates: the package stays in the inbox for the next run.
            existing = writer.existing_ids([d["id"] for d in documents])
            failures = dict(writer.write(documents, []))
        for document in documents:
            if document["id"] in failures:
                self.run.failed += 1
                self._note("index", document["id"], failures[document["id"]])
            elif document["id"] in existing:
                self.run.updated += 1
            else:
                self.run.added += 1
        self._finish(entry, DONE, {
            "outcome": "imported", "kind": package.kind, "identifier": package.identifier,
            "records": [d["id"] for d in documents],
            "file_notes": notes, "index_failures": [{"record": k, "error": v} for k, v in failures.items()],
        })
        self.db.commit()

    def _documents(self, package: Package) -> tuple[list[dict], list[dict]]:
        harvested_at = datetime.now(timezone.utc).isoformat()
        documents, notes, attached = [], [], set()
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
            package_files = []
            for reference in mapped.file_urls:
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
                                          trust_roots=self.settings.signature_trust_roots)
                entries.append(fetched.entry)
                if fetched.text:
                    texts.append(fetched.text)
                    self.run.files_extracted += 1
                else:
                    self.run.files_failed += 1
                    message = f"{package_file.relative}: {fetched.entry.get('extraction_error')}"
                    notes.append({"record": document["id"], "message": message})
                    self._note("file", document["id"], message)
            document["files"] = entries
            document["content"] = clean_text("\n\n".join(texts), keep_newlines=True) or None
            document["source_datestamp"] = _datestamp(package.created)
            document["harvested_at"] = harvested_at
            documents.append(document)
        return documents, notes

    def _reject(self, entry: Path, problems: list[Problem]) -> None:
        self.run.failed += 1
        named = "; ".join(f"{p.file}: {p.problem}" for p in problems[:20])
        self._note("package", entry.name, f"rejected, nothing indexed: {named}")
        self._finish(entry, REJECTED, {"outcome": "rejected", "problems": [p.as_dict() for p in problems]})
        self.db.commit()

    def _finish(self, entry: Path, folder: str, report: dict) -> None:
        """Moves the package out of the inbox, replacing an earlier copy of the same name, report beside it."""
        target_folder = Path(self.source.url) / folder
        target_folder.mkdir(exist_ok=True)
        target = target_folder / entry.name
        remove_tree(target)
        entry.replace(target)
        report = {"package": entry.name, "source": self.source.id, "run": self.run.id,
                  "checked_at": datetime.now(timezone.utc).isoformat(), **report}
        (target_folder / f"{entry.name}.report.json").write_text(
            json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")

    def _note(self, kind: str, record: str, message: str) -> None:
        errors = dict(self.run.errors or {})
        entries = list(errors.get(kind, []))
        if len(entries) < MAX_ERRORS_KEPT_PER_KIND:
            entries.append({"record": record, "message": message})
        errors[kind] = entries
        self.run.errors = errors


class _inbox_lock:
    """One intake at a time per inbox: a second one would take the same packages while they are read."""

    def __init__(self, inbox: Path):
        self.path = inbox / ".intake.lock"

    def __enter__(self):
        self.handle = open(self.path, "w")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            raise HarvestError(f"another intake is taking in packages from {self.path.parent}") from None
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def _datestamp(created: str | None) -> str | None:
    if not created:
        return None
    try:
        return datetime.fromisoformat(created.replace("Z", "+00:00")).isoformat()
    except ValueError:
        return None
