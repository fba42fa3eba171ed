"""The facets a search offers: which field each counts, and which parameter filters on it."""
from __future__ import annotations

from dataclasses import dataclass


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
