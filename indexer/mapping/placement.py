"""The fields every mapping gives a record alike: its id, where it is held, where it came
from (a former province mapped to the current one) and where it sits in its fonds."""
from __future__ import annotations

from schema.provinces import province_name
from schema.record import record_id


def placement_fields(source_id: str, local_id: str, holding_province: str, origin, level: str,
                     path: list[str]) -> dict:
    """`origin` is a resolved origin (schema.provinces.resolve_origin) or None: then the
    holding province stands for it. `path` holds record ids, the fonds first."""
    return {
        "id": record_id(source_id, local_id),
        "source_id": source_id,
        "local_id": local_id,
        "holding_province": holding_province,
        "holding_province_name": province_name(holding_province),
        "origin_province": origin.code if origin else holding_province,
        "origin_province_name": origin.name if origin else province_name(holding_province),
        "origin_province_current": origin.current_code if origin else holding_province,
        "level": level,
        "parent_id": path[-1] if path else None,
        "path": list(path),
    }
