"""`flask audit verify | chain | checkpoint | keygen | archive`."""
from __future__ import annotations

import os
import sys
import time as clock
from datetime import date, datetime, time, timezone

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import text

from portal.audit.archive import ArchiveError, archive_before, chain_start, select_rows, verify_archive_file
from portal.audit.chain import verify_rows
from portal.audit.log import _offline_actor
from portal.audit.models import AuditEntry
from portal.audit.sequencer import ALARM_AFTER_SECONDS, chain_pending, unchained_older_than
from portal.audit.signed_heads import (CheckpointError, append_checkpoint, generate_key_pair, load_private_key,
                                       load_public_key, read_checkpoints)
from portal.audit.writer import chain_head

audit_cli = AppGroup("audit", help="The audit log: chain, verify and checkpoint its hash chain, archive old rows.")


VERIFY_BATCH = 5000


def verify_database(engine, start: tuple[int, str] | None = None):
    """Walk the chain in seq order, a batch at a time (it may hold millions of rows), from the
    table's start or from just after `start` = (seq, hash) of a row already trusted."""
    with engine.connect() as connection:
        start_id, start_hash = chain_start(connection) if start is None else (start[0] + 1, start[1])

        def rows():
            last = start_id - 1
            while True:
                batch = list(select_rows(connection, AuditEntry.__table__.c.seq > last, limit=VERIFY_BATCH))
                yield from batch
                if len(batch) < VERIFY_BATCH:
                    return
                last = batch[-1].seq

        return verify_rows(rows(), start_id, start_hash)


def checkpoint_problem(connection, checkpoint) -> str | None:
    """Why the chain no longer holds a signed checkpoint's (seq, hash); None if it does, or if
    that row was archived (its archive file carries it)."""
    found = connection.execute(text("SELECT hash FROM audit_log WHERE seq = :seq"), {"seq": checkpoint.seq}).first()
    if found is None:
        found = connection.execute(text("SELECT last_hash FROM audit_checkpoints WHERE archived_through = :seq"),
                                   {"seq": checkpoint.seq}).first()
    if found is None:
        archived = connection.execute(text("SELECT COALESCE(MAX(archived_through), 0) FROM audit_checkpoints")).scalar()
        if checkpoint.seq <= archived:
            return None
        return (f"the chain ends before row {checkpoint.seq}, which the checkpoint of {checkpoint.at} signed "
                "(rows removed or the chain rewritten)")
    if found[0] != checkpoint.hash:
        return (f"row {checkpoint.seq} is not the row the checkpoint of {checkpoint.at} signed "
                "(the chain was rewritten)")
    return None


def _checkpoint_settings(need_private: bool = False) -> tuple[str, str, str]:
    config = current_app.config
    key_file, directory = config.get("AUDIT_CHECKPOINT_KEY_FILE"), config.get("AUDIT_CHECKPOINT_DIR")
    public_file = config.get("AUDIT_CHECKPOINT_PUBLIC_KEY_FILE") or (f"{key_file}.pub" if key_file else "")
    if not directory or (need_private and not key_file) or not public_file:
        raise click.ClickException("set AUDIT_CHECKPOINT_DIR and AUDIT_CHECKPOINT_KEY_FILE "
                                   "(or AUDIT_CHECKPOINT_PUBLIC_KEY_FILE to verify only)")
    return key_file, public_file, directory


def _verify_checkpoints(engine) -> bool:
    """Checks the signed checkpoints when AUDIT_CHECKPOINT_DIR is set; False on any problem."""
    if not current_app.config.get("AUDIT_CHECKPOINT_DIR"):
        return True
    _key, public_file, directory = _checkpoint_settings()
    try:
        checkpoints = read_checkpoints(load_public_key(public_file), directory)
    except CheckpointError as error:
        click.echo(f"checkpoints: BROKEN: {error}", err=True)
        return False
    with engine.connect() as connection:
        for checkpoint in checkpoints:
            problem = checkpoint_problem(connection, checkpoint)
            if problem:
                click.echo(f"checkpoints: BROKEN: {problem}", err=True)
                return False
    last = f", the last at row {checkpoints[-1].seq} ({checkpoints[-1].at})" if checkpoints else ""
    click.echo(f"checkpoints: {len(checkpoints)} signed checkpoints hold{last}")
    return True


@audit_cli.command("verify")
@click.option("--archive", "archive_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Also verify an archive file written by `flask audit archive` (repeatable).")
@click.option("--no-chain", is_flag=True, help="Do not chain waiting rows first (a read-only check).")
def verify_command(archive_files, no_chain):
    """Walk the hash chain and the signed checkpoints; exit 1 naming the first row that does not
    match, or when rows have waited more than a minute for the sequencer."""
    failed = False
    engine = current_app.extensions["audit_engine"]
    for path in archive_files:
        digest, result = verify_archive_file(path)
        if result.ok:
            click.echo(f"archive {path}: {result.rows_checked} rows, chain intact, sha256 {digest}")
        else:
            click.echo(f"archive {path}: BROKEN at {result.problem}", err=True)
            failed = True
    waiting = unchained_older_than(engine, ALARM_AFTER_SECONDS)
    if waiting.count:  # looked at before this command chains them: no sequencer has run for a minute
        click.echo(f"audit log: ALARM: {waiting.count} rows unchained for more than {ALARM_AFTER_SECONDS} s "
                   f"(the oldest written {waiting.oldest}); is the sequencer running?", err=True)
        failed = True
    if not no_chain:
        chain_pending(engine)
    result = verify_database(engine)
    if result.ok:
        span = f" (rows {result.first_id}–{result.last_id})" if result.rows_checked else ""
        click.echo(f"audit log: {result.rows_checked} rows, chain intact{span}")
    else:
        click.echo(f"audit log: BROKEN at {result.problem}", err=True)
        failed = True
    if not _verify_checkpoints(engine):
        failed = True
    if failed:
        sys.exit(1)


@audit_cli.command("chain")
@click.option("--every", type=float, default=0, help="Go on chaining every this many seconds (a service).")
def chain_command(every):
    """Chain the rows written since the last pass (what each portal worker's sequencer does)."""
    engine = current_app.extensions["audit_engine"]
    while True:
        count = chain_pending(engine)
        if not every:
            click.echo(f"chained {count} rows")
            return
        clock.sleep(every)


@audit_cli.command("checkpoint")
def checkpoint_command():
    """Sign the chain's head and append it to AUDIT_CHECKPOINT_DIR, after checking the rows
    written since the last checkpoint (from cron, every few minutes)."""
    key_file, _public, directory = _checkpoint_settings(need_private=True)
    engine = current_app.extensions["audit_engine"]
    try:
        key = load_private_key(key_file)
        earlier = read_checkpoints(key.public_key(), directory)
    except CheckpointError as error:
        raise click.ClickException(str(error))
    chain_pending(engine)
    start = None
    if earlier:
        with engine.connect() as connection:
            problem = checkpoint_problem(connection, earlier[-1])
            if problem:
                raise click.ClickException(f"refused: {problem}")
            if connection.execute(text("SELECT 1 FROM audit_log WHERE seq = :seq"), {"seq": earlier[-1].seq}).first():
                start = (earlier[-1].seq, earlier[-1].hash)  # verified then: go on from there
    result = verify_database(engine, start)
    if not result.ok:
        raise click.ClickException(f"refused: the chain is broken at {result.problem}; nothing signed")
    with engine.connect() as connection:
        seq, head_hash = chain_head(connection)
    append_checkpoint(key, directory, seq, head_hash, datetime.now(timezone.utc))
    click.echo(f"checkpoint: row {seq} signed ({result.rows_checked} rows checked since the last one)")


@audit_cli.command("keygen")
@click.option("--to", "private_path", required=True, type=click.Path(dir_okay=False),
              help="The private key file to create (mode 0600); the public key goes to the same name + .pub.")
def keygen_command(private_path):
    """Create the Ed25519 key pair that signs checkpoints. Keep the private key off the database host's
    backups; give the auditors the .pub."""
    try:
        generate_key_pair(private_path, f"{private_path}.pub")
    except CheckpointError as error:
        raise click.ClickException(str(error))
    click.echo(f"private key {private_path} (mode {oct(os.stat(private_path).st_mode & 0o777)}), "
               f"public key {private_path}.pub")


@audit_cli.command("archive")
@click.option("--before", required=True, help="Archive the rows older than this UTC date (YYYY-MM-DD).")
@click.option("--to", "path", required=True, type=click.Path(dir_okay=False),
              help="The archive file to write (must not exist).")
def archive_command(before, path):
    """Move rows older than a date to a file, leaving a checkpoint so the chain stays verifiable."""
    try:
        moment = datetime.combine(date.fromisoformat(before), time.min, tzinfo=timezone.utc)
    except ValueError:
        raise click.BadParameter("a date such as 2025-01-01", param_hint="--before") from None
    try:
        result = archive_before(current_app.extensions["audit_engine"], moment, path, _offline_actor())
    except ArchiveError as error:
        raise click.ClickException(str(error))
    if not result.row_count:
        click.echo(f"no audit rows before {before}; nothing archived")
        return
    click.echo(f"archived rows {result.first_id}–{result.through_id} ({result.row_count}) to {path}, "
               f"sha256 {result.file_sha256}; keep this file and its checksum")
