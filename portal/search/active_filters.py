"""What narrows the current search, for the page: the summary of active filters above the
results (each removable), chosen facet values listed first, and the decades a period covers."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.labels import access_label, language_label, level_label, province_label
from portal.search.facets import FACETS, YEAR_INTERVAL
from portal.search.params import FIELD_QUERIES, SearchParams

# One title a facet, shared by its list and its entries in the summary.
FACET_TITLES = {
    "holding_province": _l("Holding province"),
    "origin_province": _l("Origin province"),
    "level": _l("Level"),
    "access": _l("Access"),
    "doc_type": _l("Document type"),
    "language": _l("Language"),
}
FIELD_TITLES = {
    "title": _l("Title"),
    "creator": _l("Creator / issuing body"),
    "doc_number": _l("Document number and symbol"),
    "reference_code": _l("Reference code"),
}
_VALUE_LABELS = {"province": province_label, "origin_province": province_label, "level": level_label,
                 "access": access_label, "language": language_label}


@dataclass(frozen=True)
class ActiveFilter:
    group: str
    label: str
    parameter: str  # the URL parameter to remove; "period" removes both from and to
    value: str


def active_filters(params: SearchParams, facets: dict[str, list[dict]]) -> list[ActiveFilter]:
    found = []
    for facet in FACETS:
        labels = {str(bucket["key"]): bucket["label"] for bucket in facets.get(facet.name, [])}
        label_of = _VALUE_LABELS.get(facet.parameter, str)
        for value in getattr(params, facet.parameter):
            found.append(ActiveFilter(str(FACET_TITLES[facet.name]), labels.get(value) or label_of(value),
                                      facet.parameter, value))
    for name in FIELD_QUERIES:
        if value := getattr(params, name):
            found.append(ActiveFilter(str(FIELD_TITLES[name]), value, name, value))
    if params.date_from or params.date_to:
        found.append(ActiveFilter(str(_l("Period")), period_label(params.date_from, params.date_to), "period", ""))
    return found


def creator_chip(creator, raw_id: str) -> ActiveFilter:
    """The chip of the `creator_id` filter: the creator's name, or its number when it may not be named."""
    return ActiveFilter(str(_l("Creator")), creator.name if creator else f"#{raw_id}", "creator_id", raw_id)


def period_label(date_from: str | None, date_to: str | None) -> str:
    if date_from and date_to:
        return f"{date_from}–{date_to}"
    if date_from:
        return str(_l("from %(date)s", date=date_from))
    return str(_l("until %(date)s", date=date_to))


def chosen_first(buckets: list[dict], chosen: tuple[str, ...]) -> list[dict]:
    """A facet's values with the chosen ones first, each group in its own order (by count)."""
    return sorted(buckets, key=lambda bucket: str(bucket["key"]) not in chosen)


def decade_chosen(params: SearchParams, decade: int) -> bool:
    """Whether the period asked for covers part of the decade starting at `decade`."""
    if not (params.date_from or params.date_to):
        return False
    first = int(params.date_from[:4]) if params.date_from else None
    last = int(params.date_to[:4]) if params.date_to else None
    return (first is None or first <= decade + YEAR_INTERVAL - 1) and (last is None or last >= decade)
