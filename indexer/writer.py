"""Writing records to OpenSearch: one physical index a source, behind the readers' alias.

Writes are bulk and idempotent by record id, so re-harvesting a record replaces it. An index made
before a field was added to the mapping gets the new field when it is next opened.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Iterator

import orjson
from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
from opensearchpy.exceptions import NotFoundError, OpenSearchException, TransportError

from indexer.errors import IndexUnavailable
from schema.index import MAPPINGS, IndexLayout, alias_name, source_index_name, source_index_pattern

MAX_BULK_BYTES = 20 * 1024 * 1024  # a request's body at most; a larger document goes alone
# A bulk request waits longer than OpenSearch waits for a shard's primary (1 minute), so a primary failing
# over to its replica when a node is lost is waited out; refused or cut off, it is sent again, 4 times in all.
BULK_TIMEOUT = 120
BULK_ATTEMPTS = 4
BULK_BACKOFF = 1.0  # seconds before the second attempt, doubling
RETRYABLE_STATUSES = (429, 502, 503, 504)


class RecordWriter:
    """Writes one source's records: into the index behind the alias, or (`index=`) into a new
    generation being built beside it by a full run, which `swap_alias` later puts in its place."""

    def __init__(self, client: OpenSearch, source_id: str, index_prefix: str = "", index: str | None = None,
                 layout: IndexLayout = IndexLayout()):
        self.client = client
        self.source_id = source_id
        self.layout = layout
        self.alias = alias_name(index_prefix)
        self.index_prefix = index_prefix
        if index is not None:
            self.index = index if self._exists(index) else self._create_index(index, with_alias=False)
            return
        current = self._current_index()
        if current:
            self._add_new_fields(current)
        self.index = current or self._create_index()

    @classmethod
    def new_generation(cls, client: OpenSearch, source_id: str, index_prefix: str = "",
                       layout: IndexLayout = IndexLayout()) -> "RecordWriter":
        """A writer into a new, empty index of the source that readers do not see until swap_alias."""
        writer = cls.__new__(cls)
        writer.client, writer.source_id, writer.index_prefix = client, source_id, index_prefix
        writer.layout = layout
        writer.alias = alias_name(index_prefix)
        writer.index = writer._create_index(with_alias=False)
        return writer

    def _exists(self, index: str) -> bool:
        try:
            return bool(self.client.indices.exists(index=index))
        except OpenSearchException as error:
            raise IndexUnavailable(f"OpenSearch is not reachable: {error}") from error

    def swap_alias(self) -> list[str]:
        """Readers now see this index for the source, in one atomic alias change; the source's older
        indices are removed. Returns the names removed."""
        pattern = source_index_pattern(self.index_prefix, self.source_id)
        try:
            older = [name for name in self.client.indices.get(index=pattern) if name != self.index]
            actions = [{"add": {"index": self.index, "alias": self.alias}}]
            behind_alias = self.client.indices.get_alias(index=pattern, name=self.alias, ignore=[404])
            actions += [{"remove": {"index": name, "alias": self.alias}}
                        for name in behind_alias if name != self.index and name in older]
            self.client.indices.update_aliases(body={"actions": actions})
            for name in older:
                self.client.indices.delete(index=name, ignore_unavailable=True)
        except OpenSearchException as error:
            raise IndexUnavailable(f"could not put {self.index} behind {self.alias}: {error}") from error
        return older

    def _current_index(self) -> str | None:
        pattern = source_index_pattern(self.index_prefix, self.source_id)
        try:
            found = self.client.indices.get_alias(index=pattern, name=self.alias)
        except NotFoundError:
            return None
        except OpenSearchConnectionError as error:
            raise IndexUnavailable(f"OpenSearch is not reachable: {error}") from error
        indices = sorted(found)
        return indices[-1] if indices else None

    def _add_new_fields(self, index: str) -> None:
        # The mapping is strict: an index older than a new field would refuse every document carrying it.
        # Only additions succeed; a changed field type makes OpenSearch refuse, and the harvest stops here.
        try:
            self.client.indices.put_mapping(index=index, body={"properties": MAPPINGS["properties"]})
        except OpenSearchException as error:
            raise IndexUnavailable(f"could not update the mapping of {index}: {error}") from error

    def _create_index(self, index: str | None = None, with_alias: bool = True) -> str:
        # Microseconds after the seconds keep names unique and still sorted by age.
        generation = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")
        index = index or source_index_name(self.index_prefix, self.source_id, generation)
        body = {**self.layout.body(), "aliases": {self.alias: {}}} if with_alias else self.layout.body()
        try:
            self.client.indices.create(index=index, body=body)
        except OpenSearchException as error:
            raise IndexUnavailable(f"could not create index {index}: {error}") from error
        return index

    def existing_ids(self, ids: list[str]) -> set[str]:
        """Which of these records the index already holds (to count added vs updated)."""
        if not ids:
            return set()
        try:
            found = self.client.mget(index=self.index, body={"ids": ids}, _source=False)
        except OpenSearchException as error:
            raise IndexUnavailable(f"could not read from {self.index}: {error}") from error
        return {doc["_id"] for doc in found["docs"] if doc.get("found")}

    def write(self, documents: list[dict], deleted_ids: list[str]) -> list[tuple[str, str]]:
        """Index and delete in bulk requests; returns (id, error) for each action that failed."""
        failures = []
        for body in self._bulk_bodies(documents, deleted_ids):
            answer = self._send(body)
            if not answer.get("errors"):
                continue
            for item in answer["items"]:
                (operation, detail), = item.items()
                status = detail.get("status", 500)
                if 200 <= status < 300 or (operation == "delete" and status == 404):
                    continue  # deleting what was never indexed is already done
                failures.append((detail.get("_id", "?"), str(detail.get("error", detail))))
        return failures

    def _send(self, body: bytes) -> dict:
        """One bulk request, sent again when the cluster could not take it (a node lost, a primary failing over
        to its replica, too busy): indexing by id is idempotent, so a request sent twice writes once."""
        for attempt in range(1, BULK_ATTEMPTS + 1):
            try:
                return self.client.bulk(body=body, refresh=False, request_timeout=BULK_TIMEOUT)
            except (OpenSearchConnectionError, TransportError) as error:
                retryable = isinstance(error, OpenSearchConnectionError) or error.status_code in RETRYABLE_STATUSES
                if not retryable or attempt == BULK_ATTEMPTS:
                    raise IndexUnavailable(f"bulk write to {self.index} failed: {error}") from error
                time.sleep(BULK_BACKOFF * 2 ** (attempt - 1))
            except OpenSearchException as error:
                raise IndexUnavailable(f"bulk write to {self.index} failed: {error}") from error
        raise AssertionError("unreachable")

    def _bulk_bodies(self, documents: list[dict], deleted_ids: list[str]) -> Iterator[bytes]:
        """The actions as NDJSON, serialised once (orjson: the stdlib encoder costs a harvest more than
        OpenSearch does), cut into requests under MAX_BULK_BYTES (OpenSearch refuses bodies over 100 MB)."""
        lines: list[bytes] = []
        size = 0
        for action, source in self._actions(documents, deleted_ids):
            pair = orjson.dumps(action) + b"\n" + (orjson.dumps(source, default=str) + b"\n" if source else b"")
            if lines and size + len(pair) > MAX_BULK_BYTES:
                yield b"".join(lines)
                lines, size = [], 0
            lines.append(pair)
            size += len(pair)
        if lines:
            yield b"".join(lines)

    def _actions(self, documents: list[dict], deleted_ids: list[str]) -> Iterator[tuple[dict, dict | None]]:
        for doc in documents:
            yield {"index": {"_index": self.index, "_id": doc["id"]}}, doc
        for doc_id in deleted_ids:
            yield {"delete": {"_index": self.index, "_id": doc_id}}, None

    def remove_not_seen_since(self, started_at: datetime) -> int:
        """After a full run: remove what the source no longer lists (not harvested this run)."""
        query = {"query": {"range": {"harvested_at": {"lt": started_at.isoformat()}}}, "_source": False}
        try:
            self.client.indices.refresh(index=self.index)
            stale = [hit["_id"] for hit in helpers.scan(self.client, query=query, index=self.index)]
        except OpenSearchException as error:
            raise IndexUnavailable(f"could not list stale records in {self.index}: {error}") from error
        failures = self.write([], stale)
        if failures:
            raise IndexUnavailable(f"could not remove {len(failures)} stale records from {self.index}")
        return len(stale)

    def refresh(self) -> None:
        try:
            self.client.indices.refresh(index=self.index)
        except OpenSearchException as error:
            raise IndexUnavailable(f"could not refresh {self.index}: {error}") from error
