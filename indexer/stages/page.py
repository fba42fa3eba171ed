"""A page of an OAI-PMH list between the stages of a run: its records as they are mapped, their files as
they are read, and what the page will add to the run once it is in the index."""
from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field

from schema.tables import HarvestedRecord
from indexer.sources.oai_pmh import OaiPage, OaiRecord


@dataclass
class Pending:
    """One OAI record taken from a page, waiting for the page's bulk write."""

    record: OaiRecord
    documents: list[dict] = field(default_factory=list)
    deleted_ids: list[str] = field(default_factory=list)
    needs_extraction: set[str] = field(default_factory=set)
    repeat: bool = False  # this run met the identifier before: its counts are not taken again


@dataclass
class PageWork:
    """A page between its stages: what it will add to the run once it is in the index."""

    page: OaiPage
    pending: dict[str, Pending] = field(default_factory=dict)
    failures: list[tuple[OaiRecord, str, str]] = field(default_factory=list)
    notes: list[tuple[str, str, str]] = field(default_factory=list)
    unrecognised_access: list[str] = field(default_factory=list)  # a statement for each record carrying it
    known: dict[str, list[HarvestedRecord]] = field(default_factory=dict)
    processed: int = 0
    files_extracted: int = 0
    files_failed: int = 0
    files_reused: int = 0  # of files_extracted: text taken from an earlier extraction of the same bytes
    links_refused: int = 0
    newest: str | None = None
    futures: list[Future] = field(default_factory=list)
    file_jobs: list[tuple[Pending, dict, list[str]]] = field(default_factory=list)
    file_results: list[Future] = field(default_factory=list)
    write_failures: dict[str, str] = field(default_factory=dict)
