"""The harvester's per-page lookup of what the index holds reads an index, not all of a source's rows:
without ix_harvested_records_identifier (migration 0007) a run over a large source slows down page by
page, each page reading every row the source has. On SQLite and PostgreSQL, after the migrations."""
from __future__ import annotations

from sqlalchemy import create_engine, insert, text

from indexer.harvest import known_records_query
from portal import database
from schema.tables import HarvestedRecord, Source
from tests.conftest import make_portal
from tests.databases import POSTGRES_URL, fresh_postgres_database

ROWS = 20_000  # enough that reading the source whole costs more than 100 lookups, as it does in life


def _plan(engine, statement) -> str:
    sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE harvested_records"))
            connection.execute(text("SET enable_seqscan = off"))  # tiny tables: the planner would read them whole
            rows = connection.execute(text(f"EXPLAIN {sql}")).all()
            return "\n".join(row[0] for row in rows)
        return "\n".join(row[-1] for row in connection.execute(text(f"EXPLAIN QUERY PLAN {sql}")))


def test_a_pages_records_are_found_through_the_identifier_index(tmp_path_factory, database_url):
    app = make_portal(tmp_path_factory, database_url=database_url)
    with app.app_context():
        db = database.get_db()
        db.add(Source(id="big", holding_province="86", url="http://127.0.0.1:9/oai", kind="oai-pmh",
                      metadata_prefix="oai_dc", enabled=True, name=""))
        db.commit()
        db.execute(insert(HarvestedRecord.__table__), [
            {"source_id": "big", "record_id": f"big:HS{n:05d}", "identifier": f"oai:big:HS{n:05d}",
             "content_hash": "0" * 64, "needs_extraction": False} for n in range(ROWS)])
        db.commit()
        page = [f"oai:big:HS{n:05d}" for n in range(1_000, 1_100)]
        assert len(db.scalars(known_records_query("big", page)).all()) == 100

    engine = create_engine(database_url)
    try:
        plan = _plan(engine, known_records_query("big", page))
    finally:
        engine.dispose()
    assert "ix_harvested_records_identifier" in plan, plan


def test_migration_0007_adds_and_removes_the_index(tmp_path_factory, database_url):
    import os

    from alembic import command
    from alembic.config import Config as AlembicConfig
    from sqlalchemy import inspect

    make_portal(tmp_path_factory, database_url=database_url)
    project = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    config = AlembicConfig(os.path.join(project, "alembic.ini"))
    config.set_main_option("script_location", os.path.join(project, "migrations"))
    config.attributes["database_url"] = database_url
    engine = create_engine(database_url)

    def indexes() -> set[str]:
        with engine.connect() as connection:
            return {index["name"] for index in inspect(connection).get_indexes("harvested_records")}

    try:
        assert "ix_harvested_records_identifier" in indexes()
        command.downgrade(config, "0006")
        assert "ix_harvested_records_identifier" not in indexes()
        assert "ix_harvested_records_pending" in indexes()
        command.upgrade(config, "heads")
        assert "ix_harvested_records_identifier" in indexes()
    finally:
        engine.dispose()


def test_postgresql_plans_each_lookup_for_its_values_not_once_for_all(tmp_path_factory):
    """psycopg prepares a statement run five times, and PostgreSQL may then keep one generic plan for it;
    the portal's connections prepare nothing, so each page's lookup is planned for its own identifiers."""
    assert POSTGRES_URL, "make test starts PostgreSQL and names it in TEST_POSTGRES_URL"
    url, drop = fresh_postgres_database(POSTGRES_URL)
    try:
        app = make_portal(tmp_path_factory, database_url=url)
        with app.app_context():
            db = database.get_db()
            for page in range(8):
                db.scalars(known_records_query("big", [f"oai:big:HS{page:05d}{n}" for n in range(100)])).all()
            assert db.scalar(text("SELECT count(*) FROM pg_prepared_statements")) == 0
        app.extensions["db_engine"].dispose()
    finally:
        drop()
