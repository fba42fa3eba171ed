"""The archives' descriptions: reading them, who may change which, checking and saving a change with its
audit row. Writes the database only; what an archive holds is read through the record service."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.access.identity import Identity, valid_province
from portal.access.roles import MANAGE_ALL, MANAGE_OWN_PROVINCE_SOURCES
from portal.admin.harvests import SUCCESS_STATES
from portal.archives.models import TEXT_FIELDS, Archive
from portal.audit import actions as audit_actions
from portal.audit.log import AuditUnavailable, record_event_in_transaction
from schema.folding import folded_words
from schema.provinces import province_name
from schema.tables import HarvestRun, Source, utcnow

EDITABLE = (*TEXT_FIELDS, "latitude", "longitude")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# The country with its islands, loosely: a place outside is a typing mistake (a swapped latitude and longitude).
LATITUDES, LONGITUDES = (7.0, 24.0), (101.0, 118.0)


def N_(message: str) -> str:
    """Marks a message for pybabel; the page translates it where it is shown."""
    return message


class InvalidDescription(ValueError):
    """Field → (message, its parameters) of everything wrong in the description, every field at once."""

    def __init__(self, problems: dict[str, tuple[str, dict]]):
        self.problems = problems
        super().__init__("; ".join(f"{name}: {message % params}" for name, (message, params) in problems.items()))


class EditRefused(Exception):
    pass


def all_archives(db: Session) -> list[Archive]:
    """The 34 archives in the order of their provinces' own names (Huế among the H, not under "Thành phố"),
    as a Vietnamese reader looks one up."""
    def proper_name(archive: Archive) -> str:
        return (province_name(archive.province) or archive.province).removeprefix("Thành phố ")
    return sorted(db.scalars(select(Archive)), key=lambda archive: folded_words(proper_name(archive)))


def archive_of(db: Session, province: str) -> Archive | None:
    code = valid_province(province)
    return db.get(Archive, code) if code else None


def may_edit(identity: Identity, province: str) -> bool:
    """Who manages the province's sources describes its archive; national admins every archive."""
    if identity.can(MANAGE_ALL):
        return True
    return identity.can(MANAGE_OWN_PROVINCE_SOURCES) and province == valid_province(identity.province)


def checked_description(values: dict) -> dict:
    """The description as typed, trimmed and checked: {field: value}, coordinates as numbers (or None)."""
    problems: dict[str, tuple[str, dict]] = {}
    checked: dict = {}
    for name, longest in TEXT_FIELDS.items():
        value = (values.get(name) or "").strip().replace("\r\n", "\n")
        if len(value) > longest:
            problems[name] = (N_("At most %(count)s characters."), {"count": longest})
        checked[name] = value
    if not checked["name"]:
        problems["name"] = (N_("Give the archive's name."), {})
    if checked["email"] and not _EMAIL.match(checked["email"]):
        problems["email"] = (N_("This is not an e-mail address."), {})
    if checked["website"]:
        parts = urlsplit(checked["website"])
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems["website"] = (N_("The address must start with http:// or https:// and name a host."), {})
    for name, (low, high) in (("latitude", LATITUDES), ("longitude", LONGITUDES)):
        checked[name] = _coordinate(values.get(name), low, high, name, problems)
    if (checked["latitude"] is None) != (checked["longitude"] is None) and not problems.keys() & {"latitude",
                                                                                                 "longitude"}:
        missing = "longitude" if checked["longitude"] is None else "latitude"
        problems[missing] = (N_("Give both coordinates, or neither."), {})
    if problems:
        raise InvalidDescription(problems)
    return checked


def _coordinate(typed, low: float, high: float, name: str, problems: dict) -> float | None:
    text = str(typed if typed is not None else "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        problems[name] = (N_("Give a number in degrees, e.g. 10.25."), {})
        return None
    if not low <= value <= high:
        problems[name] = (N_("Give a number between %(low)s and %(high)s (within Việt Nam)."),
                          {"low": low, "high": high})
        return None
    return round(value, 6)


def update_archive(db: Session, identity: Identity, archive: Archive, values: dict, changed_by: str) -> dict:
    """Saves the checked description; returns {field: [old, new]} of what changed, written with its audit row
    in one transaction (nothing changed: nothing written). EditRefused for one who may not."""
    if not may_edit(identity, archive.province):
        raise EditRefused(archive.province)
    changes = {name: [getattr(archive, name), values[name]] for name in EDITABLE
               if getattr(archive, name) != values[name]}
    if not changes:
        return changes
    for name, (_old, new) in changes.items():
        setattr(archive, name, new)
    archive.updated_at, archive.updated_by = utcnow(), changed_by[:320]
    try:
        db.flush()
        record_event_in_transaction(db, audit_actions.ARCHIVE_CHANGE, target_id=f"archive:{archive.province}",
                                    target_province=archive.province, details={"changes": changes})
        db.commit()
    except AuditUnavailable:
        db.rollback()
        raise
    return changes


@dataclass(frozen=True)
class SourceHarvest:
    """One of the archive's sources as a reader sees it: its name and when it was last harvested."""
    name: str
    kind: str
    last_harvest: object  # datetime of the end of its last successful run, or None


def sources_harvested(db: Session, province: str) -> list[SourceHarvest]:
    """The archive's enabled sources, each with the end of its last successful run (never its address)."""
    sources = list(db.scalars(select(Source).where(Source.holding_province == province, Source.enabled.is_(True))
                              .order_by(Source.id)))
    found = []
    for source in sources:
        last = db.scalars(select(HarvestRun.finished_at).where(HarvestRun.source_id == source.id,
                                                              HarvestRun.state.in_(SUCCESS_STATES),
                                                              HarvestRun.mode != "record")
                          .order_by(HarvestRun.finished_at.desc()).limit(1)).first()
        found.append(SourceHarvest(source.name or source.id, source.kind, last))
    return found
