"""Adding and changing sources, and asking for a run: the rules `flask sources add` and the
admin pages share, and who may do what to which source.

Writes the database only. A run asked for here is recorded on the source and started by the
next `flask harvest --due` (cron or a systemd timer); the portal never imports the indexer and
never harvests inside a request.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields, replace
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.access.identity import Identity, valid_province
from portal.access.roles import MANAGE_ALL, MANAGE_OWN_PROVINCE_SOURCES
from portal.audit import actions as audit_actions
from portal.audit.log import AuditUnavailable, record_event_in_transaction
from schema.file_links import parse_file_host
from schema.tables import SOURCE_KINDS, HarvestRun, Source, run_request_pending, schedule_interval, utcnow


def N_(message: str) -> str:
    """Marks a message for pybabel; it is translated where it is shown (the CLI prints it in English)."""
    return message


# The id is the first part of every record id (`<source>:<local id>`) and of the source's index name.
SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# OAI-PMH metadataPrefix: unreserved URI characters; `auto` takes the richest the source offers.
METADATA_PREFIX = re.compile(r"^[A-Za-z0-9_.!~*'()-]{1,64}$")
MAX_LENGTHS = {"name": 255, "url": 1024, "set_spec": 255, "schedule": 64}


class InvalidSource(ValueError):
    """What is wrong with a source's settings: field → (message, its parameters), every field at once."""

    def __init__(self, problems: dict[str, tuple[str, dict]]):
        self.problems = problems
        super().__init__("; ".join(self.english(name) for name in problems))

    def english(self, name: str) -> str:
        message, params = self.problems[name]
        return message % params


class SourceRefused(Exception):
    """The person may not make this change (reason: province, package, disabled)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class SourceSettings:
    """What may be set of a source; its id is fixed once created (it is part of every record id)."""
    name: str
    kind: str
    url: str
    holding_province: str
    metadata_prefix: str
    set_spec: str | None
    schedule: str | None
    enabled: bool = True
    # Origins its file links may point to besides its own (a CDN, a handle server): schema/file_links.py.
    file_hosts: tuple[str, ...] = ()


MAX_FILE_HOSTS = 20
SETTINGS = tuple(f.name for f in fields(SourceSettings))


def check_source_id(source_id: str | None) -> str:
    source_id = (source_id or "").strip()
    if not SOURCE_ID.match(source_id):
        raise InvalidSource({"id": (N_("%(value)s is not a source id: use up to 64 lower-case letters, digits, "
                                       "- and _, starting with a letter or digit."), {"value": repr(source_id)})})
    return source_id


def checked_settings(*, kind: str, url: str, province: str, metadata_prefix: str = "auto",
                     set_spec: str | None = None, name: str = "", schedule: str | None = None,
                     enabled: bool = True, file_hosts=()) -> SourceSettings:
    """The settings as typed, checked and made canonical (province code, absolute inbox path, file hosts
    as origins); InvalidSource names every field that is wrong. `file_hosts`: strings, or one text with
    a host a line (the form's)."""
    problems: dict[str, tuple[str, dict]] = {}
    url = (url or "").strip()
    schedule = (schedule or "").strip() or None
    set_spec = (set_spec or "").strip() or None
    name = (name or "").strip()
    metadata_prefix = (metadata_prefix or "").strip() or "auto"
    if kind not in SOURCE_KINDS:
        problems["kind"] = (N_("%(value)s is not a kind of source (%(kinds)s)."),
                            {"value": repr(kind), "kinds": ", ".join(SOURCE_KINDS)})
    if kind == "package":
        if not url or not os.path.isdir(url):
            problems["url"] = (N_("%(value)s is not a directory (the inbox of packages)."), {"value": repr(url)})
        else:
            url = os.path.abspath(url)
    elif kind in SOURCE_KINDS:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems["url"] = (N_("The URL must start with http:// or https:// and name a host."), {})
    code = valid_province(province)
    if not (province or "").strip():
        problems["holding_province"] = (N_("Choose the holding province."), {})
    elif code is None:
        problems["holding_province"] = (N_("%(value)s is not the code of one of the 34 provinces."),
                                        {"value": repr(province)})
    if not METADATA_PREFIX.match(metadata_prefix):
        problems["metadata_prefix"] = (N_("%(value)s is not a metadata prefix: letters, digits and - _ . ! ~ * ' ( ) "
                                          "only (auto: the richest the source offers)."),
                                       {"value": repr(metadata_prefix)})
    try:
        schedule_interval(schedule)
    except ValueError:
        problems["schedule"] = (N_("%(value)s is not a schedule: use hourly, daily, weekly or 'every 6h' "
                                   "(m, h, d, w)."), {"value": repr(schedule)})
    for field_name, value in (("name", name), ("url", url), ("set_spec", set_spec), ("schedule", schedule)):
        if value and len(value) > MAX_LENGTHS[field_name] and field_name not in problems:
            problems[field_name] = (N_("At most %(count)s characters."), {"count": MAX_LENGTHS[field_name]})
    hosts = _checked_file_hosts(file_hosts, problems) if kind != "package" else ()
    if problems:
        raise InvalidSource(problems)
    return SourceSettings(name=name, kind=kind, url=url, holding_province=code, metadata_prefix=metadata_prefix,
                          set_spec=set_spec, schedule=schedule, enabled=enabled, file_hosts=hosts)


def _checked_file_hosts(file_hosts, problems: dict) -> tuple[str, ...]:
    typed = file_hosts.split() if isinstance(file_hosts, str) else [h for h in file_hosts or () if h]
    hosts: list[str] = []
    for text in typed:
        try:
            host = parse_file_host(text.strip().strip(","))
        except ValueError:
            problems["file_hosts"] = (N_("%(value)s is not a host: give scheme://host[:port], e.g. "
                                         "https://cdn.example.org."), {"value": repr(text)})
            return ()
        if host not in hosts:
            hosts.append(host)
    if len(hosts) > MAX_FILE_HOSTS:
        problems["file_hosts"] = (N_("At most %(count)s file hosts."), {"count": MAX_FILE_HOSTS})
    return tuple(hosts)


def settings_of(source: Source) -> SourceSettings:
    values = {name: getattr(source, name) for name in SETTINGS}
    values["file_hosts"] = tuple(values["file_hosts"] or ())
    return SourceSettings(**values)


def changes_between(old: SourceSettings | None, new: SourceSettings) -> dict[str, list]:
    """{setting: [old, new]} of what differs; a new source has every setting, old None."""
    def shown(value):  # JSON of the audit row: lists, not tuples
        return list(value) if isinstance(value, tuple) else value
    return {name: [shown(getattr(old, name)) if old else None, shown(getattr(new, name))] for name in SETTINGS
            if old is None or getattr(old, name) != getattr(new, name)}


def apply_settings(source: Source, settings: SourceSettings) -> None:
    for name in SETTINGS:
        setattr(source, name, getattr(settings, name))
    source.file_hosts = list(settings.file_hosts)  # a JSON column


# Who may do what -------------------------------------------------------------------------------

def may_manage_sources(identity: Identity) -> bool:
    return identity.can(MANAGE_ALL) or identity.can(MANAGE_OWN_PROVINCE_SOURCES)


def may_manage(identity: Identity, source: Source) -> bool:
    """National admins manage every source; an archive admin those their province holds."""
    if identity.can(MANAGE_ALL):
        return True
    return identity.can(MANAGE_OWN_PROVINCE_SOURCES) and source.holding_province == valid_province(identity.province)


def may_set_paths(identity: Identity) -> bool:
    """Only national admins name a directory on the server (a package inbox) from the web."""
    return identity.can(MANAGE_ALL)


def _check_may(identity: Identity, settings: SourceSettings, source: Source | None = None) -> None:
    if identity.can(MANAGE_ALL):
        return
    own = valid_province(identity.province)
    if not identity.can(MANAGE_OWN_PROVINCE_SOURCES) or own is None:
        raise SourceRefused("permission")
    if (source is not None and source.holding_province != own) or settings.holding_province != own:
        raise SourceRefused("province")
    if settings.kind == "package" and (source is None or (source.kind, source.url) != ("package", settings.url)):
        raise SourceRefused("package")


# Changes, each written with its audit row in one transaction -----------------------------------

def commit_with_audit(db: Session, source: Source, details: dict) -> None:
    """The change and its audit row commit together, or neither does (AuditUnavailable)."""
    try:
        db.flush()
        record_event_in_transaction(db, audit_actions.SOURCE_CHANGE, target_id=source.id,
                                    target_province=source.holding_province, details=details)
        db.commit()
    except AuditUnavailable:
        db.rollback()
        raise


def add_source(db: Session, identity: Identity, source_id: str, settings: SourceSettings) -> Source:
    source_id = check_source_id(source_id)
    if db.get(Source, source_id) is not None:
        raise InvalidSource({"id": (N_("There is already a source %(value)s."), {"value": repr(source_id)})})
    _check_may(identity, settings)
    source = Source(id=source_id, created_at=utcnow(), run_requested_full=False)
    apply_settings(source, settings)
    db.add(source)
    commit_with_audit(db, source, {"change": "add", "changes": changes_between(None, settings)})
    return source


def update_source(db: Session, identity: Identity, source: Source, settings: SourceSettings) -> dict[str, list]:
    """Changes the source's settings; returns what changed (nothing changed: nothing written)."""
    _check_may(identity, settings, source)
    changes = changes_between(settings_of(source), settings)
    if changes:
        apply_settings(source, settings)
        if list(changes) == ["enabled"]:
            change = "enable" if settings.enabled else "disable"
        else:
            change = "update"
        details = {"change": change, "changes": changes}
        if not settings.enabled and source.run_requested_at is not None:  # a disabled source runs nothing asked for
            source.run_requested_at, source.run_requested_full, source.run_requested_by = None, False, None
            details["run_request"] = "dropped"
        commit_with_audit(db, source, details)
    return changes


def set_enabled(db: Session, identity: Identity, source: Source, enabled: bool) -> dict[str, list]:
    return update_source(db, identity, source, replace(settings_of(source), enabled=enabled))


def last_run_started(db: Session, source_id: str) -> datetime | None:
    """When the source's last run (not a single record's refresh) started, as `--due` reckons."""
    return db.scalars(select(HarvestRun.started_at).where(HarvestRun.source_id == source_id, HarvestRun.mode != "record")
                      .order_by(HarvestRun.id.desc()).limit(1)).first()


def request_run(db: Session, identity: Identity, source: Source, full: bool, requested_by: str) -> bool:
    """Records a run for the next `flask harvest --due`; returns whether it will be full. A full run
    already asked for and not yet started stays full (it covers an incremental one)."""
    if not may_manage(identity, source):
        raise SourceRefused("province")
    if not source.enabled:
        raise SourceRefused("disabled")
    pending_full = run_request_pending(source, last_run_started(db, source.id)) and source.run_requested_full
    source.run_requested_at = utcnow()
    source.run_requested_full = bool(full or pending_full)
    source.run_requested_by = requested_by[:320]
    details = {"requested": "full" if full else "incremental"}
    if pending_full and not full:
        details["kept"] = "full"
    commit_with_audit(db, source, details)
    return source.run_requested_full
