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
