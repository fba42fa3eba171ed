"""Packages of other producers through a package source's intake into the real OpenSearch (issue 15):
commons-ip's Full-EARK-SIP and a selection of the E-ARK IP test corpus dropped into an inbox and taken in by
`flask harvest`, each accepted or refused as tests/unit/test_eark_corpus.py says, the refusals' reports saying
why."""
from __future__ import annotations

import json
import re
import shutil

import pytest

from portal.opensearch import build_client
from schema.index import alias_name
from tests.conftest import drop_indices
from tests.integration.harvest_helpers import harvested_inbox
from tests.unit.test_eark_corpus import CORPUS, FIXTURES, INVALID, mend_corpus_faults

SOURCE = "eark"
SHOULD_MAY = "CSIP/CSIP34/valid/valid_IP_with_SHOULD_MAY_1_rep"
MENDED = "valid_IP_with_SHOULD_MAY_1_rep-mended"
REFUSED = ["CSIP/CSIP71/invalid/file_wrong_CHECKSUM_value", "CSIP/CSIPSTR4/invalid/IP_18000_CSIPSTR4_1"]


@pytest.fixture(scope="module")
def intake(tmp_path_factory):
    inbox = tmp_path_factory.mktemp("eark") / "inbox"
    inbox.mkdir()
    shutil.copytree(FIXTURES / "commons-ip" / "Full-EARK-SIP", inbox / "Full-EARK-SIP")
    shutil.copytree(CORPUS / SHOULD_MAY, inbox / "valid_IP_with_SHOULD_MAY_1_rep")  # as published
    mend_corpus_faults(shutil.copytree(CORPUS / SHOULD_MAY, inbox / MENDED))
    for relative in REFUSED:
        shutil.copytree(CORPUS / relative, inbox / relative.rsplit("/", 1)[1])
    app, _, result = harvested_inbox(tmp_path_factory, SOURCE, inbox)
    yield app, inbox, result
    drop_indices(app)


def _indexed(app) -> list[dict]:
    client = build_client(app.config["OPENSEARCH_URL"])
    alias = alias_name(app.config["OPENSEARCH_INDEX_PREFIX"])
    client.indices.refresh(index=alias)
    hits = client.search(index=alias, body={"size": 1000, "query": {"term": {"source_id": SOURCE}}})
    return [hit["_source"] for hit in hits["hits"]["hits"]]


def _report(inbox, outcome: str, name: str) -> dict:
    return json.loads((inbox / outcome / f"{name}.report.json").read_text(encoding="utf-8"))


def test_the_valid_packages_are_taken_in_and_the_others_refused(intake):
    app, inbox, result = intake
    assert result.exit_code == 0, result.output
    # Full-EARK-SIP's one record and CSIP34's 112 units, each once though the package describes them twice
    assert "added 113, updated 0, deleted 0, failed 3" in result.output
    assert "unchanged 0" in result.output
    records = _indexed(app)
    assert len(records) == 113
    assert [r["title"] for r in records if r["local_id"] == "Full-EARK-SIP"] == ["Example"]
    assert sum(1 for r in records if r["title"] == "Moori kolhoos") >= 1
    assert sorted(e.name for e in (inbox / "done").iterdir() if e.is_dir()) == ["Full-EARK-SIP", MENDED]


def test_the_corpus_as_published_is_refused_for_its_own_faults_named_as_such(intake):
    _, inbox, _ = intake
    report = _report(inbox, "rejected", "valid_IP_with_SHOULD_MAY_1_rep")
    assert report["outcome"] == "rejected" and report["problems"]
    assert all("with CRLF line endings" in p["problem"] for p in report["problems"]), report["problems"]


@pytest.mark.parametrize("relative", REFUSED)
def test_an_invalid_package_is_refused_for_what_the_corpus_says(intake, relative):
    _, inbox, _ = intake
    name = relative.rsplit("/", 1)[1]
    file, reason = INVALID[relative]
    problems = {p["file"]: p["problem"] for p in _report(inbox, "rejected", name)["problems"]}
    assert file in problems and re.search(reason, problems[file]), problems
