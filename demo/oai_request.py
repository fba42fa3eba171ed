"""Parsing and checking the arguments of an OAI-PMH 2.0 request: the verb, its arguments, dates and tokens.

Everything here raises `OaiError` with the protocol's error code; the caller turns it into an <error> element.
Resumption tokens are stateless: they carry the whole query (prefix, from, until, set) and the next offset.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, replace
from datetime import datetime

METADATA_PREFIX = "oai_dc"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"

_DAY_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECONDS_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_TOKEN_FIELD_SEPARATOR = "|"


class OaiError(Exception):
    """A request the protocol answers with an <error code="…"> element."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    @property
    def echoes_arguments(self) -> bool:
        # OAI-PMH 2.0 §3.2: after badVerb or badArgument the <request> element carries no attributes.
        return self.code not in ("badVerb", "badArgument")


@dataclass(frozen=True)
class VerbArguments:
    required: frozenset[str]
    optional: frozenset[str]
    exclusive: str | None = None  # an argument that must come alone (resumptionToken)

    @property
    def allowed(self) -> frozenset[str]:
        exclusive = {self.exclusive} if self.exclusive else set()
        return self.required | self.optional | exclusive


_LIST_ARGUMENTS = VerbArguments(frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}),
                                "resumptionToken")
VERB_ARGUMENTS = {
    "Identify": VerbArguments(frozenset(), frozenset()),
    "ListMetadataFormats": VerbArguments(frozenset(), frozenset({"identifier"})),
    "ListSets": VerbArguments(frozenset(), frozenset(), "resumptionToken"),
    "ListIdentifiers": _LIST_ARGUMENTS,
    "ListRecords": _LIST_ARGUMENTS,
    "GetRecord": VerbArguments(frozenset({"identifier", "metadataPrefix"}), frozenset()),
}


@dataclass(frozen=True)
class OaiRequest:
    verb: str
    arguments: dict[str, str]  # every argument but the verb, exactly as sent


@dataclass(frozen=True)
class ListQuery:
    """What a ListIdentifiers / ListRecords request asks for, whether spelled out or carried by a token."""

    metadata_prefix: str
    from_date: str | None  # as sent: YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ
    until_date: str | None
    set_spec: str | None
    offset: int = 0
    from_token: bool = False

    def lowest_datestamp(self) -> str | None:
        """The `from` bound at seconds granularity, inclusive."""
        if self.from_date is None:
            return None
        return self.from_date if "T" in self.from_date else f"{self.from_date}T00:00:00Z"

    def highest_datestamp(self) -> str | None:
        """The `until` bound at seconds granularity, inclusive: a day bound covers the whole day."""
        if self.until_date is None:
            return None
        return self.until_date if "T" in self.until_date else f"{self.until_date}T23:59:59Z"

    def matches(self, datestamp: str, set_spec: str) -> bool:
        # Datestamps all share one fixed-width UTC format, so string order is time order.
        lowest, highest = self.lowest_datestamp(), self.highest_datestamp()
        if lowest is not None and datestamp < lowest:
            return False
        if highest is not None and datestamp > highest:
            return False
        if self.set_spec is not None and not (set_spec == self.set_spec or set_spec.startswith(self.set_spec + ":")):
            return False
        return True


def parse_request(pairs: list[tuple[str, str]]) -> OaiRequest:
    """Check the verb and that its arguments are legal, none repeated, none missing, none empty."""
    verbs = [value for key, value in pairs if key == "verb"]
    if not verbs:
        raise OaiError("badVerb", "The verb argument is missing.")
    if len(verbs) > 1:
        raise OaiError("badVerb", "The verb argument is repeated.")
    verb = verbs[0]
    if verb not in VERB_ARGUMENTS:
        raise OaiError("badVerb", f"Illegal OAI verb: {verb!r}.")
    arguments: dict[str, str] = {}
    for key, value in pairs:
        if key == "verb":
            continue
        if key in arguments:
            raise OaiError("badArgument", f"The argument {key!r} is repeated.")
        arguments[key] = value
    expected = VERB_ARGUMENTS[verb]
    illegal = sorted(set(arguments) - expected.allowed)
    if illegal:
        raise OaiError("badArgument", f"Illegal argument(s) for {verb}: {', '.join(illegal)}.")
    if expected.exclusive and expected.exclusive in arguments:
        if len(arguments) > 1:
            raise OaiError("badArgument", f"{expected.exclusive} is an exclusive argument.")
    else:
        missing = sorted(expected.required - set(arguments))
        if missing:
            raise OaiError("badArgument", f"Missing required argument(s) for {verb}: {', '.join(missing)}.")
    empty = sorted(key for key, value in arguments.items() if not value)
    if empty:
        raise OaiError("badArgument", f"Empty argument(s): {', '.join(empty)}.")
    return OaiRequest(verb, arguments)


def list_query(arguments: dict[str, str], prefixes: tuple[str, ...] = (METADATA_PREFIX,)) -> ListQuery:
    """The query of a ListIdentifiers / ListRecords request, from its arguments or its resumption token;
    `prefixes` are the metadata formats the archive disseminates."""
    if "resumptionToken" in arguments:
        return decode_resumption_token(arguments["resumptionToken"], prefixes)
    query = ListQuery(arguments["metadataPrefix"], arguments.get("from"), arguments.get("until"),
                      arguments.get("set"))
    check_date_range(query.from_date, query.until_date)
    if query.metadata_prefix not in prefixes:
        raise OaiError("cannotDisseminateFormat", f"Unsupported metadataPrefix {query.metadata_prefix!r}.")
    return query


def check_date_range(from_date: str | None, until_date: str | None) -> None:
    """badArgument unless both dates are valid, of the same granularity, and from <= until."""
    granularities = [_granularity(value, name) for name, value in (("from", from_date), ("until", until_date))
                     if value is not None]
    if len(set(granularities)) > 1:
        raise OaiError("badArgument", "The from and until arguments have different granularities.")
    if from_date is not None and until_date is not None and from_date > until_date:
        raise OaiError("badArgument", "The from argument is later than the until argument.")


def encode_resumption_token(query: ListQuery, offset: int) -> str:
    fields = (query.metadata_prefix, query.from_date or "", query.until_date or "", query.set_spec or "",
              str(offset))
    packed = _TOKEN_FIELD_SEPARATOR.join(fields).encode("utf-8")
    return base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode_resumption_token(token: str, prefixes: tuple[str, ...] = (METADATA_PREFIX,)) -> ListQuery:
    try:
        padded = token + "=" * (-len(token) % 4)
        fields = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8").split(_TOKEN_FIELD_SEPARATOR)
    except (binascii.Error, UnicodeError, ValueError):
        raise OaiError("badResumptionToken", "The resumptionToken is not one this repository issued.") from None
    if len(fields) != 5 or fields[0] not in prefixes or not fields[4].isdigit():
        raise OaiError("badResumptionToken", "The resumptionToken is not one this repository issued.")
    prefix, from_date, until_date, set_spec, offset = fields
    query = ListQuery(prefix, from_date or None, until_date or None, set_spec or None, int(offset))
    try:
        check_date_range(query.from_date, query.until_date)
    except OaiError:
        raise OaiError("badResumptionToken", "The resumptionToken carries invalid dates.") from None
    return replace(query, from_token=True)


def _granularity(value: str, name: str) -> str:
    if _SECONDS_PATTERN.fullmatch(value):
        layout, granularity = "%Y-%m-%dT%H:%M:%SZ", "seconds"
    elif _DAY_PATTERN.fullmatch(value):
        layout, granularity = "%Y-%m-%d", "day"
    else:
        raise OaiError("badArgument", f"The {name} argument {value!r} is not a UTC datestamp ({GRANULARITY}).")
    try:
        datetime.strptime(value, layout)
    except ValueError:
        raise OaiError("badArgument", f"The {name} argument {value!r} is not a valid date.") from None
    return granularity
