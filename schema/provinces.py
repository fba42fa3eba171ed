"""Việt Nam's 34 current provinces and the 63 former ones mapped to them.

Tables come from `vietnam-provinces` (the current units) and `vietnamadminunits` (former units
and their successors); nothing is hand-written here. Codes are two-digit strings ("86").
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import vietnam_provinces
from vietnamadminunits import convert_address, parse_address


def normalise_code(code: str | int) -> str:
    """'86', 86 and '086' are the same province; raises ValueError for anything else."""
    return f"{int(str(code).strip()):02d}"


@lru_cache(maxsize=1)
def current_provinces() -> dict[str, str]:
    """Code → official name of the 34 provinces and centrally-run cities."""
    return {
        normalise_code(int(p.code)): p.name
        for p in sorted(vietnam_provinces.Province.iter_all(), key=lambda p: int(p.code))
    }


def province_name(code: str) -> str | None:
    """Name of a current province, or of a former one when the code is no longer current."""
    if name := current_provinces().get(code):  # a code written as the tables write it: every record has one
        return name
    try:
        code = normalise_code(code)
    except ValueError:
        return None
    return current_provinces().get(code) or former_province_names().get(code)


@lru_cache(maxsize=1)
def former_province_names() -> dict[str, str]:
    """Code → name of former provinces met so far (filled by resolve_origin)."""
    return {}


@dataclass(frozen=True)
class OriginProvince:
    code: str  # the unit that produced the records, possibly one of the former 63
    name: str
    current_code: str  # the one of the 34 it is part of now


@lru_cache(maxsize=512)
def resolve_origin(name: str) -> OriginProvince | None:
    """Map a province as a source names it ("Tỉnh Bến Tre") to its code and its successor."""
    if not name or not name.strip():
        return None
    legacy = parse_address(name, mode="LEGACY", level=1)
    if legacy.province_code:
        current = convert_address(name)
        current_code = normalise_code(current.province_code) if current.province_code else None
        code = normalise_code(legacy.province_code)
        if code not in current_provinces():
            former_province_names()[code] = legacy.province
        return OriginProvince(code, legacy.province, current_code or code)
    current = parse_address(name, mode="FROM_2025", level=1)
    if current.province_code:
        code = normalise_code(current.province_code)
        return OriginProvince(code, current.province, code)
    return None


@lru_cache(maxsize=1)
def former_units() -> dict[str, OriginProvince]:
    """Code → each of the 63 provinces before 1 July 2025, with its name and the one of the 34 it is part of
    now (`vietnamadminunits`' legacy table): the labels of the origin facet, read here rather than from
    the index (a terms sub-aggregation per bucket costs every search a pass over its hits)."""
    from vietnamadminunits.database import query

    units = {}
    for row in query("SELECT DISTINCT provinceCode, province FROM admin_units_legacy"):
        origin = resolve_origin(row["province"])
        if origin is not None:
            units[origin.code] = origin
    return units


@lru_cache(maxsize=1)
def province_centres() -> dict[str, tuple[float, float]]:
    """Code → (latitude, longitude) of each of the 34 provinces' centre, as `vietnamadminunits` gives it."""
    from vietnamadminunits.database import get_data

    rows = get_data(fields=["provinceCode", "provinceLat", "provinceLon"], table="admin_units")
    return {normalise_code(row["provinceCode"]): (row["provinceLat"], row["provinceLon"]) for row in rows
            if row["provinceLat"] is not None}
