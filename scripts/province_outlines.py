"""Writes static/archives/provinces-schematic.geojson: each of the 34 provinces drawn as the convex hull of
its communes' centres on the mainland (from vietnamadminunits), and each island special zone (đặc khu:
Hoàng Sa, Trường Sa, Phú Quốc, Côn Đảo, …) as a point of its own, so that no hull reaches across the sea
and no island is left off: the background of the archives map.

A schematic, not the provinces' legal boundaries (no such data set ships with the libraries we use); it needs
no tile server. Run again when vietnamadminunits changes: `.venv/bin/python scripts/province_outlines.py`.
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
OUTLINES = PROJECT / "static" / "archives" / "provinces-schematic.geojson"
SPECIAL_ZONE = "Đặc khu"  # an island district, far out at sea
PLACES = 2  # degrees to two decimals (about 1 km): a schematic needs no more


def convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain: the hull's corners, counter-clockwise, the first not repeated."""
    points = sorted(set(points))
    if len(points) < 3:
        return points

    def turn(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for point in points:
        while len(lower) >= 2 and turn(lower[-2], lower[-1], point) <= 0:
            lower.pop()
        lower.append(point)
    for point in reversed(points):
        while len(upper) >= 2 and turn(upper[-2], upper[-1], point) <= 0:
            upper.pop()
        upper.append(point)
    return lower[:-1] + upper[:-1]


def outlines() -> dict:
    from vietnamadminunits.database import get_data

    from schema.provinces import current_provinces, normalise_code

    communes, islands = defaultdict(list), []
    for row in get_data(fields=["provinceCode", "ward", "wardType", "wardLat", "wardLon"], table="admin_units"):
        if row["wardLat"] is None or row["wardLon"] is None:
            continue
        code = normalise_code(row["provinceCode"])
        point = (round(row["wardLon"], PLACES), round(row["wardLat"], PLACES))
        if row["wardType"] == SPECIAL_ZONE:
            islands.append({"type": "Feature", "properties": {"province": code, "name": row["ward"]},
                            "geometry": {"type": "Point", "coordinates": list(point)}})
        else:
            communes[code].append(point)
    features = []
    for code, name in current_provinces().items():
        hull = convex_hull(communes[code])
        if len(hull) < 3:
            continue
        ring = [list(point) for point in hull + hull[:1]]
        features.append({"type": "Feature", "properties": {"province": code, "name": name},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return {"type": "FeatureCollection", "features": features + sorted(islands, key=lambda f: f["properties"]["name"])}


def written() -> str:
    return json.dumps(outlines(), ensure_ascii=False, separators=(",", ":")) + "\n"


if __name__ == "__main__":
    OUTLINES.write_text(written(), encoding="utf-8")
    print(f"wrote {OUTLINES.relative_to(PROJECT)} ({OUTLINES.stat().st_size:,} bytes)")
