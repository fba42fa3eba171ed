"""The parameters of a search, read from a request's arguments and checked.

Bad input raises SearchParamError naming the parameter: the API answers 400 with it and the
page shows it as a friendly message; nothing reaches OpenSearch that could make it fail.
"""
from __future__ import annotations

import base64
import binascii
import calendar
import json
import re
import unicodedata
from datetime import date
from dataclasses import dataclass

from schema.provinces import normalise_code
from schema.record import ACCESS_LEVELS, LEVELS

SORTS = ("relevance", "date_asc", "date_desc", "reference")
MAX_QUERY_LENGTH = 500
# Each word is looked for in some twenty fields; OpenSearch refuses a query of more than 1,024
# clauses, so a query of more words than this is refused here, with a reason.
MAX_QUERY_WORDS = 32
_WORD = re.compile(r"\w+")
# The advanced search form's fields, each searched in its own field of the record.
FIELD_QUERIES = ("title", "creator", "doc_number", "reference_code")
MAX_FIELD_QUERY_LENGTH = 200
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class SearchParamError(ValueError):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    province: tuple[str, ...] = ()
    origin_province: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    access: tuple[str, ...] = ()
    doc_type: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    title: str = ""
    creator: str = ""
    doc_number: str = ""
    reference_code: str = ""
    date_from: str | None = None
    date_to: str | None = None
    sort: str = "relevance"
    page: int = 1
    size: int = 20
    # Deep paging past the page window: the sort values of the last hit seen (API only).
    search_after: tuple | None = None
    # Hits are counted exactly up to this many, past it "more than" (None: all of them). Counting
    # every hit of a common word at a million records is what kept OpenSearch from skipping the
    # hits that cannot reach the page (issue 21); the pages one may page through are counted exactly.
    total_bound: int | None = None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


def parse_search_params(args, max_size: int = 100, max_window: int = 10_000) -> SearchParams:
    """`args` is a MultiDict (request.args): repeated parameters give several values."""
    q = unicodedata.normalize("NFC", (args.get("q") or "").strip())
    if len(q) > MAX_QUERY_LENGTH:
        raise SearchParamError("q", f"the query is longer than {MAX_QUERY_LENGTH} characters")
    if q.count('"') % 2:
        raise SearchParamError("q", "the query has an unbalanced quotation mark")
    if _word_count(q) > MAX_QUERY_WORDS:
        raise SearchParamError("q", f"the query has more than {MAX_QUERY_WORDS} words")

    fields = {name: _field_query(args, name) for name in FIELD_QUERIES}
    # Every word becomes clauses on several fields; together they must stay under OpenSearch's
    # clause limit (1,024), or a long pasted text would fail the search instead of a clear 400.
    if _word_count(q) + sum(_word_count(value) for value in fields.values()) > MAX_QUERY_WORDS * 2:
        raise SearchParamError("q", f"the search has more than {MAX_QUERY_WORDS * 2} words in all its fields")
    sort = args.get("sort") or ("relevance" if q or any(fields.values()) else "reference")
    if sort not in SORTS:
        raise SearchParamError("sort", f"sort must be one of {', '.join(SORTS)}")
    page = _int(args, "page", 1, minimum=1)
    size = _int(args, "size", 20, minimum=1)
    if size > max_size:
        raise SearchParamError("size", f"size must be at most {max_size}")
    search_after = _search_after(args.get("search_after"), sort)
    if search_after is not None and page != 1:
        raise SearchParamError("page", "page cannot be combined with search_after")
    if search_after is None and page * size > max_window:
        raise SearchParamError("page", f"only the first {max_window} results can be paged through")

    date_from, date_to = _date(args, "from"), _date(args, "to")
    if date_from and date_to and range_start(date_from) > range_end(date_to):
        raise SearchParamError("from", "the start of the date range is after its end")
    return SearchParams(
        q=q,
        province=_provinces(args, "province"),
        origin_province=_provinces(args, "origin_province"),
        level=_choices(args, "level", LEVELS),
        access=_choices(args, "access", ACCESS_LEVELS),
        doc_type=tuple(v.strip() for v in args.getlist("doc_type") if v.strip()),
        language=tuple(v.strip() for v in args.getlist("language") if v.strip()),
        **fields,
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        page=page,
        size=size,
        search_after=search_after,
        total_bound=max_window,
    )


# The types of the sort values of each sort, in order (see portal.search.query): a token is
# checked against them, so a forged or stale token is a 400, never a failed search.
_CODE = (str, type(None))  # a record without a reference code sorts with null
SORT_VALUE_TYPES = {
    "date_asc": (int, str),
    "date_desc": (int, str),
    "reference": (_CODE, str),
}


def encode_search_after(sort: str, sort_values: list) -> str:
    """The opaque token a client sends back to get the hits after these sort values."""
    raw = json.dumps({"sort": sort, "after": sort_values}, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _search_after(token: str | None, sort: str) -> tuple | None:
    if not token:
        return None
    if sort not in SORT_VALUE_TYPES:  # relevance: its hits are ordered by score alone, ties by the index's order
        raise SearchParamError("search_after", "search_after pages by date or reference code, not by relevance")
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        decoded = None
    if not isinstance(decoded, dict) or not isinstance(decoded.get("after"), list):
        raise SearchParamError("search_after", "search_after must be a token from a previous answer")
    if decoded.get("sort") != sort:
        raise SearchParamError("search_after", "search_after belongs to another sort order")
    values, types = decoded["after"], SORT_VALUE_TYPES[sort]
    if len(values) != len(types) or not all(
            isinstance(v, t) and not isinstance(v, bool) for v, t in zip(values, types)):
        raise SearchParamError("search_after", "search_after must be a token from a previous answer")
    return tuple(values)


def _field_query(args, name: str) -> str:
    value = unicodedata.normalize("NFC", (args.get(name) or "").strip())
    if len(value) > MAX_FIELD_QUERY_LENGTH:
        raise SearchParamError(name, f"{name} is longer than {MAX_FIELD_QUERY_LENGTH} characters")
    if value.count('"') % 2:
        raise SearchParamError(name, f"{name} has an unbalanced quotation mark")
    if _word_count(value) > MAX_QUERY_WORDS:
        raise SearchParamError(name, f"{name} has more than {MAX_QUERY_WORDS} words")
    return value


def _word_count(text: str) -> int:
    """Words as the analyzer will see them: punctuation splits them as much as spaces do."""
    return len(_WORD.findall(text))


def _int(args, name: str, default: int, minimum: int) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SearchParamError(name, f"{name} must be a whole number") from None
    if value < minimum:
        raise SearchParamError(name, f"{name} must be at least {minimum}")
    return value


def _provinces(args, name: str) -> tuple[str, ...]:
    codes = []
    for value in args.getlist(name):
        if not value.strip():
            continue
        try:
            codes.append(normalise_code(value))
        except ValueError:
            raise SearchParamError(name, f"{name} takes province codes such as 86") from None
    return tuple(dict.fromkeys(codes))


def _choices(args, name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    values = tuple(dict.fromkeys(v for v in args.getlist(name) if v))
    for value in values:
        if value not in allowed:
            raise SearchParamError(name, f"{name} must be one of {', '.join(allowed)}")
    return values


def _date(args, name: str) -> str | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        range_start(value), range_end(value)  # a real calendar day, month or year
    except ValueError:
        raise SearchParamError(name, f"{name} takes a year or a date such as 1976 or 1976-03-05") from None
    return value


def range_start(value: str) -> str:
    """First day a year, month or day denotes; ValueError for one that does not exist."""
    parts = [int(p) for p in value.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1).isoformat()


def range_end(value: str) -> str:
    """Last day a year, month or day denotes; ValueError for one that does not exist."""
    parts = [int(p) for p in value.split("-")]
    year, month = parts[0], parts[1] if len(parts) > 1 else 12
    day = parts[2] if len(parts) > 2 else calendar.monthrange(year, month if 1 <= month <= 12 else 1)[1]
    return date(year, month, day).isoformat()
