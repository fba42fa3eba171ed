"""`flask audit verify` and `flask audit archive --before DATE --to FILE`."""
from __future__ import annotations

import sys
from datetime import date, datetime, time, timezone

import click
from flask import current_app
from flask.cli import AppGroup

from portal.audit.archive import ArchiveError, archive_before, chain_start, select_rows, verify_archive_file
from portal.audit.chain import verify_rows
from portal.audit.log import _offline_actor
from portal.audit.models import AuditEntry

audit_cli = AppGroup("audit", help="The audit log: verify its hash chain, archive old rows.")


VERIFY_BATCH = 5000


def verify_database(engine):
    """Walk the whole table in id order, a batch at a time (it may hold millions of rows)."""
    with engine.connect() as connection:
        start_id, start_hash = chain_start(connection)

        def rows():
            last_id = None
            while True:
                conditions = [] if last_id is None else [AuditEntry.__table__.c.id > last_id]
                batch = list(select_rows(connection, *conditions, limit=VERIFY_BATCH))
                yield from batch
                if len(batch) < VERIFY_BATCH:
                    return
                last_id = batch[-1].id

        return verify_rows(rows(), start_id, start_hash)


@audit_cli.command("verify")
@click.option("--archive", "archive_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Also verify an archive file written by `flask audit archive` (repeatable).")
def verify_command(archive_files):
    """Walk the hash chain; exit 1 naming the first row that does not match."""
    failed = False
    for path in archive_files:
        digest, result = verify_archive_file(path)
        if result.ok:
            click.echo(f"archive {path}: {result.rows_checked} rows, chain intact, sha256 {digest}")
        else:
            click.echo(f"archive {path}: BROKEN at {result.problem}", err=True)
            failed = True
    result = verify_database(current_app.extensions["audit_engine"])
    if result.ok:
        span = f" (rows {result.first_id}–{result.last_id})" if result.rows_checked else ""
        click.echo(f"audit log: {result.rows_checked} rows, chain intact{span}")
    else:
        click.echo(f"audit log: BROKEN at {result.problem}", err=True)
        failed = True
    if failed:
        sys.exit(1)


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
