"""The record service: fetch one record for an identity, with its ancestors and children.

A record the identity may not know of is "not found" (404, never 403), so its existence
does not leak. Content and files are dropped for one who may not read them.
"""
from __future__ import annotations

from opensearchpy import OpenSearch

from portal.access.identity import Identity
from portal.access.policy import can_read_content, can_see, content_filter, visible_filter
from portal.labels import access_label, level_label
from portal.opensearch import run_search
from portal.search.query import CONTENT_FIELDS, query_string_clause
from schema.full_text import without_package_paths
from schema.record import ACCESS_RESTRICTED

MAX_CHILDREN = 200
CHILD_FIELDS = ["id", "title", "level", "reference_code", "date_start", "date_end", "access", "doc_type"]


class RecordNotFound(LookupError):
    pass


class RecordService:
    def __init__(self, client: OpenSearch, alias: str):
        self.client = client
        self.alias = alias

    def search(self, body: dict) -> dict:
        """A search of the records alias; every caller puts the identity's visible_filter in `body`."""
        return run_search(self.client, self.alias, body) or {"hits": {"hits": [], "total": {"value": 0}}}

    def get(self, identity: Identity, record_id: str, mark_query: str | None = None) -> dict:
        """The record; with mark_query, its full text comes back with the query's terms marked
        (`content_marked`, HTML-escaped but for <mark>) when the identity may read it."""
        body = {
            "query": {"bool": {"filter": [{"ids": {"values": [record_id]}}, visible_filter(identity)]}},
            "size": 1,
        }
        if mark_query:
            body["highlight"] = _content_marking(identity, mark_query)
        answer = self.search(body)
        hits = answer["hits"]["hits"]
        if not hits or not can_see(identity, hits[0]["_source"]):
            raise RecordNotFound(record_id)
        record = dict(hits[0]["_source"])
        record.pop("content_hash", None)  # a hash of the whole record, its full text included: the indexer's alone
        record["content_visible"] = can_read_content(identity, record)
        # Whether a full text exists is said to all who see the record (what a request would open); the text is not.
        record["has_full_text"] = bool(record.get("content"))
        if record.get("content"):  # indexed before the indexer dropped Tika's lines naming package resources
            record["content"] = without_package_paths(record["content"])
        if record["content_visible"] and mark_query:
            marked = hits[0].get("highlight", {})
            fragments = marked.get("content") or marked.get("content.folded")
            record["content_marked"] = fragments[0] if fragments else None
        if not record["content_visible"]:
            record.pop("content", None)
            record.pop("links", None)
            record["files"] = [_file_without_access(entry) for entry in record.get("files") or []]
        record["level_label"] = level_label(record.get("level"))
        record["access_label"] = access_label(record.get("access"))
        return record

    def ancestors(self, identity: Identity, record: dict) -> list[dict]:
        """The breadcrumb, root first; an ancestor the identity may not know is left out."""
        path = record.get("path") or []
        if not path:
            return []
        answer = self.search({
            "query": {"bool": {"filter": [{"ids": {"values": path}}, visible_filter(identity)]}},
            "size": len(path), "_source": CHILD_FIELDS,
        })
        found = {hit["_source"]["id"]: hit["_source"] for hit in answer["hits"]["hits"]}
        return [labelled(found[ancestor]) for ancestor in path if ancestor in found]

    def locked_inside(self, identity: Identity, record: dict) -> tuple[int, int]:
        """Under this record: how many restricted records the identity may know of but not read, and how
        many of those hold a digital copy (a file or a full text) that a grant would open."""
        answer = self.search({
            "size": 0, "track_total_hits": True,
            "query": {"bool": {"filter": [{"term": {"path": record["id"]}}, {"term": {"access": ACCESS_RESTRICTED}},
                                          visible_filter(identity)],
                               "must_not": [content_filter(identity)]}},
            "aggs": {"with_copy": {"filter": _HAS_DIGITAL_COPY}},
        })
        with_copy = answer.get("aggregations", {}).get("with_copy", {}).get("doc_count", 0)
        return answer["hits"]["total"]["value"], with_copy

    def copies_in_scope(self, identity: Identity, scope_ids: list[str]) -> dict[str, int]:
        """For each record id: how many restricted records, it and those under it, hold a file or a full
        text; what a grant on it would open (0: approving opens nothing). Counted as the identity sees."""
        if not scope_ids:
            return {}
        answer = self.search({
            "size": 0,
            "query": {"bool": {"filter": [{"term": {"access": ACCESS_RESTRICTED}}, _HAS_DIGITAL_COPY,
                                          visible_filter(identity)]}},
            "aggs": {f"scope{number}": {"filter": {"bool": {"should": [{"ids": {"values": [scope_id]}},
                                                                       {"term": {"path": scope_id}}]}}}
                     for number, scope_id in enumerate(scope_ids)},
        })
        found = answer.get("aggregations", {})
        return {scope_id: found.get(f"scope{number}", {}).get("doc_count", 0)
                for number, scope_id in enumerate(scope_ids)}

    def children(self, identity: Identity, record: dict) -> tuple[int, list[dict]]:
        """The records directly under this one, each with how many visible records it holds."""
        answer = self.search({
            "query": {"bool": {"filter": [{"term": {"parent_id": record["id"]}}, visible_filter(identity)]}},
            "size": MAX_CHILDREN, "_source": CHILD_FIELDS, "track_total_hits": True,
            "sort": [{"reference_code": {"order": "asc", "missing": "_last"}}, {"id": "asc"}],
        })
        children = [labelled(hit["_source"]) for hit in answer["hits"]["hits"]]
        counts = self.descendant_counts(identity, [child["id"] for child in children])
        for child in children:
            child["descendants"] = counts.get(child["id"], 0)
        return answer["hits"]["total"]["value"], children

    def descendant_counts(self, identity: Identity, ids: list[str]) -> dict[str, int]:
        """How many visible records lie under each of these records (through `path`)."""
        if not ids:
            return {}
        answer = self.search({
            "size": 0,
            "query": {"bool": {"filter": [{"terms": {"path": ids}}, visible_filter(identity)]}},
            "aggs": {"under": {"terms": {"field": "path", "include": ids, "size": len(ids)}}},
        })
        buckets = answer.get("aggregations", {}).get("under", {}).get("buckets", [])
        return {bucket["key"]: bucket["doc_count"] for bucket in buckets}

    def siblings(self, identity: Identity, record: dict) -> tuple[dict | None, dict | None]:
        """The previous and next record under the same parent, in reference-code order."""
        if not record.get("parent_id"):
            return None, None
        after = [record.get("reference_code") or "", record["id"]]
        found = []
        for order in ("desc", "asc"):
            answer = self.search({
                "query": {"bool": {"filter": [{"term": {"parent_id": record["parent_id"]}},
                                              visible_filter(identity)]}},
                "size": 1, "_source": CHILD_FIELDS, "search_after": after,
                "sort": [{"reference_code": {"order": order, "missing": "_first" if order == "asc" else "_last"}},
                         {"id": order}],
            })
            hits = answer["hits"]["hits"]
            found.append(labelled(hits[0]["_source"]) if hits else None)
        return found[0], found[1]

    def fonds_of_province(self, identity: Identity, province: str) -> list[dict]:
        """A province's fonds, each with how many visible records it holds, for browsing."""
        answer = self.search({
            "query": {"bool": {"filter": [{"term": {"holding_province": province}}, {"term": {"level": "fonds"}},
                                          visible_filter(identity)]}},
            "size": MAX_CHILDREN, "_source": CHILD_FIELDS + ["creator", "origin_province_name"],
            "sort": [{"reference_code": {"order": "asc", "missing": "_last"}}, {"id": "asc"}],
        })
        fonds = [labelled(hit["_source"]) for hit in answer["hits"]["hits"]]
        counts = self.descendant_counts(identity, [f["id"] for f in fonds])
        for entry in fonds:
            entry["descendants"] = counts.get(entry["id"], 0)
        return fonds


# A record a grant would open something of: it has a file, or a full text.
_HAS_DIGITAL_COPY = {"bool": {"should": [{"exists": {"field": "files.name"}}, {"exists": {"field": "content"}}],
                              "minimum_should_match": 1}}


def labelled(source: dict) -> dict:
    return {**source, "level_label": level_label(source.get("level")),
            "access_label": access_label(source.get("access"))}


def _file_without_access(entry: dict) -> dict:
    """A file's name and type say it exists; its address and checksum open nothing more."""
    return {key: entry[key] for key in ("name", "media_type", "size") if key in entry}


def _content_marking(identity: Identity, query: str) -> dict:
    """The whole full text with the query's terms marked; the highlight query carries the
    content filter too, so nothing is marked in a text the identity may not read."""
    return {
        "pre_tags": ["<mark>"], "post_tags": ["</mark>"], "encoder": "html",
        "highlight_query": {"bool": {"must": [query_string_clause(query, CONTENT_FIELDS)],
                                     "filter": [content_filter(identity)]}},
        "fields": {"content": {"number_of_fragments": 0}, "content.folded": {"number_of_fragments": 0}},
    }
