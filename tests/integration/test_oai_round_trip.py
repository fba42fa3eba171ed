"""The portal harvested as it harvests the provinces: its /oai, served over HTTP by a real server, read by
two OAI-PMH clients others use (sickle, pyoai) and by the portal's own harvester into a new source of another
portal, in oai_dc and in oai_ead: the same records, titles and hierarchy, and nothing closed."""
from __future__ import annotations

import types

import pytest
from lxml import etree

from portal.oai.setspecs import fonds_set
from tests.conftest import DEMO_SOURCES, ServerThread, drop_indices, make_portal
from tests.integration.harvest_helpers import indexed
from tests.integration.test_oai_provider import REPOSITORY
from tests.permission_truth import Person, demo_truth, may_see

ANONYMOUS = Person("anonymous")


@pytest.fixture(scope="module")
def served(harvested_app):
    harvested_app.config.update(RATELIMIT_OAI="100000 per minute", OAI_PAGE_SIZE=7)  # several pages a list
    with ServerThread(harvested_app) as server:
        yield f"{server.url}/oai"


@pytest.fixture(scope="module")
def fonds(demo_archives):
    """The smallest Vĩnh Long fonds holding public, restricted and closed records, and what it holds
    (id → truth record) for an anonymous reader, whose ancestors they may all see."""
    truth = {record.id: record for record in demo_truth(demo_archives, DEMO_SOURCES)}

    def held(fonds_id):
        return [r for r in truth.values() if fonds_id in r.path]

    candidates = [rid for rid, r in truth.items() if r.level == "fonds" and r.province == "86" and
                  {"public", "restricted", "closed"} <= {h.access for h in held(rid)}]
    chosen = min(candidates, key=lambda rid: len(held(rid)))
    visible = {rid: r for rid, r in truth.items() if (rid == chosen or chosen in r.path) and may_see(ANONYMOUS, r)
               and all(may_see(ANONYMOUS, truth[a]) for a in r.path)}
    return chosen, visible


def _local(identifier: str) -> str:
    prefix = f"oai:{REPOSITORY}:"
    assert identifier.startswith(prefix)
    return identifier[len(prefix):]


def _ancestors(relations: list[str]) -> list[str]:
    return [value[len("isPartOf:"):] for value in relations if value.startswith("isPartOf:")]


def test_sickle_reads_the_same_records_titles_and_hierarchy(served, fonds):
    from sickle import Sickle

    fonds_id, visible = fonds
    sickle = Sickle(served, max_retries=2)
    assert sickle.Identify().repositoryName
    records = list(sickle.ListRecords(metadataPrefix="oai_dc", set=fonds_set(fonds_id)))
    got = {_local(r.header.identifier): r for r in records}
    assert set(got) == set(visible)
    for record_id, record in got.items():
        assert not record.header.deleted
        assert record.metadata["title"] == [visible[record_id].title]
        assert _ancestors(record.metadata.get("relation", [])) == list(visible[record_id].path)
    assert {s.setSpec for s in sickle.ListSets()} >= {fonds_set(fonds_id), "province:86"}


class _Evaluator:
    """lxml's XPathEvaluator as pyoai 2.5.0 (the last release) calls it: lxml 5 dropped its `evaluate`."""

    def __init__(self, *args, **kwargs):
        self.evaluate = etree.XPathEvaluator(*args, **kwargs)


def test_pyoai_reads_the_same_records_titles_and_hierarchy(served, fonds, monkeypatch):
    import oaipmh.client
    import oaipmh.metadata
    from oaipmh.client import Client
    from oaipmh.metadata import MetadataRegistry, oai_dc_reader

    shimmed = types.SimpleNamespace(**{**vars(etree), "XPathEvaluator": _Evaluator})
    for module in (oaipmh.client, oaipmh.metadata):
        monkeypatch.setattr(module, "etree", shimmed)
    fonds_id, visible = fonds
    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    client = Client(served, registry)
    assert client.identify().deletedRecord() == "persistent"
    client.updateGranularity()
    got = {_local(header.identifier()): metadata
           for header, metadata, _ in client.listRecords(metadataPrefix="oai_dc", set=fonds_set(fonds_id))}
    assert set(got) == set(visible)
    for record_id, metadata in got.items():
        assert metadata.getField("title") == [visible[record_id].title]
        assert _ancestors(metadata.getField("relation")) == list(visible[record_id].path)
    assert [prefix for prefix, _, _ in client.listMetadataFormats(identifier=f"oai:{REPOSITORY}:{fonds_id}")] \
        == ["oai_dc", "oai_ead"]


@pytest.mark.parametrize("prefix", ["oai_dc", "oai_ead"])
def test_our_harvester_makes_a_new_source_of_the_portal_with_the_same_records(served, fonds, prefix,
                                                                              tmp_path_factory):
    fonds_id, visible = fonds
    copy = make_portal(tmp_path_factory)
    try:
        runner = copy.test_cli_runner()
        added = runner.invoke(args=["sources", "add", "--id", "portal", "--province", "86", "--url", served,
                                    "--prefix", prefix, "--set", fonds_set(fonds_id)])
        assert added.exit_code == 0, added.output
        result = runner.invoke(args=["harvest", "--source", "portal"])
        assert result.exit_code == 0, result.output
        assert "failed 0" in result.output, result.output
        got = {doc_id.split(":", 1)[1]: doc for doc_id, doc in indexed(copy, "portal").items()}
        assert set(got) == set(visible)
        for record_id, document in got.items():
            truth = visible[record_id]
            assert document["title"] == truth.title
            assert document["level"] == truth.level
            assert document["access"] == truth.access
            assert document["path"] == [f"portal:{ancestor}" for ancestor in truth.path]
            assert document["parent_id"] == (f"portal:{truth.path[-1]}" if truth.path else None)
            assert "MATKHAU" not in str(document)
    finally:
        drop_indices(copy)
