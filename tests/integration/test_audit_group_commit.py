"""Group commit of audit rows (portal/audit/group_commit.py): concurrent requests' rows committed in one
transaction by the process's writer thread, each request answered only once its own row is committed,
failing closed when it cannot be; then chained in commit order. On SQLite and PostgreSQL."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, text

from portal.audit.group_commit import GroupCommitWriter, _Pending
from portal.audit.log import record_event
from portal.audit.sequencer import chain_pending
from portal.audit.writer import AuditEvent
from tests.audit_support import audit_rows, make_audit_table_read_only, portal_on, write_rows

WAITING = 6


def _hold_the_table(database_url: str):
    """Another connection's transaction that keeps every INSERT into audit_log waiting until it ends."""
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    connection = engine.connect()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # SQLite's one writer
    else:
        connection.exec_driver_sql("BEGIN")
        connection.exec_driver_sql("LOCK TABLE audit_log IN EXCLUSIVE MODE")
    return engine, connection


def test_requests_are_answered_only_once_their_rows_are_committed_together(tmp_path_factory, database_url):
    app = portal_on(tmp_path_factory, database_url)
    writer = app.extensions["audit_writer"]
    batches, commit_batch = [], writer.commit_batch
    writer.commit_batch = lambda batch: (batches.append(len(batch)), commit_batch(batch))
    returned, errors = [], []

    def request(number: int) -> None:
        try:
            with app.test_request_context("/"):
                record_event("record.view", target_id=f"r{number}")
            returned.append(number)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    engine, holder = _hold_the_table(database_url)
    try:
        first = threading.Thread(target=request, args=(0,))
        first.start()
        while not batches:  # the writer has taken the first row and waits on the table
            time.sleep(0.01)
        rest = [threading.Thread(target=request, args=(number,)) for number in range(1, WAITING + 1)]
        for thread in rest:
            thread.start()
        time.sleep(1)
        assert returned == [] and errors == []  # nobody answered while their rows could not commit
    finally:
        holder.exec_driver_sql("ROLLBACK")
        holder.close()
        engine.dispose()
    for thread in [first, *rest]:
        thread.join(30)

    assert errors == [] and sorted(returned) == list(range(WAITING + 1))
    assert batches == [1, WAITING]  # the rows that waited meanwhile: one transaction
    assert chain_pending(app.extensions["audit_engine"]) == WAITING + 1
    assert sorted(row.target_id for row in audit_rows(app)) == sorted(f"r{number}" for number in range(WAITING + 1))
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--no-chain"])
    assert result.exit_code == 0 and f"{WAITING + 1} rows, chain intact" in result.output


def test_each_request_finds_its_row_committed_when_it_goes_on(tmp_path_factory, database_url):
    app = portal_on(tmp_path_factory, database_url)
    reader = create_engine(database_url)
    missing, errors = [], []

    def request(number: int) -> None:
        try:
            for row in range(15):
                with app.test_request_context("/"):
                    record_event("record.view", target_id=f"t{number}:{row}")
                with reader.connect() as connection:  # another connection sees only what is committed
                    if connection.execute(text("SELECT COUNT(*) FROM audit_log WHERE target_id = :target"),
                                          {"target": f"t{number}:{row}"}).scalar() != 1:
                        missing.append((number, row))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=request, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reader.dispose()
    assert errors == [] and missing == []
    assert len(audit_rows(app)) == 8 * 15


def test_a_search_whose_row_cannot_be_committed_is_refused(tmp_path_factory, database_url):
    app = portal_on(tmp_path_factory, database_url)
    make_audit_table_read_only(database_url)

    answer = app.test_client().get("/api/v1/search", query_string={"q": "quyết định"})

    assert answer.status_code == 503 and answer.get_json()["error"]["code"] == "audit_unavailable"
    assert "hits" not in answer.get_json()
    assert audit_rows(app) == []


def test_a_row_the_database_refuses_fails_its_own_request_only(tmp_path_factory, database_url):
    app = portal_on(tmp_path_factory, database_url)
    writer = GroupCommitWriter(app.extensions["audit_engine"])
    batch = [_Pending(AuditEvent(action="record.view", actor="anonymous", target_id="before")),
             _Pending(AuditEvent(action=None, actor="anonymous", target_id="refused")),  # action is NOT NULL
             _Pending(AuditEvent(action="record.view", actor="anonymous", target_id="after"))]

    writer.commit_batch(batch)

    assert all(pending.committed.is_set() for pending in batch)
    assert [pending.error is None for pending in batch] == [True, False, True]
    assert sorted(row.target_id for row in audit_rows(app)) == ["after", "before"]


def test_a_row_not_committed_in_time_refuses_the_request(tmp_path_factory, database_url):
    app = portal_on(tmp_path_factory, database_url)
    app.extensions["audit_writer"].wait_seconds = 0.5
    engine, holder = _hold_the_table(database_url)
    try:
        with app.test_request_context("/"):
            answer = app.test_client().get("/api/v1/search", query_string={"q": "huế"})
        assert answer.status_code == 503
    finally:
        holder.exec_driver_sql("ROLLBACK")
        holder.close()
        engine.dispose()


def test_a_connection_the_database_dropped_costs_no_row(tmp_path_factory, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to drop a connection")
    app = portal_on(tmp_path_factory, database_url)
    write_rows(app, 1, chain=False)  # the audit engine's pool now holds an open connection
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:  # as a restart of PostgreSQL or an idle timeout would
        dropped = connection.exec_driver_sql(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()").scalar()
    admin.dispose()
    assert dropped >= 1

    with app.test_request_context("/"):
        record_event("record.view", target_id="after the drop")  # no AuditUnavailable: written on a new connection

    assert [row.target_id for row in audit_rows(app)][-1] == "after the drop"
    assert len(audit_rows(app)) == 2
