"""The search service: runs a search for an identity and shapes the answer (DESIGN §8).

It knows nothing of HTTP; the page and the JSON API call it alike.
"""
from __future__ import annotations

from dataclasses import dataclass

from opensearchpy import OpenSearch

from portal.access.identity import Identity
from portal.access.policy import can_read_content
from portal.labels import access_label, former_province_label, language_label, level_label, province_label
from portal.opensearch import run_msearch, run_search
from portal.search.facets import FACETS, YEAR_FACET, YEAR_INTERVAL, facet_buckets
from portal.search.highlights import shape_fragments
from portal.search.params import SearchParams, encode_search_after
from portal.search.query import HIGHLIGHT_FIELDS, search_requests
from portal.search.spelling import SpellingService
from portal.search.twins import build_twin_search, twins_of
from schema.provinces import former_units

HIT_FIELDS = ("id", "title", "level", "holding_province", "origin_province", "date_start",
              "date_end", "access", "reference_code")
EXTRA_HIT_FIELDS = ("holding_province_name", "origin_province_name", "doc_type", "doc_number",
                    "creator", "path", "parent_id", "source_id")


@dataclass
class SearchResult:
    total: int
    hits: list[dict]
    facets: dict[str, list[dict]]
    params: SearchParams
    next_search_after: str | None = None  # token for the hits after these, when there are more
    did_you_mean: str | None = None  # a better spelling of the query, for few or no results
    # "eq": `total` is the number of hits; "gte": there are at least `total` (params.total_bound reached).
    total_relation: str = "eq"

    @property
    def total_is_lower_bound(self) -> bool:
        return self.total_relation == "gte"

    def as_api(self) -> dict:
        answer = {"total": self.total, "total_relation": self.total_relation, "page": self.params.page,
                  "size": self.params.size, "hits": self.hits, "facets": self.facets,
                  "next_search_after": self.next_search_after}
        if self.did_you_mean:
            answer["did_you_mean"] = self.did_you_mean
        return answer


class SearchService:
    def __init__(self, client: OpenSearch, alias: str):
        self.client = client
        self.alias = alias

    def search(self, identity: Identity, params: SearchParams, with_twins: bool = False,
               with_spelling: bool = False, extra_filters: tuple[dict, ...] = ()) -> SearchResult:
        """`with_twins`: each hit also names the records of other sources likely the same;
        `with_spelling`: a better spelling of a query that found few records. Each costs queries
        of its own, so only the page and the search API ask for them. `extra_filters` narrow the
        search further (a saved search's alert: records harvested since the last one), beside the
        permission filter, never instead of it."""
        bodies = search_requests(identity, params)
        for body in bodies:
            body["query"]["bool"]["filter"].extend(extra_filters)
        answers = run_msearch(self.client, self.alias, bodies)
        if answers is None:
            return SearchResult(0, [], {}, params)  # nothing harvested yet
        answer, facet_answer = answers
        raw_hits = answer["hits"]["hits"]
        hits = [self._shape_hit(identity, hit) for hit in raw_hits]
        next_token = None
        if raw_hits and len(raw_hits) == params.size and raw_hits[-1].get("sort") and params.sort != "relevance":
            next_token = encode_search_after(params.sort, raw_hits[-1]["sort"])
        total, total_relation = answer["hits"]["total"]["value"], answer["hits"]["total"]["relation"]
        if with_twins:
            self._add_twins(identity, hits)
        did_you_mean = SpellingService(self.client, self.alias).did_you_mean(identity, params, total) \
            if with_spelling else None
        return SearchResult(total, hits, self._shape_facets(facet_answer.get("aggregations", {})), params,
                            next_token, did_you_mean, total_relation)

    def _add_twins(self, identity: Identity, hits: list[dict]) -> None:
        body = build_twin_search(identity, hits)
        answer = run_search(self.client, self.alias, body) if body else None
        candidates = [hit["_source"] for hit in answer["hits"]["hits"]] if answer else []
        for hit in hits:
            hit["twins"] = twins_of(hit, candidates)

    @staticmethod
    def _shape_hit(identity: Identity, hit: dict) -> dict:
        source = hit["_source"]
        shaped = {name: source.get(name) for name in HIT_FIELDS}
        shaped.update({name: source.get(name) for name in EXTRA_HIT_FIELDS})
        shaped["level_label"] = level_label(source.get("level"))
        shaped["access_label"] = access_label(source.get("access"))
        shaped["highlight"] = _pick_highlights(hit.get("highlight", {}), source.get("title"),
                                               content_allowed=can_read_content(identity, source))
        return shaped

    @staticmethod
    def _shape_facets(aggregations: dict) -> dict[str, list[dict]]:
        counted = facet_buckets(aggregations)
        facets = {}
        for facet in FACETS:
            buckets = counted.get(facet.name, [])
            facets[facet.name] = [
                {"key": b["key"], "label": _facet_label(facet.name, b), "count": b["doc_count"]}
                for b in buckets
            ]
        years = counted.get(YEAR_FACET, [])
        facets[YEAR_FACET] = [
            {"key": int(b["key"]), "label": f"{int(b['key'])}–{int(b['key']) + YEAR_INTERVAL - 1}",
             "count": b["doc_count"]}
            for b in years
        ]
        return facets


def _facet_label(name: str, bucket: dict) -> str:
    if name == "holding_province":
        return province_label(bucket["key"])
    if name == "origin_province":
        unit = former_units().get(bucket["key"])
        if unit is None:
            return province_label(bucket["key"])
        if unit.current_code != unit.code:
            return former_province_label(unit.name, province_label(unit.current_code))
        return unit.name
    if name == "language":
        return language_label(bucket["key"])
    if name == "level":
        return level_label(bucket["key"])
    if name == "access":
        return access_label(bucket["key"])
    return str(bucket["key"])


def _pick_highlights(highlight: dict, title: str | None, content_allowed: bool) -> dict[str, list[str]]:
    """Exact-field fragments when there are some, else the folded field's; content fragments
    only for one who may read the content (the second lock after the query's own filter)."""
    picked = {}
    for name in HIGHLIGHT_FIELDS:
        if name == "content" and not content_allowed:
            continue
        fragments = shape_fragments(highlight.get(name) or highlight.get(f"{name}.folded") or [], title,
                                    is_title=name == "title")
        if fragments:
            picked[name] = fragments
    return picked
