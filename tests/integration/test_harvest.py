"""Harvesting the demo archives over OAI-PMH into the real OpenSearch, text through real Tika."""
from __future__ import annotations

import hashlib

from demo.files import render_file
from portal.opensearch import build_client
from schema.index import alias_name
from schema.record import record_id
from tests.conftest import add_demo_sources, drop_indices, make_portal


def _index_count(app, source_id=None) -> int:
    client = build_client(app.config["OPENSEARCH_URL"])
    query = {"term": {"source_id": source_id}} if source_id else {"match_all": {}}
    return client.count(index=alias_name(app.config["OPENSEARCH_INDEX_PREFIX"]), body={"query": query})["count"]


def _get(app, doc_id) -> dict | None:
    client = build_client(app.config["OPENSEARCH_URL"])
    found = client.search(index=alias_name(app.config["OPENSEARCH_INDEX_PREFIX"]),
                          body={"query": {"ids": {"values": [doc_id]}}})["hits"]["hits"]
    return found[0]["_source"] if found else None


def test_every_live_demo_record_is_indexed_once_and_deleted_ones_are_not(harvested_app, demo_archives):
    for slug, archive in demo_archives.items():
        live = [r for r in archive.records if not r.deleted]
        assert _index_count(harvested_app, slug) == len(live)
    deleted = next(r for r in demo_archives["vinhlong"].records if r.deleted)
    assert _get(harvested_app, record_id("vinhlong", deleted.local_id)) is None
    assert "failed 0" in harvested_app.config["HARVEST_OUTPUT"]


def test_records_keep_hierarchy_province_and_dates(harvested_app, demo_archives):
    item = next(r for r in demo_archives["vinhlong"].records
                if r.level == "item" and not r.deleted and "Bến Tre" in r.origin_province_name)
    doc = _get(harvested_app, record_id("vinhlong", item.local_id))
    assert doc["level"] == "item"
    assert doc["holding_province"] == "86"
    assert doc["origin_province"] == "83" and doc["origin_province_current"] == "86"
    assert doc["parent_id"] == record_id("vinhlong", item.ancestors[-1])
    assert doc["path"] == [record_id("vinhlong", a) for a in item.ancestors]
    assert doc["title"] == item.title and doc["reference_code"] == item.reference_code
    assert doc["date_start"] == item.date_start and doc["access"] == item.access
    assert doc["doc_type"] == item.doc_type and doc["doc_number"] == item.doc_number


def test_files_are_checksummed_and_their_text_extracted_by_tika(harvested_app, demo_archives):
    for demo_file_kind in ("application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"):
        item = next(r for r in demo_archives["hue"].records if not r.deleted and r.files
                    and r.files[0].media_type == demo_file_kind)
        doc = _get(harvested_app, record_id("hue", item.local_id))
        entry = doc["files"][0]
        assert entry["name"] == item.files[0].name
        assert entry["sha256"] == hashlib.sha256(render_file(item, item.files[0])).hexdigest()
        assert entry["text_extracted"] is True
        # A sentence of the file's own text, found in the extracted content.
        assert item.files[0].content_text.split(".")[0].strip()[:40] in doc["content"]


def test_harvesting_again_changes_nothing_and_doubles_nothing(tmp_path_factory, demo_provider, demo_archives):
    app = make_portal(tmp_path_factory)
    try:
        add_demo_sources(app, demo_provider.url, only={"cantho": "92"})
        runner = app.test_cli_runner()
        first = runner.invoke(args=["harvest", "--source", "cantho"])
        assert first.exit_code == 0, first.output
        live = len([r for r in demo_archives["cantho"].records if not r.deleted])
        assert f"added {live}," in first.output
        full = runner.invoke(args=["harvest", "--source", "cantho", "--full"])
        assert full.exit_code == 0, full.output
        assert "added 0, updated 0, deleted 0, failed 0" in full.output and f"unchanged {live};" in full.output
        assert _index_count(app, "cantho") == live
    finally:
        drop_indices(app)


def test_an_unreachable_source_ends_the_harvest_with_an_error_exit(tmp_path_factory):
    app = make_portal(tmp_path_factory)
    try:
        runner = app.test_cli_runner()
        runner.invoke(args=["sources", "add", "--id", "gone", "--province", "86",
                            "--url", "http://127.0.0.1:9/oai"])
        result = runner.invoke(args=["harvest", "--source", "gone"])
        assert result.exit_code == 1
        assert "did not answer" in result.output
    finally:
        drop_indices(app)


def test_an_unreachable_opensearch_ends_the_harvest_with_an_error_exit(tmp_path_factory, demo_provider):
    app = make_portal(tmp_path_factory, OPENSEARCH_URL="http://127.0.0.1:9")
    add_demo_sources(app, demo_provider.url, only={"hue": "46"})
    result = app.test_cli_runner().invoke(args=["harvest", "--source", "hue"])
    assert result.exit_code == 1
    assert "OpenSearch" in result.output


def test_when_tika_is_down_records_are_indexed_without_text(tmp_path_factory, demo_provider):
    app = make_portal(tmp_path_factory, TIKA_SERVER_ENDPOINT="http://127.0.0.1:9")
    try:
        add_demo_sources(app, demo_provider.url, only={"hue": "46"})
        runner = app.test_cli_runner()
        runner.invoke(args=["sources", "add", "--id", "hue", "--province", "46", "--set", "P01",
                            "--url", f"{demo_provider.url}/hue/oai"])
        result = runner.invoke(args=["harvest", "--source", "hue"])
        assert result.exit_code == 0, result.output
        assert "Tika is not reachable" in result.output
        client = build_client(app.config["OPENSEARCH_URL"])
        with_files = client.search(index=alias_name(app.config["OPENSEARCH_INDEX_PREFIX"]), body={
            "query": {"exists": {"field": "files.name"}}, "size": 5})["hits"]["hits"]
        assert with_files, "the set harvested should hold items with files"
        for hit in with_files:
            assert not hit["_source"].get("content")
            assert all(f["text_extracted"] is False for f in hit["_source"]["files"])
    finally:
        drop_indices(app)
