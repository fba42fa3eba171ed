"""A creator's type of entity through EAD and back: a fonds of a person or a family, as the harvester reads it,
written by the portal's two EAD writers (the OAI-PMH oai_ead and the finding-aid export) with the same element,
so a portal harvesting another's catalogue keeps the person a person."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from lxml import etree

from indexer.mapping.ead import map_ead
from portal.export.ead import render_ead
from portal.export.finding_aid import Component, FindingAid
from portal.oai.ead import ead_element
from tests.ead_schema import ead_schema


def _fonds(creator_type: str | None) -> dict:
    return {"id": "vl:P05", "level": "fonds", "title": "Phông cá nhân", "reference_code": "P05",
            "holding_province": "86", "access": "public", "creator": "Phan Văn Trị", "creator_type": creator_type}


def _read_back(ead: etree._Element) -> dict:
    fonds, = [r.document for r in map_ead(ead, source_id="again", local_id="P05", holding_province="86")]
    return fonds


def _oai_ead(record: dict) -> etree._Element:
    return ead_element(record, [], lambda i: f"https://portal.example/records/{i}", lambda i, n: "")


def _exported(record: dict) -> etree._Element:
    finding_aid = FindingAid(Component(record, True, []), datetime(2026, 12, 6, tzinfo=timezone.utc),
                             lambda i: f"https://portal.example/records/{i}", lambda i, n: "")
    return etree.fromstring(render_ead(finding_aid))


@pytest.mark.parametrize("write", [_oai_ead, _exported], ids=["oai_ead", "export"])
@pytest.mark.parametrize("creator_type, element", [("person", "persname"), ("family", "famname"),
                                                   ("corporateBody", "corpname"), (None, "corpname")])
def test_the_creator_is_written_with_the_element_of_its_type_and_read_back_as_it(write, creator_type, element):
    ead = write(_fonds(creator_type))
    ead_schema().assertValid(ead)
    names = ead.findall(".//{urn:isbn:1-931666-22-9}origination/*")
    assert [etree.QName(name).localname for name in names] == [element]
    fonds = _read_back(ead)
    assert (fonds["creator"], fonds["creator_type"]) == ("Phan Văn Trị", creator_type or "corporateBody")
