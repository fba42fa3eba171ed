"""Command line: `flask db upgrade`, `flask sources list|add|disable`, `flask harvest`."""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select, update

from indexer.errors import HarvestError, RunBusy
from indexer.gc_tuning import freeze_what_is_loaded
from indexer.harvest import due_sources, last_run_started, source_sets
from indexer.signatures import TrustRootsError
from portal import database
from portal.access.identity import Identity
from portal.admin.access_policy import remove_rule, rules_of, set_rule, set_unstated, unrecognised_statements
from portal.admin.sources import (InvalidSource, apply_settings, changes_between, check_source_id, checked_settings,
                                  settings_of)
from portal.audit import actions as audit_actions
from portal.backup.database import BackupError, backup_database, restore_database
from portal.backup.snapshots import SnapshotError, list_snapshots, restore_snapshot, take_snapshot
from portal.audit.log import AuditUnavailable, record_command_event
from portal.harvest_jobs import harvest_tools, run_source_harvest
from portal.opensearch import get_client
from schema.access_policy import RULE_LEVELS
from schema.record import ACCESS_LEVELS
from schema.tables import SOURCE_KINDS, HarvestRun, Source, next_due, run_request_pending, utcnow

db_cli = AppGroup("db", help="The portal's database: migrate, back up, restore.")
index_cli = AppGroup("index", help="The records index: snapshots and restores.")
sources_cli = AppGroup("sources", help="The archive endpoints the harvester reads.")
creators_cli = AppGroup("creators", help="The creators' authority records, derived from the index.")


@db_cli.command("upgrade")
def db_upgrade():
    """Create or migrate the database tables (Alembic, to the newest revision)."""
    database.upgrade_schema(current_app)
    click.echo("database is at the newest revision")


@db_cli.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(target):
    """Back the database up to one file (pg_dump's custom format, or a SQLite copy made online)."""
    try:
        backup_database(current_app.config["DATABASE_URL"], target)
    except BackupError as error:
        raise click.ClickException(str(error))
    click.echo(f"database backed up to {target} ({target.stat().st_size} bytes)")


@db_cli.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
def db_restore(source):
    """Restore a `flask db backup` file into the (empty) database DATABASE_URL names."""
    try:
        restore_database(current_app.config["DATABASE_URL"], source)
    except BackupError as error:
        raise click.ClickException(str(error))
    click.echo(f"database restored from {source}; check the audit chain with `flask audit verify`")


@index_cli.command("snapshot")
@click.option("--name", default=None, help="The snapshot's name (default: records-<UTC date and time>).")
def index_snapshot(name):
    """Snapshot every records index with its aliases to OPENSEARCH_SNAPSHOT_PATH."""
    try:
        snapshot = take_snapshot(get_client(), current_app.config["OPENSEARCH_INDEX_PREFIX"],
                                 current_app.config["OPENSEARCH_SNAPSHOT_PATH"], name)
    except SnapshotError as error:
        raise click.ClickException(str(error))
    click.echo(f"snapshot {snapshot['snapshot']}: {len(snapshot['indices'])} indexes, "
               f"{snapshot['shards']['successful']} shards")


@index_cli.command("snapshots")
def index_snapshots():
    """List the snapshots in OPENSEARCH_SNAPSHOT_PATH."""
    try:
        snapshots = list_snapshots(get_client(), current_app.config["OPENSEARCH_SNAPSHOT_PATH"])
    except SnapshotError as error:
        raise click.ClickException(str(error))
    for snapshot in snapshots:
        click.echo(f"{snapshot['snapshot']:<32} {snapshot['state']:<8} {snapshot.get('start_time', '')} "
                   f"{len(snapshot['indices'])} indexes")


@index_cli.command("restore")
@click.argument("name")
@click.option("--replace", is_flag=True, help="Delete the records indexes there are before restoring.")
def index_restore(name, replace):
    """Restore the records indexes and aliases of snapshot NAME."""
    try:
        indexes = restore_snapshot(get_client(), current_app.config["OPENSEARCH_INDEX_PREFIX"],
                                   current_app.config["OPENSEARCH_SNAPSHOT_PATH"], name, replace=replace)
    except SnapshotError as error:
        raise click.ClickException(str(error))
    click.echo(f"snapshot {name} restored: {len(indexes)} indexes")


@sources_cli.command("list")
def sources_list():
    db = database.get_db()
    rows = db.scalars(select(Source).order_by(Source.id)).all()
    if not rows:
        click.echo("no sources; add one with `flask sources add`")
        return
    for source in rows:
        last = db.scalars(select(HarvestRun).where(HarvestRun.source_id == source.id)
                          .order_by(HarvestRun.id.desc()).limit(1)).first()
        state = f"last run {last.state} at {last.started_at:%Y-%m-%d %H:%M}" if last else "never harvested"
        started = last_run_started(db, source.id)
        due = next_due(source, started)
        when = "" if due is None else f", next due {'now' if due <= utcnow() else f'{due:%Y-%m-%d %H:%M}'}"
        if run_request_pending(source, started):
            when += (f", {'full ' if source.run_requested_full else ''}run asked for by "
                     f"{source.run_requested_by or 'an admin'} at {source.run_requested_at:%Y-%m-%d %H:%M}")
        click.echo(f"{source.id:<12} {'enabled ' if source.enabled else 'disabled'} province {source.holding_province} "
                   f"{source.kind} {source.url} prefix={source.metadata_prefix}"
                   f"{' set=' + source.set_spec if source.set_spec else ''}"
                   f"{' schedule=' + source.schedule if source.schedule else ''}"
                   f"{' file-hosts=' + ','.join(source.file_hosts) if source.file_hosts else ''}  ({state}{when})")


@sources_cli.command("add")
@click.option("--id", "source_id", required=True, help="Short stable id, e.g. vinhlong.")
@click.option("--kind", type=click.Choice(SOURCE_KINDS), default="oai-pmh", show_default=True)
@click.option("--url", required=True, help="Base URL of the OAI-PMH endpoint; for --kind package, the inbox directory.")
@click.option("--province", required=True, help="Code of the holding province, e.g. 86.")
@click.option("--prefix", "metadata_prefix", default="auto", show_default=True,
              help="metadataPrefix; auto takes the richest the source offers and a mapping reads.")
@click.option("--set", "set_spec", default=None)
@click.option("--name", default="")
@click.option("--schedule", default=None, help="hourly, daily, weekly or 'every 6h' (m, h, d, w); for --due.")
@click.option("--file-host", "file_hosts", multiple=True,
              help="An origin (https://cdn.example.org) the source's file links may point to besides its own "
                   "(repeatable; on an update, replaces the list; --file-host '' empties it).")
def sources_add(source_id, kind, url, province, metadata_prefix, set_spec, name, schedule, file_hosts):
    """Add a source, or update the one with this id."""
    db = database.get_db()
    source = db.get(Source, source_id)
    created = source is None
    try:
        if created:
            check_source_id(source_id)
        settings = checked_settings(kind=kind, url=url, province=province, metadata_prefix=metadata_prefix,
                                    set_spec=set_spec, name=name,
                                    schedule=schedule if schedule is not None or created else source.schedule,
                                    file_hosts=file_hosts if file_hosts or created else source.file_hosts)
    except InvalidSource as invalid:  # the same rules as the admin page's form (portal/admin/sources.py)
        problem = next(iter(invalid.problems))
        raise click.BadParameter(invalid.english(problem), param_hint=_SOURCE_OPTIONS.get(problem, problem))
    old = None if created else settings_of(source)
    if created:
        source = Source(id=source_id, run_requested_full=False)
        db.add(source)
    apply_settings(source, settings)
    record_command_event(audit_actions.SOURCE_CHANGE, target_id=source_id, target_province=settings.holding_province,
                         details={"change": "add" if created else "update", "kind": settings.kind, "url": settings.url,
                                  "prefix": settings.metadata_prefix, "schedule": settings.schedule,
                                  "file_hosts": list(settings.file_hosts), "changes": changes_between(old, settings)})
    db.commit()
    click.echo(f"source {source_id} {'added' if created else 'updated'}")


# The option of `sources add` that sets each setting, to name it in an error.
_SOURCE_OPTIONS = {"id": "--id", "kind": "--kind", "url": "--url", "holding_province": "--province",
                   "metadata_prefix": "--prefix", "set_spec": "--set", "name": "--name", "schedule": "--schedule",
                   "file_hosts": "--file-host"}


@sources_cli.command("disable")
@click.argument("source_id")
def sources_disable(source_id):
    db = database.get_db()
    source = db.get(Source, source_id)
    if source is None:
        raise click.ClickException(f"no source {source_id!r}")
    was_enabled, source.enabled = source.enabled, False
    record_command_event(audit_actions.SOURCE_CHANGE, target_id=source_id, target_province=source.holding_province,
                         details={"change": "disable", "changes": {"enabled": [was_enabled, False]}})
    db.commit()
    click.echo(f"source {source_id} disabled")


@sources_cli.command("sets")
@click.argument("source_id")
def sources_sets(source_id):
    """List the sets (ListSets) a source offers, for `flask harvest --set`."""
    source = _source_or_fail(source_id)
    try:
        sets = source_sets(source, current_app.config["HARVEST_HTTP_TIMEOUT"])
    except HarvestError as error:
        raise click.ClickException(str(error))
    if not sets:
        click.echo(f"{source_id} has no sets")
    for spec, name in sets:
        click.echo(f"{spec:<24} {name}")


# The command line is the server's operator: it may set any source's policy, as a national admin may.
_OPERATOR = Identity(roles=frozenset({"national_admin"}))


@sources_cli.command("access")
@click.argument("source_id")
@click.option("--map", "mappings", multiple=True, metavar="STATEMENT=LEVEL",
              help=f"Map one of the source's wordings to {', '.join(RULE_LEVELS)} (repeatable).")
@click.option("--unmap", "unmappings", multiple=True, metavar="STATEMENT", help="Remove the rule of a wording.")
@click.option("--unstated", type=click.Choice(ACCESS_LEVELS), default=None,
              help="The level of the source's records that state none (closed unless set).")
def sources_access(source_id, mappings, unmappings, unstated):
    """Show or change a source's access policy; each change is audited and asks for a full re-harvest."""
    db = database.get_db()
    source = _source_or_fail(source_id)
    try:
        for mapping in mappings:
            statement, _, level = mapping.rpartition("=")
            set_rule(db, _OPERATOR, source, statement, level.strip(), "cli")
        for statement in unmappings:
            remove_rule(db, _OPERATOR, source, statement, "cli")
        if unstated:
            set_unstated(db, _OPERATOR, source, unstated, "cli")
    except InvalidSource as invalid:
        raise click.BadParameter("; ".join(invalid.english(name) for name in invalid.problems), param_hint="--map")
    click.echo(f"{source.id}: records stating no level are {source.unstated_access}")
    for rule in rules_of(source):
        click.echo(f"  {rule['level']:<10} {rule['statement']}")
    for item in unrecognised_statements(db, source):
        click.echo(f"  unrecognised in run {item.run_id}: {item.statement} ({item.records} records)")


def _source_or_fail(source_id: str) -> Source:
    source = database.get_db().get(Source, source_id)
    if source is None:
        raise click.ClickException(f"no source {source_id!r}")
    return source


@click.command("harvest")
@with_appcontext
@click.option("--source", "source_ids", multiple=True, help="Harvest this source (repeatable).")
@click.option("--all", "all_sources", is_flag=True, help="Harvest every enabled source.")
@click.option("--due", is_flag=True, help="Harvest the enabled sources whose schedule says a run is due, and those "
                                         "a run was asked for on /admin/sources (full if asked).")
@click.option("--full", is_flag=True, help="Re-read everything and drop what the source no longer has.")
@click.option("--set", "set_spec", default=None, help="Only this set (setSpec) of the source, this once.")
@click.option("--until", default=None, help="Only records with a datestamp up to this one.")
@click.option("--record", "record_identifier", default=None,
              help="Refresh one record (GetRecord): its OAI identifier, record id or local id.")
@click.option("--enqueue", is_flag=True, help="Hand the runs to the Celery harvest workers (CELERY_BROKER_URL) "
                                             "instead of running them here; a source already queued is left be.")
def harvest_command(source_ids, all_sources, due, full, set_spec, until, record_identifier, enqueue):
    """Harvest sources into the index, with a progress line and a report at the end."""
    if not source_ids and not all_sources and not due:
        raise click.UsageError("name a source with --source ID, or use --all or --due")
    if enqueue and (set_spec or until or record_identifier):
        raise click.UsageError("--enqueue queues whole runs; --set, --until and --record run here")
    if (set_spec or record_identifier) and len(source_ids) != 1:
        raise click.UsageError("--set and --record go with exactly one --source")
    if full and (set_spec or until or record_identifier):
        # A full run replaces the source's whole index: built from part of the list, it would drop the rest.
        raise click.UsageError("--full reads a source's whole list; it does not go with --set, --until or --record")
    db = database.get_db()
    if due:
        sources = due_sources(db)
        if not sources:
            click.echo("no source is due")
            return
    else:
        query = select(Source).where(Source.enabled.is_(True)) if all_sources else select(Source).where(Source.id.in_(source_ids))
        sources = db.scalars(query.order_by(Source.id)).all()
        missing = set(source_ids) - {s.id for s in sources}
        if missing:
            raise click.ClickException(f"no such source: {', '.join(sorted(missing))}")
        if not sources:
            raise click.ClickException("no enabled sources; add one with `flask sources add`")
    packages = [s.id for s in sources if s.kind == "package"]
    if packages and (set_spec or until or record_identifier):
        # An inbox has no sets, no datestamps to stop at and no single records to fetch again.
        raise click.UsageError(f"--set, --until and --record are for OAI-PMH sources; {', '.join(packages)} "
                               f"{'is a package inbox' if len(packages) == 1 else 'are package inboxes'}")

    config = current_app.config
    if enqueue:
        _enqueue_sources(db, sources, full, due)
        return
    try:
        extractor, settings = harvest_tools(config)
    except TrustRootsError as error:
        raise click.ClickException(f"{error} (SIGNATURE_TRUST_ROOTS)")
    if not extractor.is_available():
        click.echo(f"warning: Tika is not reachable at {config['TIKA_SERVER_ENDPOINT']}; "
                   "records are indexed without their files' text and marked for extraction on the next run",
                   err=True)
    if set_spec:
        try:
            offered = {spec for spec, _ in source_sets(sources[0], settings.http_timeout)}
        except HarvestError as error:
            raise click.ClickException(str(error))
        if set_spec not in offered:
            raise click.ClickException(f"{sources[0].id} has no set {set_spec!r}; "
                                       f"`flask sources sets {sources[0].id}` lists them")
    freeze_what_is_loaded()
    failed = False
    for source in sources:
        source_full, request = full, None
        if due and run_request_pending(source, last_run_started(db, source.id)):
            request = _take_run_request(db, source)
            if request is None:
                click.echo(f"{source.id}: its run request was taken by another `flask harvest --due` (or asked for "
                           "again meanwhile: the next round starts it)")
                continue
            source_full = full or request.full
        mode = "record " + record_identifier if record_identifier else ("full" if source_full else "incremental")
        asked = f", asked for by {request.requested_by or 'an admin'}" if request else ""
        click.echo(f"harvesting {source.id} ({source.url}, {mode}{', set ' + set_spec if set_spec else ''}{asked})")
        started = time.monotonic()
        try:
            run = run_source_harvest(
                db, source, extractor, settings, full=source_full,
                requested_by=request.requested_by if request else None, record_identifier=record_identifier,
                set_spec=set_spec, until=until,
                on_progress=_progress_printer(started, "packages" if source.kind == "package" else "records"))
        except AuditUnavailable as error:
            raise click.ClickException(f"refused: the audit log cannot be written ({error})") from error
        except HarvestError as error:
            if request is not None and isinstance(error, RunBusy):
                _give_back_run_request(db, source, request)  # asked for after the live run began: run it after
            click.echo(f"\n  failed: {error}", err=True)
            failed = True
            continue
        if sys.stdout.isatty():
            click.echo("")
        _print_report(run, time.monotonic() - started)
        failed = failed or run.state in ("failed", "stopped")
    if failed:
        sys.exit(1)


def _enqueue_sources(db, sources: list[Source], full: bool, due: bool) -> None:
    """Queues a run of each source for the workers; a source whose run is queued or running is left be."""
    from portal.harvest_queue import QueueUnavailable, enqueue_harvest

    for source in sources:
        request = None
        if due and run_request_pending(source, last_run_started(db, source.id)):
            request = _take_run_request(db, source)
            if request is None:
                continue  # another `--due` took it
        try:
            task_id = enqueue_harvest(current_app.config, source.id, full=full or bool(request and request.full),
                                      requested_by=request.requested_by if request else None)
        except QueueUnavailable as error:
            if request is not None:
                _give_back_run_request(db, source, request)
            raise click.ClickException(str(error))
        if task_id is None:
            if request is not None:  # the queued run was asked for before: this request waits for the next round
                _give_back_run_request(db, source, request)
            click.echo(f"{source.id}: a run is already queued or running")
        else:
            click.echo(f"{source.id}: queued ({task_id})")


@dataclass(frozen=True)
class RunRequest:
    """A run asked for on the admin pages, as `--due` took it."""
    requested_at: datetime
    full: bool
    requested_by: str | None


def _take_run_request(db, source: Source) -> RunRequest | None:
    """Clears the source's run request as its run starts and returns it; None if another `--due`
    cleared it first (one conditional UPDATE decides, so a request is run once)."""
    seen = source.run_requested_at
    request = RunRequest(seen, bool(source.run_requested_full), source.run_requested_by)
    taken = db.execute(update(Source).where(Source.id == source.id, Source.run_requested_at == seen)
                       .values(run_requested_at=None, run_requested_full=False, run_requested_by=None)
                       .execution_options(synchronize_session=False)).rowcount
    db.commit()
    db.refresh(source)
    return request if taken == 1 else None


def _give_back_run_request(db, source: Source, request: RunRequest) -> None:
    """The source was busy with a run begun by someone else: the request waits for the next `--due`
    (unless a newer one came meanwhile). A request older than that live run is then no longer due."""
    db.rollback()
    db.execute(update(Source).where(Source.id == source.id, Source.run_requested_at.is_(None))
               .values(run_requested_at=request.requested_at, run_requested_full=request.full,
                       run_requested_by=request.requested_by).execution_options(synchronize_session=False))
    db.commit()
    db.refresh(source)


def _progress_printer(started: float, unit: str = "records"):
    """One line rewritten in place on a terminal; a line every few seconds in a log. `unit`: what is counted."""
    interactive = sys.stdout.isatty()
    last_line = [0.0]

    def show(done: int, expected: int | None) -> None:
        now = time.monotonic()
        if not interactive and now - last_line[0] < 2 and done != expected:
            return
        last_line[0] = now
        rate = done / max(now - started, 1e-6)
        of = f"/{expected}" if expected else ""
        eta = f", about {max(int((expected - done) / rate), 0)} s left" if expected and rate else ""
        line = f"  {done}{of} {unit}, {rate:.0f} {unit}/s{eta}"
        click.echo(f"\r{line}   " if interactive else line, nl=not interactive)
    return show


def _print_report(run: HarvestRun, seconds: float) -> None:
    for line in run_report_lines(run, seconds):
        click.echo(line)


def run_report_lines(run: HarvestRun, seconds: float | None = None) -> list[str]:
    """The report of a run as the terminal shows it."""
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    resumed = f", resumed {run.resumed}×" if run.resumed else ""
    lines = [f"  run {run.id} ({run.mode}{resumed}): {run.state}{took} — added {run.added}, updated {run.updated}, "
             f"deleted {run.deleted}, failed {run.failed}, unchanged {run.unchanged}; files with text "
             f"{run.files_extracted} ({run.files_reused or 0} reused), files without {run.files_failed}, file links refused {run.links_refused or 0}"]
    if run.message:
        lines.append(f"  {run.message}")
    if run.resumable:
        lines.append(f"  checkpoint kept: `flask harvest --source {run.source_id}` continues this run")
    for kind, count, entries in run.error_kinds():
        lines.append(f"  {kind}: {count}")
        for entry in entries[:5]:
            lines.append(f"    {entry['record']}: {entry['message'][:300]}")
    return lines


def init_app(app: Flask) -> None:
    from portal.auth.cli import users_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(db_cli)
    app.cli.add_command(index_cli)
    app.cli.add_command(sources_cli)
    app.cli.add_command(harvest_command)
    app.cli.add_command(creators_cli)


@creators_cli.command("reconcile")
def creators_reconcile():
    """Add the creators and name forms the index has and the database has not (after a harvest, it runs itself)."""
    from portal.creators.reconcile import reconcile_creators
    from portal.opensearch import records_alias

    report = reconcile_creators(database.get_db(), get_client(), records_alias())
    click.echo(f"{report.name_forms_seen} name forms in the index, {report.name_forms_added} new, "
               f"{report.creators_added} new creators")
