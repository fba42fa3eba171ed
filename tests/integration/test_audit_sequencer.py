"""Rows written unchained by concurrent requests and chained by the sequencer (issue 17), and
the chain's head signed outside the database: on SQLite and PostgreSQL."""
from __future__ import annotations

import os
import stat
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text

from portal.audit.archive import select_rows
from portal.audit.chain import row_hash
from portal.audit.log import record_event
from portal.audit.sequencer import chain_pending
from portal.audit.writer import AuditEvent, insert_unchained
from tests.audit_support import as_attacker, audit_rows, portal_on, run_writer_processes, write_rows


def _verify(app, *args):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def _links(database_url: str) -> list[tuple]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, seq, prev_hash, hash FROM audit_log ORDER BY id")).all()
    engine.dispose()
    return rows


def test_a_request_writes_its_row_unchained_and_the_sequencer_chains_it(tmp_path_factory, database_url):
    app = portal_on(tmp_path_factory, database_url)
    write_rows(app, 3, chain=False)
    assert [(seq, prev, digest) for _id, seq, prev, digest in _links(database_url)] == [(None, None, None)] * 3
    assert chain_pending(app.extensions["audit_engine"]) == 3
    assert chain_pending(app.extensions["audit_engine"]) == 0  # each row chained once
    links = _links(database_url)
    assert [seq for _id, seq, _prev, _hash in links] == [1, 2, 3] and links[0][2] == "0" * 64
    result = _verify(app, "--no-chain")
    assert result.exit_code == 0 and "3 rows, chain intact (rows 1–3)" in result.output


def test_concurrent_writers_and_two_sequencers_chain_every_row_exactly_once(tmp_path_factory, database_url):
    app = portal_on(tmp_path_factory, database_url)
    engine = app.extensions["audit_engine"]
    writers, per_writer, errors, writing = 8, 40, [], threading.Event()

    def write(number: int) -> None:
        try:
            with app.test_request_context("/", environ_base={"REMOTE_ADDR": f"198.51.100.{number}"}):
                for row in range(per_writer):
                    record_event("record.view", target_id=f"t{number}:{row}")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def sequence() -> None:  # two of these at once: the lock makes them take turns
        try:
            while writing.is_set():
                chain_pending(engine)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    writing.set()
    sequencers = [threading.Thread(target=sequence) for _ in range(2)]
    threads = [threading.Thread(target=write, args=(number,)) for number in range(writers)]
    for thread in sequencers + threads:
        thread.start()
    for thread in threads:
        thread.join()
    writing.clear()
    for thread in sequencers:
        thread.join()
    chain_pending(engine)
    assert errors == []
    links = _links(database_url)
    assert len(links) == writers * per_writer
    assert sorted(seq for _id, seq, _prev, _hash in links) == list(range(1, writers * per_writer + 1))
    result = _verify(app, "--no-chain")
    assert result.exit_code == 0 and f"{writers * per_writer} rows, chain intact" in result.output


def test_a_row_committed_after_later_rows_is_chained_not_skipped(tmp_path_factory, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has one writer: its rows commit in id order")
    app = portal_on(tmp_path_factory, database_url)
    engine = create_engine(database_url)
    slow = engine.connect()
    slow_transaction = slow.begin()
    insert_unchained(slow, AuditEvent(action="search.query", actor="slow"))  # takes the lower id, commits last
    write_rows(app, 2, chain=False)
    assert chain_pending(app.extensions["audit_engine"]) == 2
    slow_transaction.commit()
    slow.close()
    engine.dispose()
    assert chain_pending(app.extensions["audit_engine"]) == 1
    links = _links(database_url)
    assert links[0][1] == 3  # lowest id, chained last
    assert _verify(app, "--no-chain").exit_code == 0


def test_a_row_unchained_for_more_than_a_minute_is_an_alarm(tmp_path_factory, database_url):
    app = portal_on(tmp_path_factory, database_url)
    write_rows(app, 2)
    engine = app.extensions["audit_engine"]
    with engine.connect() as connection:
        insert_unchained(connection, AuditEvent(action="search.query", actor="anonymous"),
                         now=datetime.now(timezone.utc) - timedelta(seconds=90))
    result = _verify(app)
    assert result.exit_code == 1
    assert "ALARM: 1 rows unchained for more than 60 s" in result.output
    assert "3 rows, chain intact" in result.output  # verify chained it, then walked the chain
    assert _verify(app).exit_code == 0


def test_the_database_refuses_any_change_but_chaining_an_unchained_row(tmp_path_factory, database_url):
    app = portal_on(tmp_path_factory, database_url)
    write_rows(app, 1)
    write_rows(app, 1, chain=False)
    engine = create_engine(database_url)
    for statement in ("UPDATE audit_log SET details = '{}' WHERE id = 2",  # content of an unchained row
                      "UPDATE audit_log SET seq = 7, prev_hash = 'x', hash = 'y', actor = 'z' WHERE id = 2",
                      "UPDATE audit_log SET seq = 9 WHERE id = 1",  # a chained row's place
                      "DELETE FROM audit_log WHERE id = 2"):
        with pytest.raises(Exception, match="append-only"):
            with engine.begin() as connection:
                connection.exec_driver_sql(statement)
    engine.dispose()
    assert [row.seq for row in audit_rows(app)] == [1, 2]


def _keys(app, tmp_path):
    key = tmp_path / "keys" / "audit-checkpoint.key"
    key.parent.mkdir()
    result = app.test_cli_runner().invoke(args=["audit", "keygen", "--to", str(key)])
    assert result.exit_code == 0, result.output
    return key


def _rewrite_consistently(database_url: str, from_seq: int, details: str) -> None:
    """What the database's owner could do: change a row and re-hash it and every row after it."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = [dict(row._mapping) for row in select_rows(connection)]
    engine.dispose()
    statements, prev_hash = [], rows[from_seq - 2]["hash"]
    for row in rows[from_seq - 1:]:
        if row["seq"] == from_seq:
            row["details"] = details
        row["prev_hash"] = prev_hash
        prev_hash = row["hash"] = row_hash(row)
        statements.append(f"UPDATE audit_log SET details = '{row['details']}', prev_hash = '{row['prev_hash']}', "
                          f"hash = '{row['hash']}' WHERE seq = {row['seq']}")
    as_attacker(database_url, *statements)


def test_signed_checkpoints_reveal_a_consistent_rewrite_of_the_whole_chain(tmp_path_factory, tmp_path, database_url):
    app = portal_on(tmp_path_factory, database_url)
    key = _keys(app, tmp_path)
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600 and "PRIVATE" not in (tmp_path / "keys" / f"{key.name}.pub").read_text()
    checkpoints = tmp_path / "auditors"
    app.config.update(AUDIT_CHECKPOINT_KEY_FILE=str(key), AUDIT_CHECKPOINT_DIR=str(checkpoints))
    runner = app.test_cli_runner()
    write_rows(app, 4)
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    write_rows(app, 3, chain=False)  # the checkpoint chains them first
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0 and "row 7 signed (3 rows checked since the last one)" in result.output
    result = _verify(app)
    assert result.exit_code == 0 and "2 signed checkpoints hold, the last at row 7" in result.output

    _rewrite_consistently(database_url, 2, '{"n":1,"q":"nothing to see"}')
    app.config.update(AUDIT_CHECKPOINT_DIR="")
    assert _verify(app).exit_code == 0  # the chain alone cannot tell
    app.config.update(AUDIT_CHECKPOINT_DIR=str(checkpoints))
    result = _verify(app)
    assert result.exit_code == 1
    assert "row 4 is not the row the checkpoint of" in result.output and "rewritten" in result.output
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 1  # nothing signed over a rewrite


def test_a_changed_checkpoint_line_fails_its_signature(tmp_path_factory, tmp_path, database_url):
    app = portal_on(tmp_path_factory, database_url)
    key = _keys(app, tmp_path)
    checkpoints = tmp_path / "auditors"
    app.config.update(AUDIT_CHECKPOINT_KEY_FILE=str(key), AUDIT_CHECKPOINT_DIR=str(checkpoints))
    write_rows(app, 2)
    assert app.test_cli_runner().invoke(args=["audit", "checkpoint"]).exit_code == 0
    signed = checkpoints / "audit-head-checkpoints.jsonl"
    signed.write_text(signed.read_text().replace('"seq":2', '"seq":1'))
    result = _verify(app)
    assert result.exit_code == 1 and "line 1: the signature does not match" in result.output
    assert app.test_cli_runner().invoke(args=["audit", "keygen", "--to", str(key)]).exit_code == 1  # never overwritten


def test_rows_chained_before_migration_0018_still_verify_and_the_chain_goes_on(tmp_path_factory, database_url):
    from tests.databases import alembic

    alembic(database_url, "upgrade", "0013")
    engine = create_engine(database_url)
    prev_hash, moment = "0" * 64, datetime(2026, 1, 2, 3, 4, 5, 678901)
    with engine.begin() as connection:
        for number in (1, 2, 3):  # as the writer of 0003 chained them: the position is the id
            row = {"id": number, "occurred_at": moment, "actor": "anonymous", "actor_roles": "",
                   "actor_province": None, "ip": None, "user_agent": None, "action": "search.query",
                   "target_id": None, "target_province": None, "outcome": "allowed",
                   "details": f'{{"n":{number}}}', "prev_hash": prev_hash}
            prev_hash = row["hash"] = row_hash(row)
            connection.execute(text(
                "INSERT INTO audit_log (id, occurred_at, actor, actor_roles, actor_province, ip, user_agent, action,"
                " target_id, target_province, outcome, details, prev_hash, hash) VALUES (:id, :occurred_at, :actor,"
                " :actor_roles, :actor_province, :ip, :user_agent, :action, :target_id, :target_province, :outcome,"
                " :details, :prev_hash, :hash)"), row)
    engine.dispose()
    app = portal_on(tmp_path_factory, database_url)  # migrates to the head
    write_rows(app, 2)
    assert [(row.id, row.seq) for row in audit_rows(app)] == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)]
    result = _verify(app)
    assert result.exit_code == 0 and "5 rows, chain intact (rows 1–5)" in result.output
    app.extensions["audit_engine"].dispose()
    app.extensions["db_engine"].dispose()
    alembic(database_url, "downgrade", "0013")  # every row's place is its id: 0003's writer can go on
    alembic(database_url, "upgrade", "heads")


def _process_writing_and_sequencing(database_url: str, count: int, ready, go) -> None:
    from app import create_app
    from portal.audit.sequencer import SequencerThread

    app = create_app({"DATABASE_URL": database_url, "TESTING": True})
    sequencer = SequencerThread(app.extensions["audit_engine"], interval=0.01)
    ready.set()
    go.wait(30)
    sequencer.start()
    with app.test_request_context("/"):
        for number in range(count):
            record_event("search.query", details={"pid": os.getpid(), "n": number})
    sequencer.stop()


def test_processes_each_writing_and_sequencing_chain_every_row_exactly_once(tmp_path_factory, database_url):
    app = portal_on(tmp_path_factory, database_url)
    count = 60
    run_writer_processes(_process_writing_and_sequencing, database_url, count)
    chain_pending(app.extensions["audit_engine"])  # the rows written after a process's last round
    links = _links(database_url)
    assert sorted(seq for _id, seq, _prev, _hash in links) == list(range(1, 3 * count + 1))
    result = _verify(app, "--no-chain")
    assert result.exit_code == 0 and f"{3 * count} rows, chain intact" in result.output
