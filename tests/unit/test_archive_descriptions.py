"""The archives' descriptions as typed (portal/archives/service.py), who may change them, and the map's
static files: Leaflet as package.json pins it, the schematic outline as the generator writes it."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from portal.access.identity import Identity
from portal.archives.service import InvalidDescription, checked_description, may_edit

PROJECT = Path(__file__).resolve().parents[2]
BLANK = {"name": "Trung tâm Lưu trữ lịch sử tỉnh Vĩnh Long"}


def _identity(roles, province=None):
    return Identity(user_id=1, roles=frozenset(roles), province=province)


def test_a_description_is_trimmed_and_coordinates_read_with_a_comma_or_a_point():
    checked = checked_description({**BLANK, "address": "  Số 1\r\nVĩnh Long ", "latitude": "10,2537",
                                   "longitude": " 105.9722 ", "email": "luutru@example.vn"})
    assert checked["address"] == "Số 1\nVĩnh Long"
    assert (checked["latitude"], checked["longitude"]) == (10.2537, 105.9722)
    assert checked_description(BLANK)["latitude"] is None and checked_description(BLANK)["phone"] == ""


@pytest.mark.parametrize(("values", "field"), [
    ({"name": "  "}, "name"),
    ({"email": "luutru at example"}, "email"),
    ({"website": "javascript:alert(1)"}, "website"),
    ({"latitude": "106.0", "longitude": "10.2"}, "latitude"),  # swapped
    ({"latitude": "10.2"}, "longitude"),
    ({"longitude": "mười"}, "longitude"),
    ({"opening_hours": "x" * 2001}, "opening_hours"),
])
def test_a_wrong_field_is_named(values, field):
    with pytest.raises(InvalidDescription) as refused:
        checked_description({**BLANK, **values})
    assert field in refused.value.problems


def test_who_manages_a_provinces_sources_describes_its_archive():
    assert may_edit(_identity({"archive_admin"}, "86"), "86")
    assert not may_edit(_identity({"archive_admin"}, "86"), "46")
    assert not may_edit(_identity({"archive_admin"}, None), "86")
    assert may_edit(_identity({"national_admin"}), "46")
    for roles in ({"staff"}, {"reader"}, {"auditor"}, set()):
        assert not may_edit(_identity(roles, "86"), "86")


def test_vendored_leaflet_is_the_version_package_json_pins():
    pinned = json.loads((PROJECT / "package.json").read_text())["devDependencies"]["leaflet"]
    header = (PROJECT / "static/vendor/leaflet/leaflet.js").read_text(encoding="utf-8")[:200]
    assert re.search(r"Leaflet (\S+),", header).group(1) == pinned
    assert (PROJECT / "static/vendor/leaflet/leaflet.css").is_file()


def test_the_schematic_outline_is_what_the_generator_writes_with_every_province_and_island():
    import importlib.util

    spec = importlib.util.spec_from_file_location("province_outlines", PROJECT / "scripts/province_outlines.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    shipped = (PROJECT / "static/archives/provinces-schematic.geojson").read_text(encoding="utf-8")
    assert shipped == generator.written()
    features = json.loads(shipped)["features"]
    assert len([f for f in features if f["geometry"]["type"] == "Polygon"]) == 34
    islands = {f["properties"]["name"] for f in features if f["geometry"]["type"] == "Point"}
    assert {"Đặc khu Hoàng Sa", "Đặc khu Trường Sa", "Đặc khu Phú Quốc", "Đặc khu Côn Đảo"} <= islands
