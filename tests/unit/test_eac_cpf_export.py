"""A creator as EAC-CPF 2010: valid against the SAA schema (tests/fixtures/eac-cpf), with its names, places,
histories and fonds, and nothing a source could break the XML with."""
from __future__ import annotations

from datetime import datetime, timezone

from lxml import etree

from portal.creators.eac_cpf import EAC_NS, eac_cpf
from portal.creators.models import Creator
from portal.creators.service import CreatorView, ProvinceHoldings
from tests.eac_cpf_schema import eac_cpf_schema

NS = {"eac": EAC_NS, "xlink": "http://www.w3.org/1999/xlink"}


def _view(**changes) -> CreatorView:
    creator = Creator(id=7, name="Ủy ban nhân dân tỉnh Bến Tre", province="86", entity_type="corporateBody",
                      dates_of_existence="1976–2025",
                      created_at=datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc))
    fonds = [{"id": "bentre:P01", "title": "Phông Ủy ban nhân dân tỉnh Bến Tre (1976-2025)", "holding_province": "86"},
             {"id": "vinhlong:VL.P9", "title": "Phông UBND tỉnh Bến Tre\x07", "holding_province": "86"}]
    values = dict(creator=creator, authorised_name=creator.name, other_names=["UBND tỉnh Bến Tre"], total=12,
                  holdings=[ProvinceHoldings("86", "Vĩnh Long", 12, fonds)],
                  histories=[{"text": "Thành lập năm 1976.\n\nHợp nhất vào tỉnh Vĩnh Long năm 2025.",
                              "fonds_id": "bentre:P01", "fonds_title": "Phông"}],
                  places=["Tỉnh Bến Tre"], year_start=1976, year_end=2025)
    values.update(changes)
    return CreatorView(**values)


def _document(view: CreatorView) -> etree._Element:
    xml = eac_cpf(view, "https://portal.example/creators/7", lambda rid: f"https://portal.example/records/{rid}",
                  now=datetime(2026, 12, 6, 9, 30, tzinfo=timezone.utc))
    return etree.fromstring(xml)


def test_a_creator_with_names_places_histories_and_fonds_is_valid_eac_cpf():
    document = _document(_view())
    eac_cpf_schema().assertValid(document)
    names = document.xpath("//eac:identity/eac:nameEntry/eac:part/text()", namespaces=NS)
    assert names == ["Ủy ban nhân dân tỉnh Bến Tre", "UBND tỉnh Bến Tre"]
    assert document.xpath("//eac:nameEntry[1]/eac:authorizedForm/text()", namespaces=NS) == ["ISAAR-CPF"]
    assert document.xpath("//eac:entityType/text()", namespaces=NS) == ["corporateBody"]
    assert document.xpath("//eac:existDates/eac:date/text()", namespaces=NS) == ["1976–2025"]
    assert document.xpath("//eac:biogHist/eac:p/text()", namespaces=NS) == [
        "Thành lập năm 1976.", "Hợp nhất vào tỉnh Vĩnh Long năm 2025."]
    relations = document.xpath("//eac:resourceRelation", namespaces=NS)
    assert [r.get("resourceRelationType") for r in relations] == ["creatorOf", "creatorOf"]
    assert relations[1].get(f"{{{NS['xlink']}}}href") == "https://portal.example/records/vinhlong:VL.P9"
    assert relations[1].findtext(f"{{{EAC_NS}}}relationEntry") == "Phông UBND tỉnh Bến Tre"  # the bell is gone
    assert document.xpath("//eac:recordId/text()", namespaces=NS) == ["vn-archives-portal-creator-7"]


def test_a_creator_known_only_by_its_name_is_valid_too():
    nameless = _view().creator
    nameless.dates_of_existence = ""
    holdings = [ProvinceHoldings("86", "Vĩnh Long", 3, [])]
    document = _document(_view(creator=nameless, other_names=[], holdings=holdings, histories=[], places=[]))
    eac_cpf_schema().assertValid(document)
    assert not document.xpath("//eac:relations | //eac:description | //eac:sources", namespaces=NS)
