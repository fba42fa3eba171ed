"""Building the OpenSearch request of a search: a short chain of small interpreters, each
taking the identity, the parameters and the body, and returning the body (after InvenioRDM).

The permission filter is one link of the chain and sits in the main query, so hits, totals,
facets and highlights all see only what the identity may see.

A search is two requests sent together (`search_requests`, one `_msearch`): the hits, scored and
narrowed by the facet selections, without aggregations, their total counted only up to a bound;
and the facets, over the same matching records unscored (the clauses that only order the hits left
out), each facet under the other facets' selections so it still counts the values not chosen. At a
million records the aggregations made every hit be scored, and the scoring made every facet wait
(issue 21).
"""
from __future__ import annotations

import json
import re
import unicodedata
from typing import Callable

from portal.access.identity import Identity
from portal.access.policy import content_filter, visible_filter
from portal.search.facets import FACET_GROUP_PREFIX, FACETS, YEAR_FACET, YEAR_INTERVAL
from portal.search.params import SearchParams, range_end, range_start

# Metadata fields a query string searches, with their weights: codes and numbers first,
# then the title, then the rest. Exact (accented) fields outrank their folded twins, so a
# query typed with diacritics ranks the exact spelling first.
METADATA_FIELDS = [
    "reference_code^8", "reference_code.folded^6", "doc_number^8", "doc_number.folded^6",
    "title^4", "title.folded^3",
    "creator^2", "creator.folded^1.5", "doc_type^2", "doc_type.folded^1.5",
    "description^1.5", "description.folded",
    "subjects.text", "subjects.folded", "signer", "signer.folded",
    "holding_province_name", "holding_province_name.folded",
    "origin_province_name", "origin_province_name.folded",
]
CONTENT_FIELDS = ["content", "content.folded^0.8"]
# Vietnamese words are several syllables ("quyết định", "Vĩnh Long"): records holding the
# query's syllables side by side rank above those holding them apart. A code or number typed
# whole is a phrase of its parts ("125 qd ubnd"): the record bearing it outranks those citing it.
PHRASE_FIELDS = ["reference_code.folded^6", "doc_number.folded^6", "title^3", "title.folded^2",
                 "description", "description.folded",
                 "holding_province_name.folded", "origin_province_name.folded"]
PHRASE_BOOST = 4
# The phrase and exact-spelling boosts score the best hits again (a rescore of this many per shard) rather
# than every hit: at a million records, checking word positions in every hit of a common word was most of a
# search's time (issue 21). A fixed window, so that every page within it is cut from one ordering.
RESCORE_WINDOW = 500
# Typed with diacritics, a query means that spelling: records holding every word exactly as
# typed ("Hòa") come before those matching only once folded ("Hóa", "Hoa"), whatever the field.
# Metadata only: restricted full text must not sway the ranking either.
EXACT_FIELDS = [field.split("^")[0] for field in METADATA_FIELDS if ".folded" not in field]
EXACT_SPELLING_BOOST = 50
HIGHLIGHT_FIELDS = ("title", "description", "content")
SOURCE_EXCLUDES = ["content"]  # content reaches a reader only through the record service

Step = Callable[[dict, Identity, SearchParams], dict]


_WORD_OPERATORS = ((re.compile(r"\s+OR\s+"), " | "), (re.compile(r"\s+AND\s+"), " + "),
                   (re.compile(r"(^|\s)NOT\s+"), r"\1-"))


def with_symbol_operators(text: str) -> str:
    """People type OR, AND, NOT (in capitals, as library catalogues taught them); the query
    syntax knows |, + and -. Words inside quotation marks are left alone."""
    parts = text.split('"')
    for index in range(0, len(parts), 2):  # even parts lie outside quotation marks
        for pattern, symbol in _WORD_OPERATORS:
            parts[index] = pattern.sub(symbol, parts[index])
    return '"'.join(parts)


def query_string_clause(text: str, fields: list[str]) -> dict:
    return {
        "simple_query_string": {
            "query": with_symbol_operators(text),
            "fields": fields,
            "default_operator": "and",
            "flags": "AND|OR|NOT|PHRASE|PRECEDENCE|WHITESPACE|ESCAPE",
            "lenient": True,
        }
    }


def _matching_clause(identity: Identity, q: str, metadata_fields: list[str], content_fields: list[str]) -> dict:
    # Full text counts only where the identity may read it: otherwise a hit would reveal
    # what a restricted record's content says.
    readable_content = {
        "bool": {"must": [query_string_clause(q, content_fields)], "filter": [content_filter(identity)]}
    }
    return {"bool": {"should": [query_string_clause(q, metadata_fields), readable_content],
                     "minimum_should_match": 1}}


def apply_query_string(body: dict, identity: Identity, params: SearchParams) -> dict:
    if not params.q:
        body["query"] = {"bool": {"must": [{"match_all": {}}], "filter": []}}
        return body
    body["query"] = {
        "bool": {
            "must": [_matching_clause(identity, params.q, METADATA_FIELDS, CONTENT_FIELDS)],
            "should": [{"multi_match": {"query": params.q, "type": "phrase", "fields": PHRASE_FIELDS,
                                        "boost": PHRASE_BOOST}}],
            "filter": [],
        }
    }
    if has_diacritics(params.q):
        body["query"]["bool"]["should"].append(
            {"constant_score": {"filter": query_string_clause(params.q, EXACT_FIELDS),
                                "boost": EXACT_SPELLING_BOOST}})
    return body


# A word found in an exact field is found in its folded twin (the same text, folded alike at index and query
# time), so the folded fields alone match the same records: what the facets count, with half the fields.
FOLDED_METADATA_FIELDS = [field.split("^")[0] for field in METADATA_FIELDS if ".folded" in field]
FOLDED_CONTENT_FIELDS = ["content.folded"]


def apply_matching_query_string(body: dict, identity: Identity, params: SearchParams) -> dict:
    """The records apply_query_string matches, through the folded fields only and without boosts."""
    if not params.q:
        return apply_query_string(body, identity, params)
    body["query"] = {"bool": {"must": [_matching_clause(identity, params.q, FOLDED_METADATA_FIELDS,
                                                        FOLDED_CONTENT_FIELDS)], "filter": []}}
    return body


def has_diacritics(text: str) -> bool:
    return "đ" in text.lower() or any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", text))


# What each advanced-search field searches; the exact field outranks its folded twin.
FIELD_QUERY_FIELDS = {
    "title": ["title^2", "title.folded"],
    "creator": ["creator^2", "creator.folded"],
    "doc_number": ["doc_number^2", "doc_number.folded"],
    "reference_code": ["reference_code^2", "reference_code.folded"],
}


def apply_field_queries(body: dict, identity: Identity, params: SearchParams) -> dict:
    for name, fields in FIELD_QUERY_FIELDS.items():
        text = getattr(params, name)
        if not text:
            continue
        clause = query_string_clause(text, fields)
        if name == "reference_code":  # codes are typed from their start: "VLG.P12" finds the fonds' whole tree
            clause = {"bool": {"should": [clause, {"prefix": {"reference_code": {"value": text}}}],
                               "minimum_should_match": 1}}
        body["query"]["bool"]["must"].append(clause)
    return body


def apply_permission_filter(body: dict, identity: Identity, params: SearchParams) -> dict:
    body["query"]["bool"]["filter"].append(visible_filter(identity))
    return body


def apply_date_range(body: dict, identity: Identity, params: SearchParams) -> dict:
    # A record matches when its span overlaps the range asked for.
    if params.date_from:
        body["query"]["bool"]["filter"].append({"range": {"date_end": {"gte": range_start(params.date_from)}}})
    if params.date_to:
        body["query"]["bool"]["filter"].append({"range": {"date_start": {"lte": range_end(params.date_to)}}})
    return body


def _facet_filters(params: SearchParams) -> dict[str, dict]:
    filters = {}
    for facet in FACETS:
        values = getattr(params, facet.parameter)
        if values:
            filters[facet.name] = {"terms": {facet.field: list(values)}}
    return filters


def apply_facet_selections(body: dict, identity: Identity, params: SearchParams) -> dict:
    """The hits are those of every facet value chosen (the facets request counts the others)."""
    body["query"]["bool"]["filter"].extend(_facet_filters(params).values())
    return body


def apply_matching_only(body: dict, identity: Identity, params: SearchParams) -> dict:
    """The facets count every record the search matches: its required clauses and filters, unscored (the
    phrase and exact-spelling boosts only order the hits). No hits, no total."""
    query = body["query"]["bool"]
    body["query"] = {"bool": {"filter": query["must"] + query["filter"]}}
    body["size"] = 0
    body["track_total_hits"] = False
    return body


def apply_facets(body: dict, identity: Identity, params: SearchParams) -> dict:
    """Each facet counts under the other facets' selections. Facets under the same selections share one
    filter aggregation (FACET_GROUP_PREFIX), and those under none are counted without one: each wrapper is
    a pass over every matching record, a third of the facets' time at a million records (issue 21)."""
    selected = _facet_filters(params)
    counted = {facet.name: {"terms": {"field": facet.field, "size": facet.size}} for facet in FACETS}
    counted[YEAR_FACET] = {"histogram": {"field": "year_start", "interval": YEAR_INTERVAL, "min_doc_count": 1}}
    aggs, groups = {}, {}
    for name, aggregation in counted.items():
        others = [f for facet, f in selected.items() if facet != name]
        if not others:
            aggs[name] = aggregation
            continue
        key = json.dumps(others, sort_keys=True)
        if key not in groups:
            groups[key] = f"{FACET_GROUP_PREFIX}{len(groups)}"
            aggs[groups[key]] = {"filter": {"bool": {"filter": others}}, "aggs": {}}
        aggs[groups[key]]["aggs"][name] = aggregation
    body["aggs"] = aggs
    return body


_SORTS = {
    # By score alone: OpenSearch rescores only a score-ordered search. Pages of equal scores keep the
    # index's order; relevance pages stop at the page window (search_after pages by date or reference).
    "relevance": [{"_score": "desc"}],
    "date_asc": [{"date_start": {"order": "asc", "missing": "_last"}}, {"id": "asc"}],
    "date_desc": [{"date_start": {"order": "desc", "missing": "_last"}}, {"id": "asc"}],
    "reference": [{"reference_code": {"order": "asc", "missing": "_last"}}, {"id": "asc"}],
}


def apply_sort(body: dict, identity: Identity, params: SearchParams) -> dict:
    body["sort"] = _SORTS[params.sort]
    return body


def apply_rescore(body: dict, identity: Identity, params: SearchParams) -> dict:
    """The boosts that only order the hits score the first RESCORE_WINDOW hits again: the same sum as when
    they were clauses of the query, for those hits."""
    boosts = body["query"]["bool"].get("should")
    if params.sort != "relevance" or not boosts:
        return body
    del body["query"]["bool"]["should"]
    body["rescore"] = {"window_size": RESCORE_WINDOW, "query": {
        "rescore_query": {"bool": {"should": boosts}}, "query_weight": 1, "rescore_query_weight": 1}}
    return body


def apply_pagination(body: dict, identity: Identity, params: SearchParams) -> dict:
    if params.search_after is not None:
        body["search_after"] = list(params.search_after)
    else:
        body["from"] = params.offset
    body["size"] = params.size
    body["track_total_hits"] = True if params.total_bound is None else params.total_bound
    return body


def apply_highlight(body: dict, identity: Identity, params: SearchParams) -> dict:
    if not (params.q or params.title):
        return body
    fields = {}
    for name in HIGHLIGHT_FIELDS:
        fragments = {"number_of_fragments": 3, "fragment_size": 180} if name == "content" else {
            "number_of_fragments": 0}
        fields[name] = dict(fragments)
        fields[f"{name}.folded"] = dict(fragments)
    # encoder "html" escapes the harvested text; only the <mark> tags come through unescaped.
    body["highlight"] = {"pre_tags": ["<mark>"], "post_tags": ["</mark>"], "encoder": "html",
                         "require_field_match": True, "fields": fields}
    return body


def apply_source_filter(body: dict, identity: Identity, params: SearchParams) -> dict:
    body["_source"] = {"excludes": SOURCE_EXCLUDES}
    return body


# What the search matches, for whom: the hits and the facets match the same records.
FILTER_CHAIN: tuple[Step, ...] = (
    apply_field_queries,
    apply_permission_filter,
    apply_date_range,
)
SEARCH_CHAIN: tuple[Step, ...] = (apply_query_string,) + FILTER_CHAIN + (
    apply_facet_selections,
    apply_sort,
    apply_rescore,
    apply_pagination,
    apply_highlight,
    apply_source_filter,
)
FACET_CHAIN: tuple[Step, ...] = (apply_matching_query_string,) + FILTER_CHAIN + (
    apply_matching_only,
    apply_facets,
)


def _run_chain(chain: tuple[Step, ...], identity: Identity, params: SearchParams) -> dict:
    body: dict = {}
    for step in chain:
        body = step(body, identity, params)
    return body


def build_search(identity: Identity, params: SearchParams) -> dict:
    """The request of the hits (and their total)."""
    return _run_chain(SEARCH_CHAIN, identity, params)


def build_facet_search(identity: Identity, params: SearchParams) -> dict:
    """The request of the facets' counts."""
    return _run_chain(FACET_CHAIN, identity, params)


def search_requests(identity: Identity, params: SearchParams) -> list[dict]:
    """The hits and the facets, for one `_msearch`."""
    return [build_search(identity, params), build_facet_search(identity, params)]
