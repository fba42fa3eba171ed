"""Backups (issue 17), as the README's procedure runs them: the records index snapshotted on the three-node
cluster (`flask index snapshot`) and restored into another, empty cluster (the single node, which holds no
index of this portal), the database backed up (`flask db backup`: pg_dump, SQLite's backup API) and restored
into an empty database. The restored portal gives the same search answers to the same people, keeps its
sources' access policy, and its audit chain verifies. SQLite and PostgreSQL."""
from __future__ import annotations

import os
import shutil
import uuid

import pytest

from demo.fault_provider import FaultProvider, FaultRecord, Faults, numbered_records
from portal import database
from schema.tables import Source
from tests.conftest import ServerThread, drop_indices, make_portal
from tests.databases import fresh_database, kind_of
from tests.integration.harvest_helpers import SOURCE, portal_for
from tests.opensearch_cluster import RUNTIME

SINGLE_NODE = os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9200")
CLOSED = [FaultRecord(f"MAT{n}", "2025-01-01T00:00:00Z", f"Hồ sơ mật số {n} về công tác lưu trữ", rights=("Mật",))
          for n in range(1, 6)]
QUERIES = [{"q": "lưu trữ"}, {"q": "Hồ sơ số 7"}, {"q": "cong tac luu tru", "sort": "date_desc"}, {"level": "file"}, {}]


@pytest.fixture()
def snapshots():
    location = RUNTIME / "opensearch-snapshots" / f"test-{uuid.uuid4().hex[:8]}"
    yield str(location)
    shutil.rmtree(location, ignore_errors=True)


@pytest.fixture()
def empty_database(database_url, tmp_path):
    """Another database of the same kind, empty, for the restore."""
    with fresh_database(kind_of(database_url), tmp_path) as url:
        yield url


def _answers(app, identity_client=None) -> list:
    client = identity_client or app.test_client()
    answers = []
    for query in QUERIES:
        response = client.get("/api/v1/search", query_string={**query, "size": 50})
        assert response.status_code == 200, response.text
        body = response.get_json()
        answers.append((body["total"], [hit["id"] for hit in body["hits"]]))
    return answers


def _cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_index_snapshot_and_database_backup_restore_into_empty_ones(tmp_path_factory, tmp_path, database_url,
                                                                     empty_database, snapshots, opensearch_cluster):
    provider = FaultProvider(numbered_records(120) + CLOSED, Faults(page_size=50))
    with ServerThread(provider) as server:
        original = portal_for(tmp_path_factory, server.url, database_url=database_url,
                              OPENSEARCH_URL=opensearch_cluster.url, OPENSEARCH_SNAPSHOT_PATH=snapshots)
        _cli(original, "harvest", "--source", SOURCE)
    _cli(original, "sources", "access", SOURCE, "--map", "Công khai=public", "--unstated", "restricted")
    before = _answers(original)
    assert before[0][0] == 120  # the closed records are not among them
    staff_before = _staff_answers(original)
    assert staff_before[0][0] == 125  # staff of the holding province see them

    assert "snapshot nightly:" in _cli(original, "index", "snapshot", "--name", "nightly")
    backup = tmp_path / "portal.backup"
    _cli(original, "db", "backup", str(backup))

    prefix = original.config["OPENSEARCH_INDEX_PREFIX"]
    restored = make_portal(tmp_path_factory, database_url=empty_database, OPENSEARCH_URL=SINGLE_NODE,
                           OPENSEARCH_INDEX_PREFIX=prefix, OPENSEARCH_SNAPSHOT_PATH=snapshots)
    try:
        assert _answers(restored) == [(0, [])] * len(QUERIES)  # nothing of this portal there yet
        _cli(restored, "db", "restore", str(backup))
        assert "snapshot nightly restored" in _cli(restored, "index", "restore", "nightly")

        assert _answers(restored) == before
        assert _staff_answers(restored) == staff_before
        with restored.app_context():
            source = database.get_db().get(Source, SOURCE)
            assert (source.unstated_access, [r["statement"] for r in source.access_rules]) == (
                "restricted", ["Công khai"])
        assert "chain intact" in _cli(restored, "audit", "verify")
        # A second restore over what is there is refused unless asked to replace it.
        again = restored.test_cli_runner().invoke(args=["index", "restore", "nightly"])
        assert again.exit_code == 1 and "exist already" in again.output
    finally:
        drop_indices(restored)
        drop_indices(original)


def _staff_answers(app) -> list:
    from tests.accounts import signed_in_client

    email = f"staff-{uuid.uuid4().hex[:6]}@example.vn"
    return _answers(app, signed_in_client(app, email, "staff", province="86"))
