"""Datestamps in seconds granularity (YYYY-MM-DDThh:mm:ssZ; days accepted in from/until), and a record's.

A record's datestamp is when what it says last changed (`changed_at`, kept by the indexer while its content
hash stays the same), or when its opening date made a closed record visible, whichever is later; a
tombstone's is when the record left. Records indexed before `changed_at` existed fall back on `harvested_at`.
"""
from __future__ import annotations

import re
from datetime import datetime, time, timezone

from portal.access.policy import OPENING_STEP, opens_at

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class BadDatestamp(ValueError):
    pass


def parse_bound(text: str, end: bool = False) -> tuple[datetime, str]:
    """(the moment, its granularity) of a from (or, `end`, an until: a day means its last second)."""
    if _SECONDS.match(text):
        granularity, pattern = "seconds", "%Y-%m-%dT%H:%M:%SZ"
    elif _DAY.match(text):
        granularity, pattern = "day", "%Y-%m-%d"
    else:
        raise BadDatestamp(f"{text!r} is not a date (YYYY-MM-DD) or a time (YYYY-MM-DDThh:mm:ssZ)")
    try:
        moment = datetime.strptime(text, pattern).replace(tzinfo=timezone.utc)
    except ValueError as error:
        raise BadDatestamp(f"{text!r} is not a real date") from error
    if granularity == "day" and end:
        moment = datetime.combine(moment.date(), time(23, 59, 59), tzinfo=timezone.utc)
    return moment, granularity


def parse_range(from_text: str | None, until_text: str | None) -> tuple[datetime | None, datetime | None]:
    """from and until as moments; BadDatestamp when unreadable, of two granularities, or from after until."""
    start = parse_bound(from_text) if from_text else None
    end = parse_bound(until_text, end=True) if until_text else None
    if start and end:
        if start[1] != end[1]:
            raise BadDatestamp("from and until must have the same granularity")
        if start[0] > end[0]:
            raise BadDatestamp("from must not be later than until")
    return (start[0] if start else None), (end[0] if end else None)


def format_datestamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stored(value) -> datetime | None:
    """A date as the index keeps it (ISO 8601, with or without a zone: UTC then), or None."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def datestamp_of(document: dict, now: datetime) -> datetime:
    changed = parse_stored(document.get("changed_at")) or parse_stored(document.get("harvested_at")) or now
    opened = parse_stored(document.get("open_after"))
    opened = opens_at(opened) if opened else None  # when the permission filter first let it through
    if opened and changed < opened <= now:
        return opened
    return changed


def _range(start: datetime | None, end: datetime | None) -> dict:
    bounds = {}
    if start:
        bounds["gte"] = format_datestamp(start)
    if end:
        bounds["lte"] = format_datestamp(end)
    return bounds


def datestamp_filter(start: datetime | None, end: datetime | None, now: datetime) -> dict | None:
    """Records whose datestamp may fall in [start, end]: changed then, or opened then (a record both changed
    and opened inside and outside the range may come too: a harvester takes it again, nothing is missed)."""
    if start is None and end is None:
        return None
    opened_until = min(end, now) if end else now
    # A record opens on the full hour after its open_after (portal.access.policy.opens_at).
    opened_from = start - OPENING_STEP if start else None
    return {"bool": {"minimum_should_match": 1, "should": [
        {"range": {"changed_at": _range(start, end)}},
        {"bool": {"must_not": {"exists": {"field": "changed_at"}},
                  "filter": {"range": {"harvested_at": _range(start, end)}}}},
        {"range": {"open_after": _range(opened_from, opened_until)}},
    ]}}
