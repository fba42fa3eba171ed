"""Related records: what other fonds and provinces hold about the same subject, place or document.

A `more_like_this` on the record's title, subjects and places, and the same document number (số và
ký hiệu) exactly, which weighs most: a copy of one document filed by another agency. The record's own
fonds is left out (its neighbours are in the tree already) and other provinces come first among records
equally alike; the one permission filter decides what
can be shown, so a closed record is never offered to one who may not see it.
"""
from __future__ import annotations

from portal.access.identity import Identity
from portal.access.policy import visible_filter
from portal.labels import province_label
from portal.records.service import CHILD_FIELDS, RecordService, labelled

RELATED_COUNT = 5
_RELATED_FIELDS = CHILD_FIELDS + ["holding_province", "holding_province_name", "doc_number"]


def related_query(record: dict, identity: Identity, size: int = RELATED_COUNT) -> dict | None:
    """The search for records like this one; None when it has nothing to be like."""
    like = [text for text in (record.get("title"), *(record.get("subjects") or []), *(record.get("places") or []))
            if text]
    should = []
    if like:
        should.append({"more_like_this": {
            "fields": ["title", "subjects.text", "places.text"], "like": like,
            "min_term_freq": 1, "min_doc_freq": 1, "max_query_terms": 25, "minimum_should_match": "30%"}})
    if record.get("doc_number"):
        # A constant weight above any likeness: idf differs from one source's index to another's.
        should.append({"constant_score": {"filter": {"term": {"doc_number": record["doc_number"]}}, "boost": 100}})
    if not should:
        return None
    fonds_id = (record.get("path") or [record["id"]])[0]
    return {
        "size": size, "_source": _RELATED_FIELDS,
        "query": {"bool": {
            "must": [{"bool": {"should": should, "minimum_should_match": 1}}],
            # Of records alike, another province's first: what a reader of this archive would not find here.
            "should": [{"constant_score": {"boost": 10, "filter": {"bool": {"must_not": [
                {"term": {"holding_province": record.get("holding_province") or ""}}]}}}}],
            "filter": [visible_filter(identity)],
            "must_not": [{"ids": {"values": [record["id"], fonds_id]}}, {"term": {"path": fonds_id}}],
        }},
    }


def related_records(records: RecordService, identity: Identity, record: dict,
                    size: int = RELATED_COUNT) -> list[dict]:
    """A handful of records of other fonds like this one, each with its holding province's name and
    whether it shares the record's document number."""
    query = related_query(record, identity, size)
    if query is None:
        return []
    found = []
    for hit in records.search(query)["hits"]["hits"]:
        entry = labelled(hit["_source"])
        entry["province_label"] = province_label(entry.get("holding_province"), entry.get("holding_province_name"))
        entry["same_doc_number"] = bool(record.get("doc_number")) and entry.get("doc_number") == record["doc_number"]
        found.append(entry)
    return found
