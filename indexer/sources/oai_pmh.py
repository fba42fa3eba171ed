"""OAI-PMH 2.0 harvesting: list a repository's records page by page through resumption tokens.

XML is parsed without entity expansion, DTD loading or network access: a province's server
is trusted to describe its records, not to make us read files or explode memory.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import requests
from lxml import etree

from indexer.errors import SourceProtocolError, SourceUnavailable

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
NS = {"oai": OAI_NS}

_SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=True
)


@dataclass
class OaiRecord:
    identifier: str
    datestamp: str
    deleted: bool
    set_specs: list[str] = field(default_factory=list)
    metadata: etree._Element | None = None  # the element inside <metadata>, None if deleted


@dataclass
class ListProgress:
    """What a list has told of its size, for a progress bar."""

    complete_list_size: int | None = None
    pages: int = 0


class OaiPmhClient:
    def __init__(self, base_url: str, http: requests.Session | None = None, timeout: float = 60):
        self.base_url = base_url
        self.http = http or requests.Session()
        self.timeout = timeout
        self.progress = ListProgress()

    def list_records(
        self, metadata_prefix: str, from_: str | None = None, set_spec: str | None = None
    ) -> Iterator[OaiRecord]:
        """Every record of the list, following resumption tokens to the end."""
        params = {"verb": "ListRecords", "metadataPrefix": metadata_prefix}
        if from_:
            params["from"] = from_
        if set_spec:
            params["set"] = set_spec
        seen_tokens: set[str] = set()
        while True:
            root = self._request(params)
            if root is None:  # noRecordsMatch: an empty list is a success
                return
            list_element = root.find("oai:ListRecords", NS)
            if list_element is None:
                raise SourceUnavailable("the answer to ListRecords has no ListRecords element")
            self.progress.pages += 1
            for element in list_element.findall("oai:record", NS):
                yield _parse_record(element)
            token_element = list_element.find("oai:resumptionToken", NS)
            token = (token_element.text or "").strip() if token_element is not None else ""
            if token_element is not None:
                self.progress.complete_list_size = _whole_number(token_element.get("completeListSize"))
            if not token:
                return
            if token in seen_tokens:
                raise SourceProtocolError("resumptionTokenLoop", f"the token {token!r} came back twice")
            seen_tokens.add(token)
            params = {"verb": "ListRecords", "resumptionToken": token}

    def identify(self) -> dict[str, str]:
        root = self._request({"verb": "Identify"})
        identify = root.find("oai:Identify", NS) if root is not None else None
        if identify is None:
            raise SourceUnavailable("the answer to Identify has no Identify element")
        return {etree.QName(child).localname: (child.text or "") for child in identify}

    def _request(self, params: dict[str, str]) -> etree._Element | None:
        try:
            response = self.http.get(self.base_url, params=params, timeout=self.timeout)
        except requests.RequestException as error:
            raise SourceUnavailable(f"{self.base_url} did not answer: {error}") from error
        if response.status_code != 200:
            raise SourceUnavailable(f"{self.base_url} answered HTTP {response.status_code}")
        try:
            root = etree.fromstring(response.content, _SAFE_PARSER)
        except etree.XMLSyntaxError as error:
            raise SourceUnavailable(f"{self.base_url} did not answer with XML: {error}") from error
        if root.tag != f"{{{OAI_NS}}}OAI-PMH":
            raise SourceUnavailable(f"{self.base_url} did not answer with an OAI-PMH document")
        error = root.find("oai:error", NS)
        if error is not None:
            code = error.get("code", "unknown")
            if code == "noRecordsMatch":
                return None
            raise SourceProtocolError(code, (error.text or "").strip())
        return root


def _whole_number(value: str | None) -> int | None:
    """completeListSize only feeds a progress bar: a value we cannot read means 'unknown'."""
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _parse_record(element: etree._Element) -> OaiRecord:
    header = element.find("oai:header", NS)
    if header is None:
        raise SourceProtocolError("badRecord", "a record in the list has no header, so no identifier")
    identifier = (header.findtext("oai:identifier", "", NS) or "").strip()
    metadata = element.find("oai:metadata", NS)
    # The payload is the first element: comments and processing instructions may precede it.
    payload = next((child for child in metadata if isinstance(child.tag, str)), None) \
        if metadata is not None else None
    return OaiRecord(
        identifier=identifier,
        datestamp=(header.findtext("oai:datestamp", "", NS) or "").strip(),
        deleted=header.get("status") == "deleted",
        set_specs=[s.text or "" for s in header.findall("oai:setSpec", NS)],
        metadata=payload,
    )


def local_identifier(oai_identifier: str) -> str:
    """`oai:vinhlong.luutru.gov.vn:P12/ML01` → `P12/ML01`; other schemes are kept whole."""
    if oai_identifier.startswith("oai:"):
        parts = oai_identifier.split(":", 2)
        if len(parts) == 3 and parts[2]:
            return parts[2]
    return oai_identifier
