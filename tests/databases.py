"""The databases that database-touching tests run against.

`database_url` is parametrised: SQLite always, and PostgreSQL when `TEST_POSTGRES_URL` names
one (scripts/test.sh starts scripts/postgres.sh and sets it; `make test` does both). Each test
gets a fresh database, dropped afterwards. A test that touches the database takes this
fixture (or `make_portal(..., database_url=...)`) so it runs on every database the portal
supports.
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")
DATABASE_KINDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def fresh_postgres_database(base_url: str) -> tuple[str, callable]:
    """CREATE DATABASE with a unique name; returns its URL and a function that drops it."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return make_url(base_url).set(database=name).render_as_string(hide_password=False), drop


@contextmanager
def fresh_database(kind: str, directory: Path) -> Iterator[str]:
    """The URL of a new, empty database of this kind (sqlite: a file in `directory`), dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / f'portal-{uuid.uuid4().hex[:8]}.db'}"
        return
    url, drop = fresh_postgres_database(POSTGRES_URL)
    try:
        yield url
    finally:
        drop()


def kind_of(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


@pytest.fixture(params=DATABASE_KINDS)
def database_url(request, tmp_path_factory) -> str:
    with fresh_database(request.param, tmp_path_factory.mktemp("db")) as url:
        yield url


def alembic(database_url: str, action: str, revision: str) -> None:
    """`alembic upgrade|downgrade REVISION` on this database, with the project's migrations."""
    from pathlib import Path

    from alembic import command
    from alembic.config import Config

    project = Path(__file__).resolve().parents[1]
    config = Config(str(project / "alembic.ini"))
    config.set_main_option("script_location", str(project / "migrations"))
    config.attributes["database_url"] = database_url
    getattr(command, action)(config, revision)
