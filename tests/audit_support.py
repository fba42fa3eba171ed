"""Helpers for the audit-log tests: portals on a given database, users signed in for real
(through /login), rows written and read back, and an attacker's way round the triggers."""
from __future__ import annotations

import itertools
from types import SimpleNamespace

from sqlalchemy import create_engine, func, select, text

from portal.audit.models import AuditEntry
from tests import accounts

_emails = itertools.count(1)


def portal_on(tmp_path_factory, database_url: str, **overrides):
    from tests.conftest import make_portal

    return make_portal(tmp_path_factory, database_url=database_url, **overrides)


def create_user(app, roles: str = "reader", province: str | None = None, verified: bool = True):
    """A local account (main's helper); returns its id and e-mail."""
    email = f"audit-user{next(_emails)}@example.invalid"
    return SimpleNamespace(id=accounts.create_user(app, email, roles, province, verified=verified), email=email)


def sign_in(client, user, password: str = accounts.TEST_PASSWORD):
    """Through the real form, CSRF token and all."""
    return accounts.sign_in(client, user.email, password)


def signed_in_client(app, roles: str, province: str | None = None):
    client = app.test_client()
    user = create_user(app, roles, province)
    response = sign_in(client, user)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client, user


def audit_rows(app, action: str | None = None) -> list[AuditEntry]:
    """The rows in insert order, chained first, as a running sequencer would have within a second."""
    from portal.audit.sequencer import chain_pending

    chain_pending(app.extensions["audit_engine"])
    session = app.extensions["db_sessionmaker"]()
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    rows = list(session.scalars(query).all())
    session.close()
    return rows


def count_by_action(app) -> dict[str, int]:
    session = app.extensions["db_sessionmaker"]()
    counts = dict(session.execute(select(AuditEntry.action, func.count()).group_by(AuditEntry.action)).all())
    session.close()
    return counts


def write_rows(app, count: int, chain: bool = True, **kwargs) -> None:
    """`count` rows as requests write them; then chained, as the sequencer would within a second."""
    from portal.audit.log import record_event
    from portal.audit.sequencer import chain_pending

    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "203.0.113.7"}):
        for number in range(count):
            record_event(kwargs.get("action", "search.query"), details={"n": number, "q": "quyết định"},
                         **{k: v for k, v in kwargs.items() if k != "action"})
    if chain:
        chain_pending(app.extensions["audit_engine"])


def as_attacker(database_url: str, *statements: str) -> None:
    """Run statements with the append-only triggers out of the way, as someone with the
    database's owner rights would; the triggers are put back afterwards."""
    engine = create_engine(database_url)
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            triggers = connection.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")).all()
            for name, _sql in triggers:
                connection.exec_driver_sql(f"DROP TRIGGER {name}")
            for statement in statements:
                connection.exec_driver_sql(statement)
            for _name, sql in triggers:
                connection.exec_driver_sql(sql)
        else:
            connection.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
            for statement in statements:
                connection.exec_driver_sql(statement)
            connection.exec_driver_sql("ALTER TABLE audit_log ENABLE TRIGGER USER")
    engine.dispose()


def make_audit_table_read_only(database_url: str) -> None:
    """Every INSERT into audit_log is refused from now on (a full disk, a revoked grant...)."""
    engine = create_engine(database_url)
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("CREATE TRIGGER audit_log_read_only BEFORE INSERT ON audit_log "
                                       "BEGIN SELECT RAISE(ABORT, 'audit_log is read-only'); END")
        else:
            connection.exec_driver_sql("REVOKE INSERT ON audit_log FROM CURRENT_USER")
    engine.dispose()


def run_writer_processes(target, database_url: str, count: int, processes: int = 3) -> float:
    """Spawn `processes` running target(database_url, count, ready, go), let them start together
    once all are ready, wait for each to exit cleanly; returns the seconds they took."""
    import multiprocessing
    import time

    context = multiprocessing.get_context("spawn")
    go, started = context.Event(), []
    for _ in range(processes):
        ready = context.Event()
        process = context.Process(target=target, args=(database_url, count, ready, go))
        process.start()
        started.append((process, ready))
    for _process, ready in started:
        assert ready.wait(60)
    began = time.monotonic()
    go.set()
    for process, _ready in started:
        process.join(120)
        assert process.exitcode == 0
    return time.monotonic() - began
