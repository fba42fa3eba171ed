"""Command line: `flask db upgrade`, `flask sources list|add|disable`, `flask harvest`."""
from __future__ import annotations

import logging
import os
import sys
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from indexer.errors import HarvestError
from indexer.harvest import HarvestSettings, harvest_source
from indexer.package_intake import intake_packages
from indexer.signatures import TrustRootsError, load_trust_roots
from indexer.text_extraction import TikaExtractor, TikaLimits
from portal import database
from portal.access.identity import valid_province
from portal.opensearch import get_client
from schema.tables import SOURCE_KINDS, HarvestRun, Source

db_cli = AppGroup("db", help="The portal's database.")
sources_cli = AppGroup("sources", help="The archive endpoints the harvester reads.")


@db_cli.command("upgrade")
def db_upgrade():
    """Create or migrate the database tables (Alembic, to the newest revision)."""
    database.upgrade_schema(current_app)
    click.echo("database is at the newest revision")


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
        click.echo(f"{source.id:<12} {'enabled ' if source.enabled else 'disabled'} province {source.holding_province} "
                   f"{source.kind} {source.url} prefix={source.metadata_prefix}"
                   f"{' set=' + source.set_spec if source.set_spec else ''}  ({state})")


@sources_cli.command("add")
@click.option("--id", "source_id", required=True, help="Short stable id, e.g. vinhlong.")
@click.option("--kind", type=click.Choice(SOURCE_KINDS), default="oai-pmh", show_default=True)
@click.option("--url", required=True, help="Base URL of the OAI-PMH endpoint; for --kind package, the inbox directory.")
@click.option("--province", required=True, help="Code of the holding province, e.g. 86.")
@click.option("--prefix", "metadata_prefix", default="oai_dc", show_default=True)
@click.option("--set", "set_spec", default=None)
@click.option("--name", default="")
def sources_add(source_id, kind, url, province, metadata_prefix, set_spec, name):
    """Add a source, or update the one with this id."""
    code = valid_province(province)
    if code is None:
        raise click.BadParameter(f"{province!r} is not the code of one of the 34 provinces", param_hint="--province")
    if kind == "package":
        if not os.path.isdir(url):
            raise click.BadParameter(f"{url!r} is not a directory (the inbox of packages)", param_hint="--url")
        url = os.path.abspath(url)
    elif not url.startswith(("http://", "https://")):
        raise click.BadParameter("the URL must start with http:// or https://", param_hint="--url")
    db = database.get_db()
    source = db.get(Source, source_id)
    created = source is None
    if created:
        source = Source(id=source_id)
        db.add(source)
    source.kind, source.url, source.holding_province = kind, url, code
    source.metadata_prefix, source.set_spec, source.name, source.enabled = metadata_prefix, set_spec, name, True
    db.commit()
    click.echo(f"source {source_id} {'added' if created else 'updated'}")


@sources_cli.command("disable")
@click.argument("source_id")
def sources_disable(source_id):
    db = database.get_db()
    source = db.get(Source, source_id)
    if source is None:
        raise click.ClickException(f"no source {source_id!r}")
    source.enabled = False
    db.commit()
    click.echo(f"source {source_id} disabled")


@click.command("harvest")
@with_appcontext
@click.option("--source", "source_ids", multiple=True, help="Harvest this source (repeatable).")
@click.option("--all", "all_sources", is_flag=True, help="Harvest every enabled source.")
@click.option("--full", is_flag=True, help="Re-read everything and drop what the source no longer has.")
def harvest_command(source_ids, all_sources, full):
    """Harvest sources into the index, with a progress line and a report at the end."""
    if not source_ids and not all_sources:
        raise click.UsageError("name a source with --source ID, or use --all")
    db = database.get_db()
    query = select(Source).where(Source.enabled.is_(True)) if all_sources else select(Source).where(Source.id.in_(source_ids))
    sources = db.scalars(query.order_by(Source.id)).all()
    missing = set(source_ids) - {s.id for s in sources}
    if missing:
        raise click.ClickException(f"no such source: {', '.join(sorted(missing))}")
    if not sources:
        raise click.ClickException("no enabled sources; add one with `flask sources add`")

    config = current_app.config
    # pyHanko logs a traceback for every untrusted signer; the run report already says "unknown".
    logging.getLogger("pyhanko").setLevel(logging.ERROR)
    try:
        trust_roots = load_trust_roots(config["SIGNATURE_TRUST_ROOTS"])
    except TrustRootsError as error:  # a wrong path must not turn every signature into "unknown" unseen
        raise click.ClickException(f"{error} (SIGNATURE_TRUST_ROOTS)")
    extractor = TikaExtractor(config["TIKA_SERVER_ENDPOINT"], TikaLimits(
        config["TIKA_MAX_FILE_BYTES"], config["TIKA_TIMEOUT"], config["TIKA_MAX_CHARS"]))
    if not extractor.is_available():
        click.echo(f"warning: Tika is not reachable at {config['TIKA_SERVER_ENDPOINT']}; "
                   "records are indexed without their files' text", err=True)
    settings = HarvestSettings(index_prefix=config["OPENSEARCH_INDEX_PREFIX"],
                               http_timeout=config["HARVEST_HTTP_TIMEOUT"],
                               signature_trust_roots=trust_roots)
    failed = False
    for source in sources:
        click.echo(f"harvesting {source.id} ({source.url}, {'full' if full else 'incremental'})")
        started = time.monotonic()
        try:
            if source.kind == "package":
                run = intake_packages(db, source, get_client(), extractor, settings,
                                      on_progress=_progress_printer(started))
            else:
                run = harvest_source(db, source, get_client(), extractor, settings, full=full,
                                     on_progress=_progress_printer(started))
        except HarvestError as error:
            click.echo(f"\n  failed: {error}", err=True)
            failed = True
            continue
        if sys.stdout.isatty():
            click.echo("")
        _print_report(run, time.monotonic() - started)
        failed = failed or run.state == "failed"
    if failed:
        sys.exit(1)


def _progress_printer(started: float):
    """One line rewritten in place on a terminal; a line every 100 records in a log."""
    interactive = sys.stdout.isatty()

    def show(done: int, expected: int | None) -> None:
        if done % (25 if interactive else 100) and done != expected:
            return
        rate = done / max(time.monotonic() - started, 1e-6)
        of = f"/{expected}" if expected else ""
        eta = f", about {int((expected - done) / rate)} s left" if expected and rate else ""
        line = f"  {done}{of} records, {rate:.0f} records/s{eta}"
        click.echo(f"\r{line}   " if interactive else line, nl=not interactive)
    return show


def _print_report(run: HarvestRun, seconds: float) -> None:
    click.echo(f"  run {run.id}: {run.state} in {seconds:.1f} s — added {run.added}, updated {run.updated}, "
               f"deleted {run.deleted}, failed {run.failed}; files with text {run.files_extracted}, "
               f"files without {run.files_failed}")
    if run.message:
        click.echo(f"  {run.message}")
    for kind, entries in (run.errors or {}).items():
        click.echo(f"  {kind} errors: {len(entries)}")
        for entry in entries[:5]:
            click.echo(f"    {entry['record']}: {entry['message']}")


def init_app(app: Flask) -> None:
    from portal.auth.cli import users_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(db_cli)
    app.cli.add_command(sources_cli)
    app.cli.add_command(harvest_command)
