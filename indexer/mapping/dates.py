"""Dates as archives write them, turned into ranges of whole days.

Sources send "1976-03-05", "1975", "03/1976", "05/03/1976", "năm 1980", "1975-1980" or an
ISO interval "1975-01-01/1980-12-31". A partial date is kept as the range it denotes: "1976"
is 1976-01-01 … 1976-12-31, so a search for 1976 finds it and no precision is invented.
"""
from __future__ import annotations

import calendar
import re
from datetime import date

_YEAR_MIN, _YEAR_MAX = 1000, 2100

_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_MY = re.compile(r"^(\d{1,2})[/.](\d{4})$")
_WORDS = re.compile(r"^(?:ngày\s+(\d{1,2})\s+)?(?:tháng\s+(\d{1,2})\s+)?năm\s+(\d{4})$", re.IGNORECASE)


def parse_date_range(text: str | None) -> tuple[str, str] | None:
    """(start, end) as ISO days, or None when the text is not a date we can read."""
    if not text:
        return None
    text = " ".join(text.strip().split())
    for separator in ("/", " - ", "–", "—", " đến ", "-"):
        if separator == "/" and not re.search(r"\d{4}.*/.*\d{4}", text):
            continue  # a slash inside "03/1976" is not an interval
        if separator == "-" and not re.fullmatch(r"\d{4}-\d{4}", text):
            continue  # "1976-03-05" is one day, "1975-1980" two years
        if separator in text:
            first, _, last = text.partition(separator)
            start, end = _parse_one(first), _parse_one(last)
            if start and end and start[0] <= end[1]:
                return start[0], end[1]
    single = _parse_one(text)
    return single


def _parse_one(text: str) -> tuple[str, str] | None:
    text = text.strip().rstrip(".")
    if match := _ISO_DAY.match(text):
        return _day(int(match[1]), int(match[2]), int(match[3]))
    if match := _ISO_MONTH.match(text):
        return _month(int(match[1]), int(match[2]))
    if match := _YEAR.match(text):
        return _year(int(match[1]))
    if match := _DMY.match(text):
        return _day(int(match[3]), int(match[2]), int(match[1]))
    if match := _MY.match(text):
        return _month(int(match[2]), int(match[1]))
    if match := _WORDS.match(text):
        day, month, year = match[1], match[2], int(match[3])
        if day and month:
            return _day(year, int(month), int(day))
        if month:
            return _month(year, int(month))
        return _year(year)
    return None


def _day(year: int, month: int, day: int) -> tuple[str, str] | None:
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    if not _YEAR_MIN <= year <= _YEAR_MAX:
        return None
    return value.isoformat(), value.isoformat()


def _month(year: int, month: int) -> tuple[str, str] | None:
    if not (1 <= month <= 12 and _YEAR_MIN <= year <= _YEAR_MAX):
        return None
    last = calendar.monthrange(year, month)[1]
    return date(year, month, 1).isoformat(), date(year, month, last).isoformat()


def _year(year: int) -> tuple[str, str] | None:
    if not _YEAR_MIN <= year <= _YEAR_MAX:
        return None
    return f"{year:04d}-01-01", f"{year:04d}-12-31"
