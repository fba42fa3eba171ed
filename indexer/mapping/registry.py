"""The mapping of each metadata prefix a source may send: `MAPPERS[prefix](metadata, *, source_id, local_id,
holding_province)` → a list of MappedRecord (one OAI record may describe many units, as an EAD finding aid does)."""
from __future__ import annotations

from indexer.mapping.ead import map_ead
from indexer.mapping.oai_dc import MappedRecord, map_oai_dc


def _map_oai_dc(metadata, *, source_id: str, local_id: str, holding_province: str) -> list[MappedRecord]:
    return [map_oai_dc(metadata, source_id=source_id, local_id=local_id, holding_province=holding_province)]


MAPPERS = {
    "oai_dc": _map_oai_dc,
    "oai_ead": map_ead,
}
