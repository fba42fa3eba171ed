"""The demo Lâm Đồng archive: oai_dc a record a unit, oai_ead a finding aid a fonds, as AtoM serves them."""
from __future__ import annotations

import pytest
from lxml import etree

import demo.__main__ as demo_cli
from demo.catalogue import build_archives
from demo.ead_archive import SLUG, build_ead_archive
from demo.oai_provider import create_provider_app
from indexer.mapping.ead import map_ead

OAI = {"o": "http://www.openarchives.org/OAI/2.0/"}
EAD = {"e": "urn:isbn:1-931666-22-9"}


@pytest.fixture(scope="module")
def archive():
    return build_ead_archive()


@pytest.fixture(scope="module")
def client(archive):
    return create_provider_app({SLUG: archive, "hue": build_archives()["hue"]}, page_size=1).test_client()


def _xml(client, query: str):
    return etree.fromstring(client.get(f"/{query}").data)


def test_the_archive_is_two_fonds_of_nineteen_units_each_built_the_same_every_time(archive):
    assert build_ead_archive() == archive
    assert [r.local_id for r in archive.fonds_records()] == ["LD.UBND", "DNO.UBND"]
    assert len(archive.records) == 38
    levels = [r.level for r in archive.records]
    assert (levels.count("series"), levels.count("file"), levels.count("item")) == (4, 8, 24)
    assert sum(1 for r in archive.records if r.files) == 8
    assert {r.serial for r in archive.records}.isdisjoint({r.serial for a in build_archives().values()
                                                           for r in a.records})


def test_it_offers_oai_dc_and_oai_ead_and_the_others_oai_dc_only(client):
    offered = _xml(client, f"{SLUG}/oai?verb=ListMetadataFormats").xpath("//o:metadataPrefix/text()", namespaces=OAI)
    assert offered == ["oai_dc", "oai_ead"]
    hue = _xml(client, "hue/oai?verb=ListRecords&metadataPrefix=oai_ead")
    assert hue.find("o:error", OAI).get("code") == "cannotDisseminateFormat"


def test_list_records_in_oai_ead_gives_one_finding_aid_per_fonds_across_pages(client):
    first = _xml(client, f"{SLUG}/oai?verb=ListRecords&metadataPrefix=oai_ead")
    token = first.find(".//o:resumptionToken", OAI)
    assert token.get("completeListSize") == "2"
    second = _xml(client, f"{SLUG}/oai?verb=ListRecords&resumptionToken={token.text}")
    identifiers = [page.findtext(".//o:header/o:identifier", namespaces=OAI) for page in (first, second)]
    assert identifiers == ["oai:lamdong.luutru.gov.vn:DNO.UBND", "oai:lamdong.luutru.gov.vn:LD.UBND"]
    ead = first.find(".//o:metadata/e:ead", {**OAI, **EAD})
    assert ead.find("e:archdesc", EAD).get("level") == "fonds"
    assert len(ead.findall(".//e:c", EAD)) == 18


def test_get_record_in_oai_ead_is_for_a_fonds_only(client):
    fonds = _xml(client, f"{SLUG}/oai?verb=GetRecord&metadataPrefix=oai_ead"
                         "&identifier=oai:lamdong.luutru.gov.vn:LD.UBND")
    assert fonds.find(".//e:ead", EAD) is not None
    series = _xml(client, f"{SLUG}/oai?verb=GetRecord&metadataPrefix=oai_ead"
                          "&identifier=oai:lamdong.luutru.gov.vn:LD.UBND/ML01")
    assert series.find("o:error", OAI).get("code") == "cannotDisseminateFormat"


def test_access_is_written_only_where_it_changes_and_the_mapping_reads_it_back(client, archive):
    page = _xml(client, f"{SLUG}/oai?verb=GetRecord&metadataPrefix=oai_ead&identifier=oai:lamdong.luutru.gov.vn:LD.UBND")
    ead = page.find(".//e:ead", EAD)
    assert len(ead.findall(".//e:accessrestrict", EAD)) == 3  # the fonds, the restricted hồ sơ, the closed document
    mapped = {m.document["local_id"]: m.document for m in map_ead(ead, source_id=SLUG, local_id="LD.UBND",
                                                                  holding_province="68")}
    for record in archive.records:
        if record.local_id.startswith("LD.UBND"):
            assert mapped[record.local_id]["access"] == record.access, record.local_id
            assert mapped[record.local_id]["level"] == record.level
            assert mapped[record.local_id]["title"] == record.title
            assert mapped[record.local_id]["date_start"] == record.date_start


def test_its_files_are_served(client, archive):
    item = next(r for r in archive.records if r.files)
    response = client.get(f"/{SLUG}/files/{item.local_id}/{item.files[0].name}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_serve_adds_the_ead_archive_but_stats_keep_the_three(monkeypatch, capsys):
    served = {}
    monkeypatch.setattr(demo_cli, "run_simple", lambda host, port, app, threaded: served.update(app=app))
    assert demo_cli.main(["serve"]) == 0
    assert f"http://127.0.0.1:5100/{SLUG}/oai" in capsys.readouterr().out
    assert served["app"].test_client().get(f"/{SLUG}/oai?verb=Identify").status_code == 200
    assert demo_cli.main(["stats"]) == 0
    assert SLUG not in capsys.readouterr().out


def test_packages_command_writes_the_inbox_and_the_ca(tmp_path, capsys):
    assert demo_cli.main(["packages", "--out", str(tmp_path / "inbox"), "--ca-out", str(tmp_path / "ca.pem")]) == 0
    assert sorted(p.name for p in (tmp_path / "inbox").iterdir()) == [
        "SIP_hoso-SNV.2019.07.zip", "SIP_hoso-SNV.2024.01", "SIP_hoso-SNV.2024.02-hong", "SIP_tailieu-STC.2023.zip",
        "bag-ubnd-2024-anh"]
    assert (tmp_path / "ca.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
