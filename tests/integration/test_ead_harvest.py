"""EAD finding aids (oai_ead, as AtoM sends them) from the demo Lâm Đồng archive, into the real OpenSearch and
through the portal's API: fonds → series → file → item, each a record with its place in the tree."""
from __future__ import annotations

import inspect
from datetime import datetime, timezone

import pytest

import indexer.harvest
from demo.ead_archive import SLUG, build_ead_archive
from demo.oai_provider import create_provider_app
from indexer.files import fetch_file
from indexer.mapping.registry import MAPPERS
from indexer.sources.oai_pmh import OaiPmhClient, local_identifier
from indexer.text_extraction import TikaExtractor
from indexer.writer import RecordWriter
from portal.opensearch import build_client
from schema.file_links import FileLinkPolicy, guarded_session
from tests.conftest import ServerThread, drop_indices, make_portal

PROVINCE = "68"  # Lâm Đồng


@pytest.fixture(scope="module")
def ead_archive():
    return build_ead_archive()


@pytest.fixture(scope="module")
def ead_provider(ead_archive):
    with ServerThread(create_provider_app({SLUG: ead_archive})) as server:
        yield server


def harvest_ead(app, base_url: str) -> int:
    """The harvest's stages over oai_ead with the mapping registry: list, map each finding aid to its records,
    fetch their files, write. (The engine on branch `harvest` dispatches by prefix through the same registry.)"""
    client = build_client(app.config["OPENSEARCH_URL"])
    writer = RecordWriter(client, SLUG, app.config["OPENSEARCH_INDEX_PREFIX"])
    extractor = TikaExtractor(app.config["TIKA_SERVER_ENDPOINT"])
    http = guarded_session(FileLinkPolicy(base_url))
    documents = []
    for oai_record in OaiPmhClient(base_url, http, timeout=20).list_records("oai_ead", None, None):
        for mapped in MAPPERS["oai_ead"](oai_record.metadata, source_id=SLUG,
                                         local_id=local_identifier(oai_record.identifier),
                                         holding_province=PROVINCE):
            fetched = [fetch_file(http, url, extractor, 20) for url in mapped.file_urls]
            mapped.document.update(
                files=[f.entry for f in fetched], content="\n\n".join(f.text for f in fetched if f.text) or None,
                source_datestamp=oai_record.datestamp, harvested_at=datetime.now(timezone.utc).isoformat())
            documents.append(mapped.document)
    assert writer.write(documents, []) == []
    writer.refresh()
    return len(documents)


@pytest.fixture(scope="module")
def ead_app(tmp_path_factory, ead_provider):
    app = make_portal(tmp_path_factory)
    app.config["EAD_HARVESTED"] = harvest_ead(app, f"{ead_provider.url}/{SLUG}/oai")
    yield app
    drop_indices(app)


def test_every_unit_of_every_finding_aid_is_a_record(ead_app, ead_archive):
    assert ead_app.config["EAD_HARVESTED"] == len(ead_archive.records) == 38


def test_the_tree_is_searchable_by_province_and_level(ead_app):
    found = ead_app.test_client().get(f"/api/v1/search?province={PROVINCE}&size=5").get_json()
    assert found["total"] == 36  # two documents are Mật (closed): not even counted for a reader
    levels = {bucket["key"]: bucket["count"] for bucket in found["facets"]["level"]}
    assert levels == {"fonds": 2, "series": 4, "file": 8, "item": 22}


def test_an_item_record_shows_its_place_fields_and_file(ead_app, ead_archive):
    record = ead_app.test_client().get(f"/api/v1/records/{SLUG}:DNO.UBND/ML01/HS002/VB01").get_json()
    assert record["level"] == "item"
    assert record["parent_id"] == f"{SLUG}:DNO.UBND/ML01/HS002"
    assert record["path"] == [f"{SLUG}:DNO.UBND", f"{SLUG}:DNO.UBND/ML01", f"{SLUG}:DNO.UBND/ML01/HS002"]
    assert record["reference_code"] == "DNO.P01.ML01.HS002.VB01"
    assert record["origin_province_name"].endswith("Đắk Nông") and record["holding_province"] == PROVINCE
    assert record["doc_type"] == "Chỉ thị" and record["signer"] == "Nguyễn Văn Hùng"
    (entry,) = record["files"]
    assert entry["name"] == "VB01.pdf" and entry["text_extracted"] is True
    assert entry["signature"] == {"status": "none"}


def test_access_is_inherited_down_the_finding_aid(ead_app):
    client = ead_app.test_client()
    restricted_file = client.get(f"/api/v1/records/{SLUG}:LD.UBND/ML02/HS001").get_json()
    assert restricted_file["access"] == "restricted"
    document = client.get(f"/api/v1/records/{SLUG}:LD.UBND/ML02/HS001/VB01").get_json()
    assert document["access"] == "restricted" and "content" not in document
    assert client.get(f"/api/v1/records/{SLUG}:LD.UBND/ML02/HS001/VB03").status_code == 404


def test_the_fonds_keeps_its_history_extent_and_status(ead_app):
    fonds = ead_app.test_client().get(f"/api/v1/records/{SLUG}:DNO.UBND").get_json()
    assert fonds["level"] == "fonds" and fonds["fonds_status"] == "closed"
    assert fonds["admin_history"].startswith("Tỉnh Đắk Nông được thành lập")
    assert fonds["extent"] == "0,4 mét giá; 4 hồ sơ"
    assert (fonds["date_start"], fonds["date_end"]) == ("2004-01-01", "2025-12-31")


def test_full_text_of_an_ead_file_is_searchable(ead_app):
    found = ead_app.test_client().get("/api/v1/search?q=phát+triển+cây+cà+phê&province=68").get_json()
    assert f"{SLUG}:LD.UBND/ML01/HS001" in [hit["id"] for hit in found["hits"]]


_ENGINE_USES_REGISTRY = "registry" in inspect.getsource(indexer.harvest)


@pytest.mark.skipif(not _ENGINE_USES_REGISTRY, reason="the harvest engine of this branch reads oai_dc only; "
                                                      "the engine on branch `harvest` maps through the registry")
def test_flask_harvest_of_an_oai_ead_source(tmp_path_factory, ead_provider, ead_archive):
    app = make_portal(tmp_path_factory)
    try:
        runner = app.test_cli_runner()
        added = runner.invoke(args=["sources", "add", "--id", SLUG, "--province", PROVINCE, "--prefix", "oai_ead",
                                    "--url", f"{ead_provider.url}/{SLUG}/oai"])
        assert added.exit_code == 0, added.output
        result = runner.invoke(args=["harvest", "--source", SLUG])
        assert result.exit_code == 0, result.output
        assert f"added {len(ead_archive.records)}," in result.output
    finally:
        drop_indices(app)
