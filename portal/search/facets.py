"""The facets a search offers: which field each counts, and which parameter filters on it."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Facet:
    name: str  # the key in the API's "facets"
    field: str
    parameter: str  # the SearchParams attribute that filters on it
    size: int = 50


FACETS = (
    # Province labels come from the province tables (portal.search.service), not from the index.
    Facet("holding_province", "holding_province", "province"),
    Facet("origin_province", "origin_province", "origin_province"),
    Facet("level", "level", "level"),
    Facet("access", "access", "access"),
    Facet("doc_type", "doc_type.raw", "doc_type"),
    Facet("language", "language", "language"),
)

YEAR_FACET = "year"
YEAR_INTERVAL = 10
# The facets request's aggregations: a facet counted under no selection sits at the top by its name; facets
# counted under the same selections sit together in one filter aggregation named with this prefix.
FACET_GROUP_PREFIX = "under_selections_"


def facet_buckets(aggregations: dict) -> dict[str, list[dict]]:
    """Each facet's buckets (and the year facet's) from the facets request's aggregations, wherever it sits."""
    names = {facet.name for facet in FACETS} | {YEAR_FACET}
    found = {}
    for key, value in aggregations.items():
        if key in names:
            found[key] = value.get("buckets", [])
        elif key.startswith(FACET_GROUP_PREFIX):
            found.update({name: inner.get("buckets", []) for name, inner in value.items() if name in names})
    return found
