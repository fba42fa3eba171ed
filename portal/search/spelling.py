""""Did you mean …?" for a search that found nothing or almost nothing.

OpenSearch's term suggester proposes, for each word of the query, close words of the index. It
reads the whole index: its filters do not apply, so a proposal may come from a closed record's
title or a restricted record's full text. A proposal is therefore shown only when each word it
brings in finds a record on its own, and the whole proposal finds more records than the query
did, both through the reader's own search (the one permission filter, content only where they
may read it).
"""
from __future__ import annotations

import dataclasses

from opensearchpy import OpenSearch

from portal.access.identity import Identity
from portal.opensearch import SearchUnavailable, run_search
from portal.search.params import SearchParams
from portal.search.query import build_search, has_diacritics

# Results at or below this many get a proposal, when a better spelling finds more.
FEW_RESULTS = 2
MAX_CANDIDATES = 3
# Typed with diacritics, a query is corrected within the exact spelling; without, within the folded.
EXACT_FIELDS = ("title", "creator", "description", "content")
FOLDED_FIELDS = tuple(f"{name}.folded" for name in EXACT_FIELDS)


def build_term_suggest(text: str) -> dict:
    fields = EXACT_FIELDS if has_diacritics(text) else FOLDED_FIELDS
    return {"size": 0, "track_total_hits": False, "suggest": {"text": text, **{
        field: {"term": {"field": field, "suggest_mode": "missing", "size": MAX_CANDIDATES,
                         "sort": "score", "min_word_length": 3}} for field in fields}}}


def corrections(answer: dict) -> dict[tuple[int, int], list[str]]:
    """Each misspelt word's place in the query (offset, length) → its proposals, best first,
    merged over the fields by the suggester's score, then by how often each occurs."""
    found: dict[tuple[int, int], dict[str, tuple[float, int]]] = {}
    for entries in (answer.get("suggest") or {}).values():
        for entry in entries:
            options = found.setdefault((entry["offset"], entry["length"]), {})
            for option in entry["options"]:
                best = options.get(option["text"], (0.0, 0))
                options[option["text"]] = max(best, (option["score"], option["freq"]))
    return {place: sorted(options, key=options.get, reverse=True)
            for place, options in found.items() if options}


def candidate_queries(text: str, proposals: dict[tuple[int, int], list[str]]) -> list[tuple[str, list[str]]]:
    """Up to MAX_CANDIDATES rewritten queries, each with the words it brings in."""
    candidates = []
    for rank in range(MAX_CANDIDATES):
        rewritten, words, end = [], [], 0
        for (offset, length), options in sorted(proposals.items()):
            word = options[min(rank, len(options) - 1)]
            rewritten += [text[end:offset], word]
            words.append(word)
            end = offset + length
        candidate = "".join(rewritten) + text[end:]
        if words and candidate != text and candidate not in [c for c, _ in candidates]:
            candidates.append((candidate, words))
    return candidates


def count_body(identity: Identity, params: SearchParams) -> dict:
    """The reader's own search for `params`, asking only how many records it finds."""
    body = build_search(identity, dataclasses.replace(params, page=1, size=0, search_after=None))
    for unused in ("aggs", "highlight", "sort", "from", "rescore"):
        body.pop(unused, None)
    return body


class SpellingService:
    def __init__(self, client: OpenSearch, alias: str):
        self.client = client
        self.alias = alias

    def did_you_mean(self, identity: Identity, params: SearchParams, total: int) -> str | None:
        if not params.q or total > FEW_RESULTS:
            return None
        try:
            return self._better_spelling(identity, params, total)
        except SearchUnavailable:
            return None  # a convenience: the results stand without it

    def _better_spelling(self, identity: Identity, params: SearchParams, total: int) -> str | None:
        answer = run_search(self.client, self.alias, build_term_suggest(params.q))
        if answer is None:
            return None
        for candidate, words in candidate_queries(params.q, corrections(answer)):
            if all(self._count(identity, SearchParams(q=word)) for word in words) and \
                    self._count(identity, dataclasses.replace(params, q=candidate)) > total:
                return candidate
        return None

    def _count(self, identity: Identity, params: SearchParams) -> int:
        answer = run_search(self.client, self.alias, count_body(identity, params))
        return answer["hits"]["total"]["value"] if answer else 0


