"""Shared by the harvest engine's integration tests: a portal pointed at a fault provider, and
what its index and database hold afterwards."""
from __future__ import annotations

from opensearchpy import helpers
from sqlalchemy import select

from portal import database
from portal.opensearch import build_client
from schema.index import alias_name
from schema.tables import HarvestObject, HarvestRun
from tests.conftest import make_portal

SOURCE = "faulty"
FAST_RETRIES = {"HARVEST_RETRIES": 3, "HARVEST_BACKOFF": 0.01, "HARVEST_RETRY_MAX_WAIT": 0.05}


def portal_for(tmp_path_factory, provider_url: str, prefix: str = "oai_dc", extra_args=(), **config):
    app = make_portal(tmp_path_factory, **{**FAST_RETRIES, **config})
    result = app.test_cli_runner().invoke(args=["sources", "add", "--id", SOURCE, "--province", "86",
                                                "--prefix", prefix, "--url", f"{provider_url}/oai", *extra_args])
    assert result.exit_code == 0, result.output
    return app


def harvested_inbox(tmp_path_factory, source_id: str, inbox, **config):
    """A portal of its own with this inbox as a package source of Vĩnh Long, harvested once: the portal, its
    runner and the harvest's result."""
    app = make_portal(tmp_path_factory, **config)
    runner = app.test_cli_runner()
    added = runner.invoke(args=["sources", "add", "--id", source_id, "--kind", "package", "--url", str(inbox),
                                "--province", "86"])
    assert added.exit_code == 0, added.output
    return app, runner, runner.invoke(args=["harvest", "--source", source_id])


def harvest(app, *args):
    return app.test_cli_runner().invoke(args=["harvest", "--source", SOURCE, *args])


def indexed(app, source_id: str = SOURCE) -> dict[str, dict]:
    """id → document of every record of the source readers can see."""
    client = build_client(app.config["OPENSEARCH_URL"])
    alias = alias_name(app.config["OPENSEARCH_INDEX_PREFIX"])
    if not client.indices.exists_alias(name=alias):
        return {}
    client.indices.refresh(index=alias)
    hits = helpers.scan(client, index=alias, query={"query": {"term": {"source_id": source_id}}})
    found: dict[str, dict] = {}
    for hit in hits:
        assert hit["_id"] not in found, f"{hit['_id']} is indexed twice"
        found[hit["_id"]] = hit["_source"]
    return found


def live_ids(records, source_id: str = SOURCE) -> set[str]:
    return {f"{source_id}:{r.local_id}" for r in records if not r.deleted}


def source_runs(app, source_id: str = SOURCE) -> list[HarvestRun]:
    """The source's runs, oldest first."""
    with app.app_context():
        db = database.get_db()
        runs = db.scalars(select(HarvestRun).where(HarvestRun.source_id == source_id).order_by(HarvestRun.id)).all()
        for run in runs:
            db.expunge(run)
        return runs


def last_run(app) -> HarvestRun:
    with app.app_context():
        db = database.get_db()
        run = db.scalars(select(HarvestRun).order_by(HarvestRun.id.desc()).limit(1)).one()
        db.expunge(run)
        return run


def objects_of(app, run_id: int) -> list[HarvestObject]:
    with app.app_context():
        db = database.get_db()
        rows = db.scalars(select(HarvestObject).where(HarvestObject.run_id == run_id)).all()
        for row in rows:
            db.expunge(row)
        return rows
