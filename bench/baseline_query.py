"""FROZEN: the search body the portal built on main at d1f16e9 (portal/search/query.py and
portal/search/facets.py of that commit, copied literally, facets inlined), before issue 21.

bench/search.py sends this body beside today's, to the same index, so the speed-up is measured
side by side in one run. Do not edit it to follow portal/search/query.py: it is the baseline the
issue's target (new p95 ≤ 0.5× this one's) is measured against. Only the permission filter and the
parameters are read from the live code: they decide what may be seen, not how fast.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable

from portal.access.identity import Identity
from portal.access.policy import content_filter, visible_filter

# ---- portal/search/facets.py at d1f16e9 ------------------------------------------------------------


@dataclass(frozen=True)
class Facet:
    name: str  # the key in the API's "facets"
    field: str
    parameter: str  # the SearchParams attribute that filters on it
    size: int = 50
    label_field: str | None = None  # where a bucket's label comes from, when not from code
    successor_field: str | None = None  # for former provinces: the current one they became


FACETS = (
    Facet("holding_province", "holding_province", "province", label_field="holding_province_name.raw"),
    Facet("origin_province", "origin_province", "origin_province", label_field="origin_province_name.raw",
          successor_field="origin_province_current"),
    Facet("level", "level", "level"),
    Facet("access", "access", "access"),
    Facet("doc_type", "doc_type.raw", "doc_type"),
    Facet("language", "language", "language"),
)

YEAR_FACET = "year"
YEAR_INTERVAL = 10

# ---- portal/search/query.py at d1f16e9 -------------------------------------------------------------
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


def apply_query_string(body: dict, identity: Identity, params: SearchParams) -> dict:
    if not params.q:
        body["query"] = {"bool": {"must": [{"match_all": {}}], "filter": []}}
        return body
    # Full text counts only where the identity may read it: otherwise a hit would reveal
    # what a restricted record's content says.
    readable_content = {
        "bool": {"must": [query_string_clause(params.q, CONTENT_FIELDS)], "filter": [content_filter(identity)]}
    }
    body["query"] = {
        "bool": {
            "must": [{"bool": {"should": [query_string_clause(params.q, METADATA_FIELDS), readable_content],
                               "minimum_should_match": 1}}],
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


def apply_facets(body: dict, identity: Identity, params: SearchParams) -> dict:
    selected = _facet_filters(params)
    aggs = {}
    for facet in FACETS:
        others = [f for name, f in selected.items() if name != facet.name]
        terms = {"terms": {"field": facet.field, "size": facet.size}}
        if facet.label_field:
            terms["aggs"] = {"label": {"terms": {"field": facet.label_field, "size": 1}}}
        if facet.successor_field:
            terms.setdefault("aggs", {})["successor"] = {"terms": {"field": facet.successor_field, "size": 1}}
        aggs[facet.name] = {"filter": {"bool": {"filter": others}}, "aggs": {"values": terms}}
    aggs[YEAR_FACET] = {
        "filter": {"bool": {"filter": list(selected.values())}},
        "aggs": {"values": {"histogram": {"field": "year_start", "interval": YEAR_INTERVAL,
                                          "min_doc_count": 1}}},
    }
    body["aggs"] = aggs
    if selected:
        body["post_filter"] = {"bool": {"filter": list(selected.values())}}
    return body


_SORTS = {
    "relevance": [{"_score": "desc"}, {"reference_code": "asc"}, {"id": "asc"}],
    "date_asc": [{"date_start": {"order": "asc", "missing": "_last"}}, {"id": "asc"}],
    "date_desc": [{"date_start": {"order": "desc", "missing": "_last"}}, {"id": "asc"}],
    "reference": [{"reference_code": {"order": "asc", "missing": "_last"}}, {"id": "asc"}],
}


def apply_sort(body: dict, identity: Identity, params: SearchParams) -> dict:
    body["sort"] = _SORTS[params.sort]
    return body


def apply_pagination(body: dict, identity: Identity, params: SearchParams) -> dict:
    if params.search_after is not None:
        body["search_after"] = list(params.search_after)
    else:
        body["from"] = params.offset
    body["size"] = params.size
    body["track_total_hits"] = True
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


SEARCH_CHAIN: tuple[Step, ...] = (
    apply_query_string,
    apply_field_queries,
    apply_permission_filter,
    apply_date_range,
    apply_facets,
    apply_sort,
    apply_pagination,
    apply_highlight,
    apply_source_filter,
)


def build_search(identity: Identity, params: SearchParams) -> dict:
    body: dict = {}
    for step in SEARCH_CHAIN:
        body = step(body, identity, params)
    return body
