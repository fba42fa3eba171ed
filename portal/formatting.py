"""Dates, times and numbers as people read them (Flask-Babel): 06/12/2026 14:05 and 1.285 in Vietnamese,
6 Dec 2026 14:05 and 1,285 in English, times in Việt Nam's time zone (BABEL_DEFAULT_TIMEZONE). The
stored values stay UTC; `<time datetime=…>` and exports keep the machine-readable ISO form."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_date, format_datetime, format_decimal, get_locale, to_user_timezone

_DAY = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}


def _day_pattern() -> str:
    return _DAY.get(str(get_locale()), _DAY["vi"])


def day(value: date | datetime | str | None) -> str:
    """A calendar day; a datetime is first moved to the reader's time zone; an ISO string is read."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    return format_date(value, _day_pattern())


def moment(value: datetime | str | None, seconds: bool = False) -> str:
    """A point in time, in the reader's time zone (a naive value is UTC, as SQLite gives it back; an ISO
    string is read)."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return format_datetime(value, f"{_day_pattern()} HH:mm{':ss' if seconds else ''}")


def number(value: int | float | None) -> str:
    return "" if value is None else format_decimal(value)
