"""Likely the same record held by two archives: the results a reader sees that another source
describes too (a copy sent to both provinces, a fonds described before and after a merger).

The rule: two records of different sources, at the same level, whose titles read the same once
case, diacritics and punctuation are set aside, with the same start and end dates, and the same
document number when both have one. Records without a title or a start date are never twinned.
Candidates are looked for under the reader's permission filter only, so a record one may not know
of is never named as a twin.
"""
from __future__ import annotations


from portal.access.identity import Identity
from portal.access.policy import visible_filter
from schema.folding import folded_words

MAX_TWINS = 100  # candidates looked at for one page of results
TWIN_FIELDS = ["id", "title", "level", "source_id", "date_start", "date_end", "doc_number",
               "holding_province", "holding_province_name", "reference_code"]
fold = folded_words  # lower case, no diacritics (đ → d), words joined by one space


def twin_key(record: dict) -> tuple | None:
    title, start = fold(record.get("title")), record.get("date_start")
    if not title or not start:
        return None
    return record.get("level"), title, start, record.get("date_end") or start


def are_twins(one: dict, other: dict) -> bool:
    if one.get("id") == other.get("id") or one.get("source_id") == other.get("source_id"):
        return False
    key = twin_key(one)
    if key is None or key != twin_key(other):
        return False
    numbers = fold(one.get("doc_number")), fold(other.get("doc_number"))
    return not (all(numbers) and numbers[0] != numbers[1])


def build_twin_search(identity: Identity, hits: list[dict]) -> dict | None:
    """Records sharing a title phrase and a start date with a hit, that the identity may see."""
    wanted = [{"bool": {"filter": [{"term": {"date_start": hit["date_start"]}},
                                   {"match_phrase": {"title.folded": hit["title"]}}]}}
              for hit in hits if twin_key(hit) is not None]
    if not wanted:
        return None
    return {
        "size": MAX_TWINS,
        "_source": TWIN_FIELDS,
        "query": {"bool": {"filter": [visible_filter(identity),
                                      {"bool": {"should": wanted, "minimum_should_match": 1}}]}},
    }


def twins_of(hit: dict, candidates: list[dict]) -> list[dict]:
    return [candidate for candidate in candidates if are_twins(hit, candidate)]
