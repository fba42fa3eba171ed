"""Which mapping reads which metadata format: metadataPrefix → a function from the record's
metadata element to the records it describes (one Dublin Core record is one record; one EAD
finding aid is a whole fonds → series → file → item tree).

Each mapper is called as `mapper(metadata_element, *, source_id, local_id, holding_province,
access_policy)` (the source's, schema/access_policy.py) and returns a list of MappedRecord; it raises RecordError when the record cannot be read.
"""
from __future__ import annotations

from typing import Callable

from lxml import etree

from indexer.mapping.ead import map_ead
from indexer.mapping.oai_dc import MappedRecord, map_oai_dc
from schema.access_policy import DEFAULT_POLICY, AccessPolicy

Mapper = Callable[..., list[MappedRecord]]


def _map_oai_dc_one(metadata: etree._Element, *, source_id: str, local_id: str, holding_province: str,
                    access_policy: AccessPolicy = DEFAULT_POLICY) -> list[MappedRecord]:
    return [map_oai_dc(metadata, source_id=source_id, local_id=local_id, holding_province=holding_province,
                       access_policy=access_policy)]


MAPPERS: dict[str, Mapper] = {
    "oai_dc": _map_oai_dc_one,
    "oai_ead": map_ead,
}

# Richest first: when a source offers several formats the harvester knows, it takes the first.
RICHNESS = ("oai_ead", "ead", "oai_dc")


def richest_known(offered: list[str]) -> str | None:
    """The richest of the offered metadata prefixes that a mapper reads; None if none is known."""
    known = [prefix for prefix in offered if prefix in MAPPERS]
    if not known:
        return None
    return min(known, key=lambda prefix: RICHNESS.index(prefix) if prefix in RICHNESS else len(RICHNESS))


def mapper_for(metadata_prefix: str) -> Mapper | None:
    return MAPPERS.get(metadata_prefix)
