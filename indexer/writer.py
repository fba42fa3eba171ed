"""Writing records to OpenSearch: one physical index a source, behind the readers' alias.

Writes are bulk and idempotent by record id, so re-harvesting a record replaces it. An index made
before a field was added to the mapping gets the new field when it is next opened.

Every record written carries `content_hash` and `changed_at`, the time what it says last changed: a record
whose hash equals the one readers see keeps its `changed_at`, so a full re-harvest of an unchanged source
moves no OAI-PMH datestamp. A record that readers could see and that leaves the index (deleted, no longer
listed by a full run) or becomes closed leaves a tombstone in `<prefix>records-tombstones`: the portal's
OAI-PMH provider reports it deleted for ever (persistent deletions). Tombstones live in OpenSearch beside the
records, not in the database, so that the provider pages through records and deletions in one search, under
the one permission filter, with one cursor; the portal never reads the harvester's tables.
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
from schema.index import (MAPPINGS, TOMBSTONE_BODY, TOMBSTONE_FIELDS, IndexLayout, alias_name, source_index_name,
                          source_index_pattern, tombstone_index_name)
from schema.record import ACCESS_CLOSED, content_hash

MAX_BULK_BYTES = 20 * 1024 * 1024  # a request's body at most; a larger document goes alone
# A bulk request waits longer than OpenSearch waits for a shard's primary (1 minute), so a primary failing
# over to its replica when a node is lost is waited out; refused or cut off, it is sent again, 4 times in all.
BULK_TIMEOUT = 120
BULK_ATTEMPTS = 4
BULK_BACKOFF = 1.0  # seconds before the second attempt, doubling
RETRYABLE_STATUSES = (429, 502, 503, 504)
_PREVIOUS_FIELDS = [*TOMBSTONE_FIELDS, "content_hash", "changed_at"]


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def shown_to_readers(document: dict, now: str) -> bool:
    """Whether anyone but its province's staff may know the record (public, restricted, or closed with its
    opening date passed): only such a record's leaving is worth a tombstone. Which tombstones a reader sees
    is still decided by the portal's permission filter, on the tombstone's own access and open_after."""
    open_after = document.get("open_after")
    return document.get("access") != ACCESS_CLOSED or bool(open_after and str(open_after) <= now)


def tombstone_of(previous: dict, when: str) -> dict:
    return {**{name: previous.get(name) for name in TOMBSTONE_FIELDS}, "changed_at": when, "deleted": True}


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
        self.tombstones = tombstone_index_name(index_prefix)
        current = self._current_index()
        if current:
            self._add_new_fields(current)
        # What readers see of the source now: a record's previous version (its changed_at, and whether its
        # leaving needs a tombstone) is read there, also while a full run builds its new index.
        self.live_index = current
        if index is not None:
            self.index = index if self._exists(index) else self._create_index(index, with_alias=False)
        else:
            self.index = current or self._create_index()
        self._ensure_tombstones()

    @classmethod
    def new_generation(cls, client: OpenSearch, source_id: str, index_prefix: str = "",
                       layout: IndexLayout = IndexLayout()) -> "RecordWriter":
        """A writer into a new, empty index of the source that readers do not see until swap_alias."""
        writer = cls.__new__(cls)
        writer.client, writer.source_id, writer.index_prefix = client, source_id, index_prefix
        writer.layout = layout
        writer.alias = alias_name(index_prefix)
        writer.tombstones = tombstone_index_name(index_prefix)
        writer.live_index = writer._current_index()
        writer.index = writer._create_index(with_alias=False)
        writer._ensure_tombstones()
        return writer

    def _ensure_tombstones(self) -> None:
        try:
            if not self.client.indices.exists(index=self.tombstones):
                body = {**TOMBSTONE_BODY, "settings": {"number_of_shards": 1,
                                                       "number_of_replicas": self.layout.replicas}}
                self.client.indices.create(index=self.tombstones, body=body, ignore=[400])
        except OpenSearchException as error:
            raise IndexUnavailable(f"could not create index {self.tombstones}: {error}") from error

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
            self._bury_gone(self._behind_alias(pattern))
            actions = [{"add": {"index": self.index, "alias": self.alias}}]
            behind_alias = self._behind_alias(pattern)
            actions += [{"remove": {"index": name, "alias": self.alias}}
                        for name in behind_alias if name != self.index and name in older]
            self.client.indices.update_aliases(body={"actions": actions})
            for name in older:
                self.client.indices.delete(index=name, ignore_unavailable=True)
        except OpenSearchException as error:
            raise IndexUnavailable(f"could not put {self.index} behind {self.alias}: {error}") from error
        return older

    def _behind_alias(self, pattern: str) -> dict:
        """The indices of `pattern` behind the alias (none on a source's first full run). Not `ignore=[404]`:
        that answers the error's body, whose keys ("error", "status") would be taken for index names."""
        try:
            return self.client.indices.get_alias(index=pattern, name=self.alias)
        except NotFoundError:
            return {}

    def _current_index(self) -> str | None:
        try:
            found = self._behind_alias(source_index_pattern(self.index_prefix, self.source_id))
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

    def _bury_gone(self, behind_alias: dict) -> None:
        """Before a new generation replaces the source's index: a tombstone for each record readers could see
        there that the new index does not hold."""
        old = [name for name in behind_alias if name != self.index]
        if not old:
            return
        self.client.indices.refresh(index=self.index)
        kept = {hit["_id"] for hit in helpers.scan(self.client, index=self.index, _source=False,
                                                   query={"query": {"match_all": {}}})}
        now = _now()
        gone = [tombstone_of(hit["_source"], now) for hit in helpers.scan(
            self.client, index=",".join(old), query={"query": {"match_all": {}}, "_source": _PREVIOUS_FIELDS})
            if hit["_id"] not in kept and shown_to_readers(hit["_source"], now)]
        for start in range(0, len(gone), 500):
            actions = [({"index": {"_index": self.tombstones, "_id": t["id"]}}, t) for t in gone[start:start + 500]]
            answer = self.client.bulk(body=self._ndjson(actions), refresh=False)
            if answer.get("errors"):
                raise IndexUnavailable(f"could not keep the deletions of {self.source_id} in {self.tombstones}")
        self.client.indices.refresh(index=self.tombstones)

    def _previous(self, ids: list[str]) -> tuple[dict[str, dict], set[str]]:
        """The versions readers see now of these records (the fields a tombstone and changed_at need), and which
        of them have a tombstone: one request."""
        if not ids:
            return {}, set()
        wanted = [{"_index": self.tombstones, "_id": doc_id, "_source": False} for doc_id in ids]
        if self.live_index:
            wanted += [{"_index": self.live_index, "_id": doc_id, "_source": _PREVIOUS_FIELDS} for doc_id in ids]
        try:
            found = self.client.mget(body={"docs": wanted})
        except OpenSearchException as error:
            raise IndexUnavailable(f"could not read from {self.live_index}: {error}") from error
        docs = [doc for doc in found["docs"] if doc.get("found")]
        return ({doc["_id"]: doc["_source"] for doc in docs if doc["_index"] != self.tombstones},
                {doc["_id"] for doc in docs if doc["_index"] == self.tombstones})

    @staticmethod
    def _stamped(document: dict, previous: dict | None, now: str) -> dict:
        """The document with its content hash and when it changed: kept from the version readers see when
        nothing it says changed and readers could see it then too, else now."""
        digest = document["content_hash"]
        unchanged = previous is not None and previous.get("content_hash") == digest and previous.get("changed_at") \
            and shown_to_readers(previous, now) == shown_to_readers(document, now)
        return {**document, "content_hash": digest, "changed_at": previous["changed_at"] if unchanged else now}

    def _tombstone_actions(self, documents: list[dict], deleted_ids: list[str], previous: dict[str, dict],
                           buried: set[str], now: str) -> Iterator[tuple[dict, dict | None]]:
        """A tombstone for a record readers could see that is deleted or becomes closed; none (any more) for a
        record readers may see again. A record closed before and closed still leaves its tombstone alone."""
        for document in documents:
            before = previous.get(document["id"])
            if shown_to_readers(document, now):
                if document["id"] in buried:
                    yield {"delete": {"_index": self.tombstones, "_id": document["id"]}}, None
            elif before is not None and shown_to_readers(before, now):
                yield {"index": {"_index": self.tombstones, "_id": document["id"]}}, tombstone_of(before, now)
        for doc_id in deleted_ids:
            before = previous.get(doc_id)
            if before is not None and shown_to_readers(before, now):
                yield {"index": {"_index": self.tombstones, "_id": doc_id}}, tombstone_of(before, now)

    def write(self, documents: list[dict], deleted_ids: list[str]) -> list[tuple[str, str]]:
        """Index and delete in bulk requests, with their changed_at and tombstones; returns (id, error) for each
        action that failed. Each of the caller's documents is left carrying its `content_hash`, so that the
        harvester's bookkeeping reads it there instead of hashing the record a second time."""
        now = _now()
        for document in documents:
            document["content_hash"] = content_hash(document)
        previous, buried = self._previous([d["id"] for d in documents] + list(deleted_ids))
        documents = [self._stamped(document, previous.get(document["id"]), now) for document in documents]
        tombstones = list(self._tombstone_actions(documents, deleted_ids, previous, buried, now))
        failures = []
        for body in self._bulk_bodies(documents, deleted_ids, tombstones):
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

    @staticmethod
    def _ndjson(actions) -> bytes:
        return b"".join(orjson.dumps(action) + b"\n" + (orjson.dumps(source, default=str) + b"\n" if source else b"")
                        for action, source in actions)

    def _bulk_bodies(self, documents: list[dict], deleted_ids: list[str],
                     tombstones: list[tuple[dict, dict | None]] = ()) -> Iterator[bytes]:
        """The actions as NDJSON, serialised once (orjson: the stdlib encoder costs a harvest more than
        OpenSearch does), cut into requests under MAX_BULK_BYTES (OpenSearch refuses bodies over 100 MB)."""
        lines: list[bytes] = []
        size = 0
        for action, source in [*self._actions(documents, deleted_ids), *tombstones]:
            pair = self._ndjson([(action, source)])
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
            self.client.indices.refresh(index=f"{self.index},{self.tombstones}")
        except OpenSearchException as error:
            raise IndexUnavailable(f"could not refresh {self.index}: {error}") from error
