"""Dates as archives write them, turned into ranges of whole days.

Sources send "1976-03-05", "1975", "03/1976", "05/03/1976", "năm 1980", "1975-1980" or an
ISO interval "1975-01-01/1980-12-31". A partial date is kept as the range it denotes: "1976"
is 1976-01-01 … 1976-12-31, so a search for 1976 finds it and no precision is invented.

Finding aids written in English (ArchivesSpace, AtoM) add "Nov. 29, 1949 - April 8, 1950", "29 November
1949", "ca. 1945", "[1945?]", "1940s", lists ("1851, 1882, 1884") and open ranges such as "1929-", kept as the year they begin (their
end is not known).
"""
from __future__ import annotations

import calendar
import re
from datetime import date

_YEAR_MIN, _YEAR_MAX = 1000, 2100

_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_PLAIN_ISO_DAY = re.compile(r"(\d{4})-(\d\d)-(\d\d)")  # what most sources send: read before any other form
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_MY = re.compile(r"^(\d{1,2})[/.](\d{4})$")
_WORDS = re.compile(r"^(?:ngày\s+(\d{1,2})\s+)?(?:tháng\s+(\d{1,2})\s+)?năm\s+(\d{4})$", re.IGNORECASE)
_MONTHS = {name: number for number, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")], start=1) for name in names}
_MONTH = r"([A-Za-z]{3,9})\.?"
_ENGLISH_MDY = re.compile(rf"^{_MONTH}\s+(\d{{1,2}}),?\s+(\d{{4}})$")
_ENGLISH_DMY = re.compile(rf"^(\d{{1,2}})\s+{_MONTH},?\s+(\d{{4}})$")
_ENGLISH_MY = re.compile(rf"^{_MONTH},?\s+(\d{{4}})$")
_DECADE = re.compile(r"^(\d{3})0s$")
_APPROXIMATE = re.compile(r"^(?:ca\.?|circa|c\.|approx\.?|approximately|about)\s*", re.IGNORECASE)
_OPEN_RANGE = re.compile(r"^(\d{4})\s*[-–]$")
_YEARS_AROUND_SLASH = re.compile(r"\d{4}.*/.*\d{4}")
_YEAR_DASH_YEAR = re.compile(r"\d{4}-\d{4}")
_ONE_SIDED_DASH = re.compile(r"\s+[-–—]\s*|\s*[-–—]\s+")


def parse_date_range(text: str | None) -> tuple[str, str] | None:
    """(start, end) as ISO days, or None when the text is not a date we can read."""
    if not text:
        return None
    text = " ".join(text.strip().split())
    # The commonest forms, read as the forms below would read them, sooner.
    if len(text) == 10 and (match := _PLAIN_ISO_DAY.fullmatch(text)):
        return _day(int(match[1]), int(match[2]), int(match[3]))
    if len(text) == 4 and (match := _YEAR.match(text)):
        return _year(int(match[1]))
    if match := _OPEN_RANGE.match(text):
        return _year(int(match[1]))
    for separator in ("/", " - ", "–", "—", " đến ", " to ", "-"):
        if separator == "/" and not _YEARS_AROUND_SLASH.search(text):
            continue  # a slash inside "03/1976" is not an interval
        if separator == "-" and not _YEAR_DASH_YEAR.fullmatch(text):
            continue  # "1976-03-05" is one day, "1975-1980" two years
        if separator in text:
            first, _, last = text.partition(separator)
            if found := _span(_parse_one(first), _parse_one(last)):
                return found
    # NYU's finding aids (ArchivesSpace's wnyu.xml) space the dash on one side: "Nov. 29, 1949 -April 8, 1950".
    if (dash := _ONE_SIDED_DASH.search(text)) and (
            found := _span(_parse_one(text[:dash.start()]), _parse_one(text[dash.end():]))):
        return found
    if single := _parse_one(text):
        return single
    # A list of dates ("1851, 1882, 1884", ArchivesSpace's afcu.xml) spans its earliest to its latest.
    listed = [_parse_one(part) for part in text.split(",")] if "," in text else []
    if len(listed) > 1 and all(listed):
        return min(day for day, _ in listed), max(day for _, day in listed)
    return None


def _span(start: tuple[str, str] | None, end: tuple[str, str] | None) -> tuple[str, str] | None:
    return (start[0], end[1]) if start and end and start[0] <= end[1] else None


def _parse_one(text: str) -> tuple[str, str] | None:
    text = _APPROXIMATE.sub("", text.strip().strip("[]").rstrip("?").strip("[]")).rstrip(".")
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
    return _parse_english(text)


def _parse_english(text: str) -> tuple[str, str] | None:
    if match := _ENGLISH_MDY.match(text):
        month = _MONTHS.get(match[1].lower())
        return _day(int(match[3]), month, int(match[2])) if month else None
    if match := _ENGLISH_DMY.match(text):
        month = _MONTHS.get(match[2].lower())
        return _day(int(match[3]), month, int(match[1])) if month else None
    if match := _ENGLISH_MY.match(text):
        month = _MONTHS.get(match[1].lower())
        return _month(int(match[2]), month) if month else None
    if match := _DECADE.match(text):
        first = _year(int(match[1] + "0"))
        last = _year(int(match[1] + "9"))
        return (first[0], last[1]) if first and last else None
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
