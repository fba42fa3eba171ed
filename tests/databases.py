"""The databases that database-touching tests run against.

`database_url` is parametrised: SQLite always; the PostgreSQL that `make test` starts is
added by the audit-log work (issue 8). A test that touches the database takes this fixture
(or `make_portal(..., database_url=...)`) so it runs on every database the portal supports.
"""
from __future__ import annotations

import pytest

DATABASE_KINDS = ["sqlite"]


@pytest.fixture(params=DATABASE_KINDS)
def database_url(request, tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal.db'}"
