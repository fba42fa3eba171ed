"""The record service: fetch one record for an identity, with its ancestors and children.

A record the identity may not know of is "not found" (404, never 403), so its existence
does not leak. Content and files are dropped for one who may not read them.
"""
from __future__ import annotations

from opensearchpy import OpenSearch

from portal.access.identity import Identity
from portal.access.policy import can_read_content, can_see, visible_filter
from portal.labels import access_label, level_label
from portal.opensearch import run_search

MAX_CHILDREN = 200
CHILD_FIELDS = ["id", "title", "level", "reference_code", "date_start", "date_end", "access", "doc_type"]


class RecordNotFound(LookupError):
    pass


class RecordService:
    def __init__(self, client: OpenSearch, alias: str):
        self.client = client
        self.alias = alias

    def _search(self, body: dict) -> dict:
        return run_search(self.client, self.alias, body) or {"hits": {"hits": [], "total": {"value": 0}}}

    def get(self, identity: Identity, record_id: str) -> dict:
        answer = self._search({
            "query": {"bool": {"filter": [{"ids": {"values": [record_id]}}, visible_filter(identity)]}},
            "size": 1,
        })
        hits = answer["hits"]["hits"]
        if not hits or not can_see(identity, hits[0]["_source"]):
            raise RecordNotFound(record_id)
        record = dict(hits[0]["_source"])
        record["content_visible"] = can_read_content(identity, record)
        if not record["content_visible"]:
            record.pop("content", None)
            record["files"] = [_file_without_access(entry) for entry in record.get("files") or []]
        record["level_label"] = level_label(record.get("level"))
        record["access_label"] = access_label(record.get("access"))
        return record

    def ancestors(self, identity: Identity, record: dict) -> list[dict]:
        """The breadcrumb, root first; an ancestor the identity may not know is left out."""
        path = record.get("path") or []
        if not path:
            return []
        answer = self._search({
            "query": {"bool": {"filter": [{"ids": {"values": path}}, visible_filter(identity)]}},
            "size": len(path), "_source": CHILD_FIELDS,
        })
        found = {hit["_source"]["id"]: hit["_source"] for hit in answer["hits"]["hits"]}
        return [_labelled(found[ancestor]) for ancestor in path if ancestor in found]

    def children(self, identity: Identity, record: dict) -> tuple[int, list[dict]]:
        answer = self._search({
            "query": {"bool": {"filter": [{"term": {"parent_id": record["id"]}}, visible_filter(identity)]}},
            "size": MAX_CHILDREN, "_source": CHILD_FIELDS, "track_total_hits": True,
            "sort": [{"reference_code": {"order": "asc", "missing": "_last"}}, {"id": "asc"}],
        })
        return (answer["hits"]["total"]["value"],
                [_labelled(hit["_source"]) for hit in answer["hits"]["hits"]])


def _labelled(source: dict) -> dict:
    return {**source, "level_label": level_label(source.get("level")),
            "access_label": access_label(source.get("access"))}


def _file_without_access(entry: dict) -> dict:
    """A file's name and type say it exists; its address and checksum open nothing more."""
    return {key: entry[key] for key in ("name", "media_type", "size") if key in entry}
