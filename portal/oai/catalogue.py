"""What the provider reads from OpenSearch: records and tombstones, always under the anonymous reader's
permission filter (portal.access.policy), in one search over both, sorted by id for `search_after` paging.

A tombstone stands for a record readers could see that left the index or became closed (indexer/writer.py).
Its own access decides whether a reader may know it; and while the record is visible again (a full run not
yet swapped in, an opening date passed) the tombstone is left out, so a record is never both.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from opensearchpy import OpenSearch

from portal.access.identity import ANONYMOUS, Identity
from portal.access.policy import visible_filter
from portal.oai.datestamps import datestamp_filter, parse_stored
from portal.oai.setspecs import set_filter
from portal.opensearch import run_search

SORT = [{"id": "asc"}]
LEFT_OUT = ["content", "content_hash", "links"]  # never in an answer, whoever asks


@dataclass
class Page:
    items: list[dict]  # documents, a tombstone's with "deleted": True
    total: int
    last_sort: list | None  # search_after for the next page; None when this one is the last


class Catalogue:
    def __init__(self, client: OpenSearch, alias: str, tombstones: str, identity: Identity = ANONYMOUS):
        self.client, self.alias, self.tombstones, self.identity = client, alias, tombstones, identity

    def _search(self, body: dict, with_tombstones: bool = True) -> dict:
        index = f"{self.alias},{self.tombstones}" if with_tombstones else self.alias
        return run_search(self.client, index, body, ignore_unavailable=True) or \
            {"hits": {"hits": [], "total": {"value": 0}}, "aggregations": {}}

    def _filters(self, set_spec: str | None = None, start: datetime | None = None, end: datetime | None = None,
                 now: datetime | None = None, fonds_only: bool = False) -> list[dict]:
        filters = [visible_filter(self.identity)]
        if set_spec:
            filters.append(set_filter(set_spec))
        if (dated := datestamp_filter(start, end, now)) is not None:
            filters.append(dated)
        if fonds_only:
            filters.append({"term": {"level": "fonds"}})
        return filters

    def page(self, *, size: int, after: list | None, now: datetime, set_spec: str | None = None,
             start: datetime | None = None, end: datetime | None = None, fonds_only: bool = False) -> Page:
        body = {"query": {"bool": {"filter": self._filters(set_spec, start, end, now, fonds_only)}},
                "sort": SORT, "size": size, "track_total_hits": True, "_source": {"excludes": LEFT_OUT}}
        if after:
            body["search_after"] = after
        answer = self._search(body)
        hits = answer["hits"]["hits"]
        items = self._without_revived([self._item(hit) for hit in hits])
        last_sort = hits[-1]["sort"] if len(hits) == size else None
        return Page(items, answer["hits"]["total"]["value"], last_sort)

    def get(self, record_id: str) -> dict | None:
        """The record (or its tombstone) if an anonymous reader may know of it."""
        body = {"query": {"bool": {"filter": [{"ids": {"values": [record_id]}}, visible_filter(self.identity)]}},
                "size": 2, "_source": {"excludes": LEFT_OUT}}
        items = self._without_revived([self._item(hit) for hit in self._search(body)["hits"]["hits"]])
        live = [item for item in items if not item.get("deleted")]
        return (live or items or [None])[0]

    def earliest(self) -> datetime | None:
        body = {"size": 0, "query": {"bool": {"filter": [visible_filter(self.identity)]}},
                "aggs": {"changed": {"min": {"field": "changed_at"}}, "harvested": {"min": {"field": "harvested_at"}}}}
        aggregations = self._search(body).get("aggregations") or {}
        found = [parse_stored(aggregations.get(name, {}).get("value_as_string")) for name in ("changed", "harvested")]
        found = [moment for moment in found if moment]
        return min(found) if found else None

    def provinces(self) -> list[str]:
        """The holding provinces of the records an anonymous reader may see."""
        body = {"size": 0, "query": {"bool": {"filter": [visible_filter(self.identity)]}},
                "aggs": {"provinces": {"terms": {"field": "holding_province", "size": 100, "order": {"_key": "asc"}}}}}
        buckets = (self._search(body, with_tombstones=False).get("aggregations") or {}) \
            .get("provinces", {}).get("buckets", [])
        return [bucket["key"] for bucket in buckets]

    def fonds(self, *, size: int, after: list | None) -> Page:
        """The fonds an anonymous reader may see, by id."""
        body = {"query": {"bool": {"filter": self._filters(fonds_only=True)}}, "sort": SORT, "size": size,
                "_source": ["id", "title"], "track_total_hits": True}
        if after:
            body["search_after"] = after
        answer = self._search(body, with_tombstones=False)
        hits = answer["hits"]["hits"]
        return Page([hit["_source"] for hit in hits], answer["hits"]["total"]["value"],
                    hits[-1]["sort"] if len(hits) == size else None)

    def under(self, fonds_id: str, batch: int = 1000) -> list[dict]:
        """Every record under a fonds that an anonymous reader may see (for its EAD), by id."""
        found, after = [], None
        while True:
            body = {"query": {"bool": {"filter": [{"term": {"path": fonds_id}}, visible_filter(self.identity)]}},
                    "sort": SORT, "size": batch, "_source": {"excludes": LEFT_OUT}}
            if after:
                body["search_after"] = after
            hits = self._search(body, with_tombstones=False)["hits"]["hits"]
            found += [hit["_source"] for hit in hits]
            if len(hits) < batch:
                return found
            after = hits[-1]["sort"]

    def _item(self, hit: dict) -> dict:
        item = dict(hit["_source"])
        item["deleted"] = hit["_index"] == self.tombstones
        return item

    def _without_revived(self, items: list[dict]) -> list[dict]:
        """Tombstones of records a reader may see again are left out."""
        buried = [item["id"] for item in items if item["deleted"]]
        if not buried:
            return items
        body = {"query": {"bool": {"filter": [{"ids": {"values": buried}}, visible_filter(self.identity)]}},
                "size": len(buried), "_source": False}
        revived = {hit["_id"] for hit in self._search(body, with_tombstones=False)["hits"]["hits"]}
        return [item for item in items if not (item["deleted"] and item["id"] in revived)]
