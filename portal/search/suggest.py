"""Suggestions as one types: titles and creators, through the same permission filter as search.

A record one may not know of never lends its title or its creator to a suggestion.
"""
from __future__ import annotations

import unicodedata

from opensearchpy import OpenSearch

from portal.access.identity import Identity
from portal.access.policy import visible_filter
from portal.opensearch import run_search

MAX_SUGGESTIONS = 8
MIN_PREFIX = 2
MAX_PREFIX = 100


def _prefix_query(field: str, prefix: str) -> dict:
    return {"match_phrase_prefix": {field: {"query": prefix, "max_expansions": 30}}}


def build_suggest(identity: Identity, prefix: str) -> dict:
    """Every visible record feeds the creators' aggregation; the post filter keeps as hits
    only the titles that match, ranked by the optional title clause."""
    title_prefix = _prefix_query("title.folded", prefix)
    return {
        "size": MAX_SUGGESTIONS,
        "_source": ["id", "title", "level", "reference_code"],
        "query": {"bool": {"filter": [visible_filter(identity)], "should": [title_prefix]}},
        "post_filter": title_prefix,
        "aggs": {"creators": {
            "filter": _prefix_query("creator.folded", prefix),
            "aggs": {"values": {"terms": {"field": "creator.raw", "size": MAX_SUGGESTIONS}}},
        }},
    }


def normalise_prefix(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())[:MAX_PREFIX]


class SuggestService:
    def __init__(self, client: OpenSearch, alias: str):
        self.client = client
        self.alias = alias

    def suggest(self, identity: Identity, text: str | None) -> dict:
        prefix = normalise_prefix(text)
        if len(prefix) < MIN_PREFIX:
            return {"titles": [], "creators": []}
        answer = run_search(self.client, self.alias, build_suggest(identity, prefix))
        if answer is None:
            return {"titles": [], "creators": []}
        titles = [{"id": hit["_source"]["id"], "title": hit["_source"]["title"],
                   "level": hit["_source"].get("level"), "reference_code": hit["_source"].get("reference_code")}
                  for hit in answer["hits"]["hits"]]
        creators = [bucket["key"] for bucket in
                    answer.get("aggregations", {}).get("creators", {}).get("values", {}).get("buckets", [])]
        return {"titles": titles, "creators": creators}
