"""ArchivesSpace's and AtoM's own finding aids (tests/fixtures/archivesspace-ead, atom-ead) served as oai_ead by
pyoai's OAI-PMH server and harvested through `flask harvest` into the real OpenSearch (issue 15): every unit a
record, in its place in the tree, titled and dated as the finding aid says, with no placeholder address."""
from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import ServerThread, drop_indices
from tests.integration.harvest_helpers import SOURCE, harvest, indexed, last_run, portal_for
from tests.pyoai_provider import PyoaiRecord, PyoaiRepository, PyoaiWsgiApp
from tests.unit.test_ead_interop import FIGURES, finding_aid

# ArchivesSpace's OAI provider names its resources so (the fixture is its GetRecord answer); the others are ours.
IDENTIFIERS = {relative: f"oai:{relative.split('-')[0]}.example.org:{relative.split('/')[1][:-4]}"
               for relative in FIGURES}
IDENTIFIERS["archivesspace-ead/getrecord_oai_ead.xml"] = "oai:archivesspace//repositories/160/resources/632"


@pytest.fixture(scope="module")
def harvested(tmp_path_factory):
    records = [PyoaiRecord(identifier, datetime(2024, 3, 1, 10, n), {"ead": [finding_aid(relative)]})
               for n, (relative, identifier) in enumerate(IDENTIFIERS.items())]
    provider = PyoaiWsgiApp(PyoaiRepository(records, metadata_prefix="oai_ead"), batch_size=3)
    with ServerThread(provider) as server:
        provider.repository.base_url = f"{server.url}/oai"
        app = portal_for(tmp_path_factory, server.url, prefix="auto")
        result = harvest(app)
        try:
            yield app, result, indexed(app)
        finally:
            drop_indices(app)


def _local(relative: str) -> str:
    identifier = IDENTIFIERS[relative]
    return identifier.split(":", 2)[2] if identifier.count(":") >= 2 else identifier


def test_every_unit_of_every_finding_aid_is_a_record(harvested):
    app, result, found = harvested
    assert result.exit_code == 0, result.output
    assert last_run(app).state == "done" and last_run(app).failed == 0
    for relative, (units, dated) in FIGURES.items():
        root = f"{SOURCE}:{_local(relative)}"
        documents = [d for key, d in found.items() if key == root or key.startswith(root + "/")]
        assert (len(documents), sum(1 for d in documents if d["date_start"])) == (units, dated), relative
    assert len(found) == sum(units for units, _ in FIGURES.values()) == 586


def test_titles_dates_and_tree_arrive_as_the_finding_aids_say(harvested):
    _, _, found = harvested
    voorhis = found[f"{SOURCE}:voorhis"]
    assert voorhis["title"] == "Records 1925-1965" and voorhis["year_start"] == 1925 and voorhis["year_end"] == 1965
    by_title = {d["title"]: d for d in found.values()}
    bernard = by_title["Bernard, L- L.,"]  # "1929-"
    assert (bernard["date_start"], bernard["date_end"]) == ("1929-01-01", "1929-12-31")
    assert bernard["path"][0] == voorhis["id"] and bernard["parent_id"] == bernard["path"][-1]
    assert found[bernard["parent_id"]]["level"] == "series"
    # "Nov. 29, 1949 -April 8, 1950" in NYU's WNYU records
    first_folder = [d for d in found.values() if (d["date_start"], d["date_end"]) == ("1949-11-29", "1950-04-08")]
    assert [d["title"] for d in first_folder] == ["Correspondence, minutes, legal documents, memoranda"]
    assert first_folder[0]["path"][0] == f"{SOURCE}:wnyu"


def test_no_placeholder_or_localhost_is_taken_for_the_catalogues_address(harvested):
    _, _, found = harvested
    aspace = found[f"{SOURCE}:oai:archivesspace//repositories/160/resources/632"]  # eadid url="EAD Location"
    assert aspace["title"] == "Test resource 0" and aspace["source_url"] is None
    atom = found[f"{SOURCE}:acl_import_1"]  # eadid url="http://localhost/~evelyn/qubit/…"
    assert atom["title"] == "Simpson fonds" and atom["source_url"] is None
    assert not [d["id"] for d in found.values() if d["source_url"]]
