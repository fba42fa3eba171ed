"""Fonds that are likely one and the same, described by two sources of a province (issue 18: Vĩnh Long's
VLG.P03 harvested over OAI-PMH and VL.SNV from an export package, both "Sở Nội vụ tỉnh Vĩnh Long").

Two fonds are taken for one when their names match once the words that differ between describers are
set aside: case, diacritics (typed or not), the word "Phông" in front, the covering dates in brackets
at the end, punctuation. Only fonds of different sources are paired: within one source, two ids are
the source's own choice. Shown to the people who see the province's sources, never to readers."""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field

from opensearchpy import OpenSearch

from portal.opensearch import SearchUnavailable, run_search
from schema.folding import folded_words

log = logging.getLogger(__name__)

# No province holds anywhere near this many fonds; the largest national archive holds a few thousand.
MAX_FONDS = 10_000
FIELDS = ["id", "title", "creator", "reference_code", "source_id", "holding_province", "date_start", "date_end"]
# Before folding: "Phông" (the fonds) and "Phòng" (an office, part of many names) fold alike.
_LEADING_LEVEL = re.compile(r"^\s*(phông|fonds)\s+", re.IGNORECASE)
_TRAILING_DATES = re.compile(r"\s*[\(\[][^\)\]]*\d{4}[^\)\]]*[\)\]]\s*$")


def fonds_name_key(name: str | None) -> str:
    """The part of a fonds' name that two describers of it share: folded, without "Phông" and dates."""
    text = _LEADING_LEVEL.sub("", unicodedata.normalize("NFC", name or ""))
    return folded_words(_TRAILING_DATES.sub("", text))


@dataclass
class DuplicateFonds:
    """Fonds of two or more sources of one province that are likely one fonds."""
    province: str
    key: str
    fonds: list[dict] = field(default_factory=list)

    @property
    def ids(self) -> set[str]:
        return {entry["id"] for entry in self.fonds}


def likely_duplicate_fonds(client: OpenSearch, index: str, provinces: list[str] | None) -> list[DuplicateFonds]:
    """Groups of likely duplicate fonds in these provinces (None: every province), by province and name;
    none when the index cannot answer."""
    filters: list[dict] = [{"term": {"level": "fonds"}}]
    if provinces is not None:
        if not provinces:
            return []
        filters.append({"terms": {"holding_province": provinces}})
    try:
        answer = run_search(client, index, {"size": MAX_FONDS, "_source": FIELDS,
                                            "query": {"bool": {"filter": filters}}, "sort": [{"id": "asc"}]})
    except SearchUnavailable as error:  # the admin pages read the database; the index is a side view there
        log.warning("likely duplicate fonds not looked for: %s", error)
        return []
    if answer is None:
        return []
    groups: dict[tuple[str, str], DuplicateFonds] = {}
    for hit in answer["hits"]["hits"]:
        entry = hit["_source"]
        key = fonds_name_key(entry.get("title")) or fonds_name_key(entry.get("creator"))
        if not key:
            continue
        province = entry.get("holding_province") or ""
        groups.setdefault((province, key), DuplicateFonds(province, key)).fonds.append(entry)
    found = [group for group in groups.values() if len({entry.get("source_id") for entry in group.fonds}) > 1]
    return sorted(found, key=lambda group: (group.province, group.key))


def duplicates_by_fonds(groups: list[DuplicateFonds]) -> dict[str, list[dict]]:
    """For each fonds in a group, the others of its group: what a browse page names beside it."""
    others: dict[str, list[dict]] = {}
    for group in groups:
        for entry in group.fonds:
            others[entry["id"]] = [other for other in group.fonds if other["id"] != entry["id"]]
    return others
