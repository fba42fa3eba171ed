"""The audit log's table on every database: migrations from empty, the hash chain, tamper
evidence (`flask audit verify`), append-only triggers, concurrent writers, archiving."""
from __future__ import annotations

import json
import os
import threading
import time

import pytest
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

from portal.audit.log import AuditUnavailable, record_event
from tests.audit_support import (as_attacker, audit_rows, make_audit_table_read_only, portal_on,
                                 run_writer_processes, write_rows)

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _verify(app, *args):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def test_every_migration_head_applies_from_empty(tmp_path_factory, database_url):
    app = portal_on(tmp_path_factory, database_url)
    config = AlembicConfig(os.path.join(PROJECT_DIR, "alembic.ini"))
    config.set_main_option("script_location", os.path.join(PROJECT_DIR, "migrations"))
    script = ScriptDirectory.from_config(config)
    heads = set(script.get_heads())
    engine = create_engine(database_url)
    with engine.connect() as connection:
        applied = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    assert applied == heads
    assert "0003" in {revision.revision for revision in script.iterate_revisions(tuple(heads), "base")}
    assert {"sources", "harvest_runs", "users", "audit_log", "audit_checkpoints"} <= tables


def test_rows_form_an_unbroken_chain_that_verifies(tmp_path_factory, database_url):
    app = portal_on(tmp_path_factory, database_url)
    write_rows(app, 5, target_id="vinhlong:VL.UBND/ML01/HS002", target_province="86")
    rows = audit_rows(app)
    assert [row.id for row in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == "0" * 64
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(rows, rows[1:]))
    # An anonymous visitor's address is kept as its keyed hash (portal/personal_data/addresses.py).
    assert rows[0].ip.startswith("hmac:") and "203.0.113.7" not in rows[0].ip and rows[0].actor == "anonymous"
    assert json.loads(rows[2].details) == {"n": 2, "q": "quyết định"}
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert "5 rows, chain intact" in result.output


def test_changed_details_are_named_by_verify(tmp_path_factory, database_url):
    app = portal_on(tmp_path_factory, database_url)
    write_rows(app, 6)
    as_attacker(database_url, """UPDATE audit_log SET details = '{"n":3,"q":"nothing to see"}' WHERE id = 4""")
    result = _verify(app)
    assert result.exit_code == 1
    assert "row 4: content does not match its hash" in result.output


def test_deleted_row_is_named_as_a_gap_by_verify(tmp_path_factory, database_url):
    app = portal_on(tmp_path_factory, database_url)
    write_rows(app, 6)
    as_attacker(database_url, "DELETE FROM audit_log WHERE id = 3")
    result = _verify(app)
    assert result.exit_code == 1
    assert "row 4: gap before this row: row(s) 3 are missing" in result.output


def test_rewritten_hash_breaks_the_link_to_the_next_row(tmp_path_factory, database_url):
    app = portal_on(tmp_path_factory, database_url)
    write_rows(app, 4)
    as_attacker(database_url, f"UPDATE audit_log SET hash = '{'f' * 64}' WHERE id = 2")
    result = _verify(app)
    assert result.exit_code == 1
    assert "row 2:" in result.output


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET outcome = 'denied' WHERE id = 1",
                                       "DELETE FROM audit_log WHERE id = 1",
                                       "DELETE FROM audit_log"])
def test_database_refuses_update_and_delete(tmp_path_factory, database_url, statement):
    app = portal_on(tmp_path_factory, database_url)
    write_rows(app, 2)
    engine = create_engine(database_url)
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as connection:
            connection.exec_driver_sql(statement)
    engine.dispose()
    assert len(audit_rows(app)) == 2
    assert _verify(app).exit_code == 0


def test_unwritable_audit_table_raises_audit_unavailable(tmp_path_factory, database_url):
    app = portal_on(tmp_path_factory, database_url)
    make_audit_table_read_only(database_url)
    with app.test_request_context("/"):
        with pytest.raises(AuditUnavailable):
            record_event("search.query")
    assert audit_rows(app) == []


def test_many_threads_writing_leave_an_unbroken_chain(tmp_path_factory, database_url):
    app = portal_on(tmp_path_factory, database_url)
    threads, per_thread, errors = 8, 25, []

    def writer(number: int) -> None:
        try:
            with app.test_request_context("/", environ_base={"REMOTE_ADDR": f"198.51.100.{number}"}):
                for row in range(per_thread):
                    record_event("record.view", target_id=f"t{number}:{row}", details={"thread": number})
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    started = time.monotonic()
    workers = [threading.Thread(target=writer, args=(number,)) for number in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    assert errors == []
    rows = audit_rows(app)
    assert [row.id for row in rows] == list(range(1, threads * per_thread + 1))
    assert _verify(app).exit_code == 0
    print(f"\n{database_url.split(':')[0]}: {len(rows)} rows from {threads} threads in {elapsed:.2f} s "
          f"({len(rows) / elapsed:.0f} rows/s)")


def _process_writer(database_url: str, count: int, ready, go) -> None:
    from app import create_app

    app = create_app({"DATABASE_URL": database_url, "TESTING": True})
    ready.set()
    go.wait(30)
    with app.test_request_context("/"):
        for number in range(count):
            record_event("search.query", details={"pid": os.getpid(), "n": number})


def test_several_processes_writing_leave_an_unbroken_chain(tmp_path_factory, database_url):
    app = portal_on(tmp_path_factory, database_url)
    count = 40
    elapsed = run_writer_processes(_process_writer, database_url, count)
    rows = audit_rows(app)
    assert len(rows) == 3 * count
    assert len({json.loads(row.details)["pid"] for row in rows}) == 3
    assert _verify(app).exit_code == 0
    print(f"\n{database_url.split(':')[0]}: {len(rows)} rows from 3 processes in {elapsed:.2f} s")


def test_archive_moves_rows_to_a_file_and_the_chain_stays_verifiable(tmp_path_factory, tmp_path, database_url):
    app = portal_on(tmp_path_factory, database_url)
    write_rows(app, 7)
    archive = tmp_path / "audit-2026.jsonl"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "archive", "--before", "2999-01-01", "--to", str(archive)])
    assert result.exit_code == 0, result.output
    assert "archived rows 1–7 (7)" in result.output
    rows = audit_rows(app)
    assert [row.action for row in rows] == ["audit.archive"]  # the archive step is itself a row
    details = json.loads(rows[0].details)
    assert details["rows"] == 7 and details["through_id"] == 7 and rows[0].id == 8
    write_rows(app, 2)
    result = _verify(app, "--archive", str(archive))
    assert result.exit_code == 0, result.output
    assert "archive" in result.output and "7 rows, chain intact" in result.output
    assert "3 rows, chain intact (rows 8–10)" in result.output
    # Rows not covered by a checkpoint still cannot be deleted.
    engine = create_engine(database_url)
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM audit_log WHERE id = 9")
    engine.dispose()
    # A changed archive file no longer verifies.
    archive.write_text(archive.read_text(encoding="utf-8").replace('"n":3', '"n":33'), encoding="utf-8")
    assert _verify(app, "--archive", str(archive)).exit_code == 1


def test_archive_refuses_to_overwrite_and_archives_nothing_when_nothing_is_old(tmp_path_factory, tmp_path,
                                                                               database_url):
    app = portal_on(tmp_path_factory, database_url)
    write_rows(app, 3)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "archive", "--before", "2000-01-01", "--to", str(tmp_path / "a.jsonl")])
    assert result.exit_code == 0 and "nothing archived" in result.output
    assert [row.action for row in audit_rows(app)][-1] == "audit.archive"  # the attempt is recorded
    (tmp_path / "b.jsonl").write_text("keep me")
    result = runner.invoke(args=["audit", "archive", "--before", "2999-01-01", "--to", str(tmp_path / "b.jsonl")])
    assert result.exit_code != 0 and "never overwritten" in result.output
    assert len(audit_rows(app)) == 4 and (tmp_path / "b.jsonl").read_text() == "keep me"


def test_verify_walks_the_table_in_batches(tmp_path_factory, database_url, monkeypatch):
    from portal.audit import cli as audit_cli

    monkeypatch.setattr(audit_cli, "VERIFY_BATCH", 3)
    app = portal_on(tmp_path_factory, database_url)
    write_rows(app, 7)
    result = _verify(app)
    assert result.exit_code == 0 and "7 rows, chain intact (rows 1–7)" in result.output
    as_attacker(database_url, "DELETE FROM audit_log WHERE id = 4")  # the first row of the second batch
    assert "row 5: gap before this row: row(s) 4 are missing" in _verify(app).output
