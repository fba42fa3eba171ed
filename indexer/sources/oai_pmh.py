"""OAI-PMH 2.0 harvesting: Identify, ListMetadataFormats, ListSets, ListRecords page by page
through resumption tokens, and GetRecord.

XML is parsed without entity expansion, DTD loading or network access: a province's server
is trusted to describe its records, not to make us read files or explode memory.

A source that stumbles is retried a bounded number of times (HTTP 429/5xx, Retry-After
honoured up to a cap, timeouts, refused connections, an HTML page where XML was expected).
A page that is not well-formed as a whole (one broken record, control characters, a wrong
encoding declaration) is repaired where the fault is plain, and otherwise read record by
record, so that one bad record fails alone.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable, Iterator

import requests
from lxml import etree

from indexer.errors import SourceProtocolError, SourceUnavailable
from schema.file_links import LinkRefused

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
NS = {"oai": OAI_NS}

_SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=True
)
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
DEFAULT_MAX_RECORD_BYTES = 10 * 1024 * 1024  # libxml2 refuses larger text nodes without huge_tree anyway


@dataclass
class RetryPolicy:
    """Bounded retries: `attempts` tries in all, waits doubling from `backoff`, none longer than `max_wait`
    (a Retry-After asking for more is cut to it)."""

    attempts: int = 3
    backoff: float = 0.5
    max_wait: float = 120.0


@dataclass
class OaiRecord:
    identifier: str
    datestamp: str
    deleted: bool
    set_specs: list[str] = field(default_factory=list)
    metadata: etree._Element | None = None  # the element inside <metadata>, None if deleted
    metadata_prefix: str | None = None
    # A record that could not be read: (kind, message); it fails alone.
    problem: tuple[str, str] | None = None


@dataclass
class OaiPage:
    records: list[OaiRecord]
    token: str | None  # of the next page; None on the last
    cursor: int | None = None
    complete_list_size: int | None = None
    expiration_date: str | None = None
    repaired: str | None = None  # what was wrong with the page as a whole, when it had to be mended
    content: bytes = field(default=b"", repr=False, compare=False)  # as the source sent it: a page task reads it again
    listed: int | None = None  # the records the page lists, counted also when they are not read (default: read)
    # Pages taken together (indexer/stages/gather.py, joined_pages): each one's content, in list order.
    parts: tuple[bytes, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.listed is None:
            self.listed = len(self.records)

    @property
    def contents(self) -> tuple[bytes, ...]:
        """Each page's content as the source sent it: the pages taken together, or this one."""
        return self.parts or (self.content,)


@dataclass
class ListProgress:
    """What a list has told of its size, for a progress bar."""

    complete_list_size: int | None = None
    pages: int = 0


@dataclass
class RepositoryInfo:
    """What Identify tells the harvester: how to write `from`, and whether deletions are kept."""

    name: str = ""
    granularity: str = "YYYY-MM-DDThh:mm:ssZ"
    deleted_record: str = "no"  # no | transient | persistent
    earliest_datestamp: str = ""

    def format_datestamp(self, datestamp: str | None, end_of_day: bool = False) -> str | None:
        """A datestamp written at the repository's granularity (a day-granular one refuses seconds, and one
        with seconds may refuse a day beside a `from` with seconds, as pyoai does). A day given as `until`
        (end_of_day) means its last second."""
        if not datestamp:
            return None
        if self.granularity == "YYYY-MM-DD":
            return datestamp[:10]
        if len(datestamp) == 10:
            return f"{datestamp}T{'23:59:59' if end_of_day else '00:00:00'}Z"
        return datestamp


class OaiPmhClient:
    def __init__(self, base_url: str, http: requests.Session | None = None, timeout: float = 60,
                 retry: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep,
                 on_retry: Callable[[str], None] | None = None,
                 max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES):
        self.base_url = base_url
        self.http = http or requests.Session()
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.on_retry = on_retry
        self.max_record_bytes = max_record_bytes
        self.progress = ListProgress()
        # False: list pages carry no records read, only their token and content (a run's coordinator hands each
        # page's content to a page task, which reads the records; reading them here too would be wasted)
        self.read_records = True

    # --- the verbs -------------------------------------------------------------------------------------------

    def identify(self) -> dict[str, str]:
        root = self._request({"verb": "Identify"})
        identify = root.find("oai:Identify", NS) if root is not None else None
        if identify is None:
            raise SourceUnavailable("the answer to Identify has no Identify element")
        return {etree.QName(child).localname: (child.text or "").strip()
                for child in identify if isinstance(child.tag, str)}

    def describe(self) -> RepositoryInfo:
        fields = self.identify()
        return RepositoryInfo(
            name=fields.get("repositoryName", ""),
            granularity=fields.get("granularity") or "YYYY-MM-DDThh:mm:ssZ",
            deleted_record=fields.get("deletedRecord") or "no",
            earliest_datestamp=fields.get("earliestDatestamp", ""),
        )

    def list_metadata_formats(self) -> list[str]:
        root = self._request({"verb": "ListMetadataFormats"})
        element = root.find("oai:ListMetadataFormats", NS) if root is not None else None
        if element is None:
            raise SourceUnavailable("the answer to ListMetadataFormats has no ListMetadataFormats element")
        return [(f.findtext("oai:metadataPrefix", "", NS) or "").strip()
                for f in element.findall("oai:metadataFormat", NS)]

    def list_sets(self) -> list[tuple[str, str]]:
        """(setSpec, setName) of every set, following resumption tokens; [] when the repository has none."""
        params: dict[str, str] = {"verb": "ListSets"}
        sets, seen = [], set()
        while True:
            try:
                root = self._request(params)
            except SourceProtocolError as error:
                if error.code == "noSetHierarchy":
                    return []
                raise
            element = root.find("oai:ListSets", NS) if root is not None else None
            if element is None:
                return sets
            for set_element in element.findall("oai:set", NS):
                sets.append(((set_element.findtext("oai:setSpec", "", NS) or "").strip(),
                             (set_element.findtext("oai:setName", "", NS) or "").strip()))
            token = (element.findtext("oai:resumptionToken", "", NS) or "").strip()
            if not token or token in seen:
                return sets
            seen.add(token)
            params = {"verb": "ListSets", "resumptionToken": token}

    def get_record(self, identifier: str, metadata_prefix: str) -> OaiRecord:
        root = self._request({"verb": "GetRecord", "identifier": identifier, "metadataPrefix": metadata_prefix})
        element = root.find("oai:GetRecord/oai:record", NS) if root is not None else None
        if element is None:
            raise SourceUnavailable("the answer to GetRecord has no record")
        record = _parse_record(element)
        record.metadata_prefix = metadata_prefix
        return record

    def list_pages(self, metadata_prefix: str, from_: str | None = None, set_spec: str | None = None,
                   until: str | None = None, resumption_token: str | None = None) -> Iterator[OaiPage]:
        """Each page of ListRecords, from the start or from a resumption token, to the end of the list.

        A token that comes back twice ends the list with SourceProtocolError("resumptionTokenLoop").
        """
        if resumption_token:
            params = {"verb": "ListRecords", "resumptionToken": resumption_token}
        else:
            params = {"verb": "ListRecords", "metadataPrefix": metadata_prefix}
            for name, value in (("from", from_), ("until", until), ("set", set_spec)):
                if value:
                    params[name] = value
        seen_tokens: set[str] = {resumption_token} if resumption_token else set()
        while True:
            page = self._list_page(params, metadata_prefix)
            if page is None:  # noRecordsMatch: an empty list is a success
                return
            self.progress.pages += 1
            if page.complete_list_size is not None:
                self.progress.complete_list_size = page.complete_list_size
            if page.token and page.token in seen_tokens:
                # The page's records are good; its token would read the list again for ever.
                repeated, page.token = page.token, None
                yield page
                raise SourceProtocolError("resumptionTokenLoop", f"the token {repeated!r} came back twice")
            yield page
            if not page.token:
                return
            seen_tokens.add(page.token)
            params = {"verb": "ListRecords", "resumptionToken": page.token}

    def list_records(self, metadata_prefix: str, from_: str | None = None, set_spec: str | None = None,
                     until: str | None = None) -> Iterator[OaiRecord]:
        """Every record of the list, following resumption tokens to the end."""
        for page in self.list_pages(metadata_prefix, from_, set_spec, until):
            yield from page.records

    # --- one page ---------------------------------------------------------------------------------------------

    def _list_page(self, params: dict[str, str], metadata_prefix: str) -> OaiPage | None:
        content = self._fetch(params)
        page = self.read_list_page(content, metadata_prefix, params)
        if page is not None:
            page.content = content
        return page

    def read_list_page(self, content: bytes, metadata_prefix: str,
                       params: dict[str, str] | None = None) -> OaiPage | None:
        """A ListRecords answer read (mended where it must be): its records and token; None for noRecordsMatch."""
        params = params if params is not None else {"verb": "ListRecords"}
        root, repaired = _parse_document(content)
        if root is None:
            return self._page_record_by_record(content, metadata_prefix, params)
        _check_oai_root(root, self.base_url)
        if root.find("oai:error", NS) is not None:
            if _raise_for_oai_error(root, params):
                return None
        list_element = root.find("oai:ListRecords", NS)
        if list_element is None:
            raise SourceUnavailable("the answer to ListRecords has no ListRecords element")
        elements = list_element.iterchildren(f"{{{OAI_NS}}}record")
        records = [self._read_record(element, metadata_prefix) for element in elements] if self.read_records else []
        page = _page_with_token(records, list_element.find("oai:resumptionToken", NS))
        page.repaired = repaired
        if not self.read_records:
            page.listed = sum(1 for _ in elements)
        return page

    def _read_record(self, element: etree._Element, metadata_prefix: str) -> OaiRecord:
        try:
            record = _parse_record(element)
        except SourceProtocolError as error:
            return OaiRecord("", "", False, problem=("xml", str(error)))
        record.metadata_prefix = metadata_prefix
        return record

    def _page_record_by_record(self, content: bytes, metadata_prefix: str, params: dict[str, str]) -> OaiPage:
        """A page that is not well-formed as a whole: each <record> is cut out and read alone."""
        text = _to_utf8(content)
        root_tag = _ROOT_START.search(text)
        if root_tag is None:
            raise SourceUnavailable(f"{self.base_url} did not answer with an OAI-PMH document"
                                    f"{_html_hint(content)}")
        opening = root_tag.group(0).decode("utf-8", "replace")
        prefix = root_tag.group(1).decode() if root_tag.group(1) else ""
        closing = f"</{prefix}OAI-PMH>"
        error = _ERROR_ELEMENT.search(text)
        if error:
            root = _parse_fragment(opening, error.group(0), closing)
            if root is not None and _raise_for_oai_error(root, params):
                return None
        records = []
        for match in _RECORD_ELEMENT.finditer(text):
            fragment = match.group(0)
            if len(fragment) > self.max_record_bytes:
                records.append(_broken_record(fragment, "too-large",
                                              f"the record is {len(fragment):,} bytes, more than "
                                              f"{self.max_record_bytes:,}"))
                continue
            root = _parse_fragment(opening, fragment, closing)
            element = root.find(".//oai:record", NS) if root is not None else None
            if element is None:
                records.append(_broken_record(fragment, "xml", "the record is not well-formed XML"))
                continue
            records.append(self._read_record(element, metadata_prefix))
        token_element = None
        token_match = _TOKEN_ELEMENT.search(text)
        if token_match:
            token_root = _parse_fragment(opening, token_match.group(0), closing)
            token_element = token_root.find(".//oai:resumptionToken", NS) if token_root is not None else None
            if token_element is None:
                raise SourceUnavailable("the page is not well-formed and its resumption token cannot be read")
        elif not records:
            raise SourceUnavailable(f"{self.base_url} answered with XML that is not well-formed and holds no record")
        page = _page_with_token(records, token_element)
        page.repaired = "the page is not well-formed XML; its records were read one by one"
        return page

    # --- HTTP ---------------------------------------------------------------------------------------------------

    def _request(self, params: dict[str, str]) -> etree._Element | None:
        content = self._fetch(params)
        root, _ = _parse_document(content)
        if root is None:
            raise SourceUnavailable(f"{self.base_url} did not answer with XML{_html_hint(content)}")
        _check_oai_root(root, self.base_url)
        if root.find("oai:error", NS) is not None and _raise_for_oai_error(root, params):
            return None
        return root

    def _fetch(self, params: dict[str, str]) -> bytes:
        """The body of a 200 answer, after bounded retries of what may pass (5xx, 429, timeouts, HTML pages)."""
        last_problem = ""
        for attempt in range(1, self.retry.attempts + 1):
            wait = min(self.retry.backoff * 2 ** (attempt - 1), self.retry.max_wait)
            try:
                response = self.http.get(self.base_url, params=params, timeout=self.timeout)
            except LinkRefused as refused:  # a redirect to an address of ours: no retry will change that
                raise SourceUnavailable(f"{self.base_url} was not read: {refused}") from None
            except requests.Timeout as error:
                last_problem = f"{self.base_url} did not answer within {self.timeout} s: {error}"
            except requests.RequestException as error:
                last_problem = f"{self.base_url} did not answer: {error}"
            else:
                if response.status_code == 200:
                    if not _looks_like_html(response):
                        return response.content
                    last_problem = (f"{self.base_url} did not answer with XML: it sent an HTML page"
                                    f"{_html_hint(response.content)}")
                elif response.status_code in RETRYABLE_STATUS:
                    last_problem = f"{self.base_url} answered HTTP {response.status_code}"
                    asked = _retry_after(response.headers.get("Retry-After"))
                    if asked is not None:
                        wait = min(asked, self.retry.max_wait)
                        last_problem += f" (Retry-After {asked:g} s)"
                else:
                    raise SourceUnavailable(f"{self.base_url} answered HTTP {response.status_code}")
            if attempt < self.retry.attempts:
                if self.on_retry:
                    self.on_retry(f"{last_problem}; try {attempt + 1} of {self.retry.attempts} in {wait:g} s")
                self.sleep(wait)
        raise SourceUnavailable(f"{last_problem} (after {self.retry.attempts} tries)")


# --- reading XML ------------------------------------------------------------------------------------------------

_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
# Characters XML 1.0 forbids, as UTF-8 bytes: C0 controls but tab, LF and CR; U+FFFE and U+FFFF.
_CONTROL_CHARACTERS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
_CONTROL_BYTES = bytes(byte for byte in range(0x20) if byte not in b"\t\n\r")  # the class of the above
_CHARACTER_REFERENCE = re.compile(rb"&#(x[0-9a-fA-F]{1,8}|[0-9]{1,10});")
_ROOT_START = re.compile(rb"<(\w+:)?OAI-PMH\b[^>]*>")
_RECORD_ELEMENT = re.compile(rb"<(\w+:)?record\b[^>]*>.*?</\1?record\s*>", re.DOTALL)
_TOKEN_ELEMENT = re.compile(rb"<(\w+:)?resumptionToken\b[^>]*?(?:/>|>.*?</\1?resumptionToken\s*>)", re.DOTALL)
_ERROR_ELEMENT = re.compile(rb"<(\w+:)?error\b[^>]*?(?:/>|>.*?</\1?error\s*>)", re.DOTALL)
_IDENTIFIER = re.compile(rb"<(?:\w+:)?identifier\b[^>]*>(.*?)</", re.DOTALL)
_DATESTAMP = re.compile(rb"<(?:\w+:)?datestamp\b[^>]*>(.*?)</", re.DOTALL)


def _parse_document(content: bytes) -> tuple[etree._Element | None, str | None]:
    """The parsed root, and what had to be mended first (or None); root None if it cannot be read whole."""
    repaired = None
    mended = _mend(content)
    if mended is not content:
        content, repaired = mended, "control characters or a wrong encoding declaration were corrected"
    try:
        return etree.fromstring(content, _SAFE_PARSER), repaired
    except etree.XMLSyntaxError:
        return None, repaired


def _mend(content: bytes) -> bytes:
    """UTF-8 without control characters; the same object when nothing needed mending."""
    head = content[:200]
    declared = _DECLARED_ENCODING.match(head)
    declared_name = declared.group(1).decode().lower().replace("_", "-") if declared else "utf-8"
    declared_utf8 = declared_name in ("utf-8", "utf8")
    has_controls = _has_control_characters(content) or (b"&#" in content and any(
        _forbidden_reference(match) for match in _CHARACTER_REFERENCE.finditer(content)))
    try:
        content.decode("utf-8")
        is_utf8 = True
    except UnicodeDecodeError:
        is_utf8 = False
    if declared_utf8 and is_utf8 and not has_controls:
        return content
    if is_utf8 and not content.isascii():
        text = content  # Vietnamese in another encoding is almost never valid UTF-8: the declaration is wrong
    elif is_utf8:
        text = content
    else:
        text = _decode_other(content, declared_name if not declared_utf8 else "cp1258")
    text = _XML_DECLARATION.sub(b"", text, count=1)
    text = _CHARACTER_REFERENCE.sub(lambda match: b"" if _forbidden_reference(match) else match.group(0),
                                    _CONTROL_CHARACTERS.sub(b"", text))
    return b'<?xml version="1.0" encoding="UTF-8"?>' + text


def _has_control_characters(content: bytes) -> bool:
    """Whether _CONTROL_CHARACTERS would find anything: a byte deletion and two substring searches, in C,
    where the regular expression (a class and a two-byte branch) costs a page more than parsing it does."""
    return (len(content.translate(None, _CONTROL_BYTES)) != len(content)
            or b"\xef\xbf\xbe" in content or b"\xef\xbf\xbf" in content)


def _forbidden_reference(match: re.Match) -> bool:
    """A character reference to what XML 1.0 does not allow (a control, U+FFFE/U+FFFF, a surrogate): such a
    reference makes the whole page unreadable, where dropping the one character keeps every record."""
    value = match.group(1)
    code = int(value[1:], 16) if value.startswith(b"x") else int(value)
    return not (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
                or 0x10000 <= code <= 0x10FFFF)


def _decode_other(content: bytes, encoding: str) -> bytes:
    for candidate in (encoding, "cp1258", "latin-1"):
        try:
            return content.decode(candidate).encode("utf-8")
        except (LookupError, UnicodeDecodeError):
            continue
    return content.decode("utf-8", "replace").encode("utf-8")


def _to_utf8(content: bytes) -> bytes:
    mended = _mend(content)
    return _XML_DECLARATION.sub(b"", mended, count=1)


def _parse_fragment(opening: str, fragment: bytes, closing: str) -> etree._Element | None:
    try:
        return etree.fromstring(opening.encode() + fragment + closing.encode(), _SAFE_PARSER)
    except etree.XMLSyntaxError:
        return None


def _broken_record(fragment: bytes, kind: str, message: str) -> OaiRecord:
    identifier = _IDENTIFIER.search(fragment[:4096])
    datestamp = _DATESTAMP.search(fragment[:4096])
    return OaiRecord(
        identifier=identifier.group(1).decode("utf-8", "replace").strip() if identifier else "",
        datestamp=datestamp.group(1).decode("utf-8", "replace").strip() if datestamp else "",
        deleted=False, problem=(kind, message),
    )


def _check_oai_root(root: etree._Element, base_url: str) -> None:
    if root.tag != f"{{{OAI_NS}}}OAI-PMH":
        raise SourceUnavailable(f"{base_url} did not answer with an OAI-PMH document")


def _raise_for_oai_error(root: etree._Element, params: dict[str, str]) -> bool:
    """True for noRecordsMatch (an empty list); any other OAI error is raised with its code, what the source
    said (or that it said nothing) and the request it refused, so an admin can tell what to change."""
    error = root.find(".//oai:error", NS)
    code = error.get("code", "unknown")
    if code == "noRecordsMatch":
        return True
    said = " ".join((error.text or "").split())[:500]
    asked = ", ".join(f"{name}={value if len(value) <= 60 else value[:57] + '...'}" for name, value in params.items())
    raise SourceProtocolError(code, f"{said or 'the source gave no reason'} (request: {asked})")


def _page_with_token(records: list[OaiRecord], token_element: etree._Element | None) -> OaiPage:
    if token_element is None:
        return OaiPage(records, None)
    return OaiPage(
        records,
        (token_element.text or "").strip() or None,
        cursor=_whole_number(token_element.get("cursor")),
        complete_list_size=_whole_number(token_element.get("completeListSize")),
        expiration_date=token_element.get("expirationDate"),
    )


def _looks_like_html(response: requests.Response) -> bool:
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if media_type == "text/html":
        return True
    return response.content[:200].lstrip()[:15].lower().startswith((b"<!doctype html", b"<html"))


def _html_hint(content: bytes) -> str:
    title = re.search(rb"<title[^>]*>(.*?)</title>", content[:4096], re.IGNORECASE | re.DOTALL)
    return f" (“{title.group(1).decode('utf-8', 'replace').strip()[:80]}”)" if title else ""


def _retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks for (a number or an HTTP date), None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _whole_number(value: str | None) -> int | None:
    """completeListSize only feeds a progress bar: a value we cannot read means 'unknown'."""
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


_HEADER, _METADATA = f"{{{OAI_NS}}}header", f"{{{OAI_NS}}}metadata"
_IDENTIFIER_TAG, _DATESTAMP_TAG, _SET_SPEC_TAG = (f"{{{OAI_NS}}}{name}"
                                                  for name in ("identifier", "datestamp", "setSpec"))


def _parse_record(element: etree._Element) -> OaiRecord:
    # One pass over the children by their full names: a find() with a prefix map each costs a page more than
    # parsing it does. The first of each element counts, as find() would take it.
    header = metadata = None
    for child in element.iterchildren(_HEADER, _METADATA):
        if child.tag == _HEADER:
            header = child if header is None else header
        elif metadata is None:
            metadata = child
    if header is None:
        raise SourceProtocolError("badRecord", "a record in the list has no header, so no identifier")
    identifier = datestamp = None
    set_specs = []
    for child in header.iterchildren(_IDENTIFIER_TAG, _DATESTAMP_TAG, _SET_SPEC_TAG):
        if child.tag == _SET_SPEC_TAG:
            set_specs.append(child.text or "")
        elif child.tag == _IDENTIFIER_TAG:
            identifier = (child.text or "") if identifier is None else identifier
        elif datestamp is None:
            datestamp = child.text or ""
    # The payload is the first element: comments and processing instructions may precede it.
    payload = next(metadata.iterchildren(etree.Element), None) if metadata is not None else None
    return OaiRecord(
        identifier=(identifier or "").strip(),
        datestamp=(datestamp or "").strip(),
        deleted=header.get("status") == "deleted",
        set_specs=set_specs,
        metadata=payload,
    )


def local_identifier(oai_identifier: str) -> str:
    """`oai:vinhlong.luutru.gov.vn:P12/ML01` → `P12/ML01`; other schemes are kept whole."""
    if oai_identifier.startswith("oai:"):
        parts = oai_identifier.split(":", 2)
        if len(parts) == 3 and parts[2]:
            return parts[2]
    return oai_identifier
