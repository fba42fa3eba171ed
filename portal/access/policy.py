"""The permission policy: which records an identity may know of, and whose content it may read.

Each rule is written twice, side by side: as an OpenSearch query (applied to every search,
count, aggregation, highlight and fetch) and as a Python check on a fetched document (the
second lock on record pages and on highlights). Keep the two in step.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from portal.access import clock
from portal.access.identity import Identity, valid_province
from portal.access.roles import READ_ALL, READ_OWN_PROVINCE, READ_PUBLIC, REQUEST_ACCESS
from schema.record import ACCESS_PUBLIC, ACCESS_RESTRICTED

_MATCH_NONE = {"bool": {"must_not": {"match_all": {}}}}


OPENING_STEP = timedelta(hours=1)


def opening_cutoff() -> datetime:
    """Records whose open_after is at or before this moment are open: the hour just past, not "now".

    A request that says "now" is never kept in OpenSearch's request cache, so every page of a search
    would count its facets again; naming the hour makes one search the same request for an hour.
    A record opens on its open_after date exactly (sources give dates, midnight UTC); one whose
    open_after has a time opens at the next full hour (`opens_at`), never early."""
    return clock.now().replace(minute=0, second=0, microsecond=0)


def opens_at(open_after: datetime) -> datetime:
    """The moment a record with this open_after becomes visible: the first full hour at or after it."""
    hour = open_after.replace(minute=0, second=0, microsecond=0)
    return hour if hour == open_after else hour + OPENING_STEP


def _opened_by_date_filter() -> dict:
    return {"range": {"open_after": {"lte": opening_cutoff().strftime("%Y-%m-%dT%H:%M:%SZ")}}}


def _own_province(identity: Identity) -> str | None:
    return valid_province(identity.province) if identity.can(READ_OWN_PROVINCE) else None


def visible_filter(identity: Identity) -> dict:
    """Records the identity may know exist: closed ones only for their province's staff."""
    if identity.can(READ_ALL):
        return {"match_all": {}}
    if not identity.can(READ_PUBLIC):
        return _MATCH_NONE
    should = [{"terms": {"access": [ACCESS_PUBLIC, ACCESS_RESTRICTED]}}, _opened_by_date_filter()]
    if province := _own_province(identity):
        should.append({"term": {"holding_province": province}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def content_filter(identity: Identity) -> dict:
    """Records whose full text and files the identity may read."""
    if identity.can(READ_ALL):
        return {"match_all": {}}
    if not identity.can(READ_PUBLIC):
        return _MATCH_NONE
    should = [{"term": {"access": ACCESS_PUBLIC}}, _opened_by_date_filter()]
    if province := _own_province(identity):
        should.append({"term": {"holding_province": province}})
    if granted := _grants(identity):
        should.append({"bool": {"must": {"terms": {"access": [ACCESS_RESTRICTED]}}, "should": [
            {"ids": {"values": granted}}, {"terms": {"path": granted}}], "minimum_should_match": 1}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def can_see(identity: Identity, document: dict) -> bool:
    if identity.can(READ_ALL):
        return True
    if not identity.can(READ_PUBLIC):
        return False
    if document.get("access") in (ACCESS_PUBLIC, ACCESS_RESTRICTED) or _opened_by_date(document):
        return True
    return _held_by_own_province(identity, document)


def can_read_content(identity: Identity, document: dict) -> bool:
    if identity.can(READ_ALL):
        return True
    if not identity.can(READ_PUBLIC):
        return False
    if document.get("access") == ACCESS_PUBLIC or _opened_by_date(document):
        return True
    if _held_by_own_province(identity, document):
        return True
    if document.get("access") == ACCESS_RESTRICTED and (granted := _grants(identity)):
        covered = {document.get("id"), *(document.get("path") or [])}
        return bool(covered & set(granted))
    return False


def _grants(identity: Identity) -> list[str]:
    """Grants count only for one who may hold them (readers and staff); a grant left to a user
    whose role has since changed to one without requests (e.g. auditor) opens nothing."""
    if not identity.granted_record_ids or not identity.can(REQUEST_ACCESS):
        return []
    return sorted(identity.granted_record_ids)


def _held_by_own_province(identity: Identity, document: dict) -> bool:
    province = _own_province(identity)
    return province is not None and document.get("holding_province") == province


def _opened_by_date(document: dict) -> bool:
    open_after = document.get("open_after")
    if not open_after:
        return False
    try:
        when = datetime.fromisoformat(str(open_after).replace("Z", "+00:00"))
    except ValueError:
        return False  # an unreadable date opens nothing
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when <= opening_cutoff()


__all__ = ["visible_filter", "content_filter", "can_see", "can_read_content", "opening_cutoff", "opens_at"]
