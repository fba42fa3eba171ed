"""The six OAI-PMH 2.0 verbs over the catalogue: arguments checked, answers and errors written as XML.

Knows nothing of Flask: the view hands it the arguments, the settings and how to write the portal's links,
and gets back the XML and what to audit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from lxml import etree

from portal.oai import tokens
from portal.oai.catalogue import Catalogue, Page
from portal.oai.datestamps import GRANULARITY, BadDatestamp, datestamp_of, format_datestamp, parse_range
from portal.oai.dublin_core import OAI_DC_NS, OAI_DC_SCHEMA, FileUrl, RecordUrl, dc_element
from portal.oai.ead import EAD_NS, EAD_SCHEMA, ead_element
from portal.oai.setspecs import BadSetSpec, fonds_set, parse_set, province_set, sets_of
from schema.provinces import province_name

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
IDENTIFIER_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
IDENTIFIER_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

FORMATS = {"oai_dc": (OAI_DC_SCHEMA, OAI_DC_NS), "oai_ead": (EAD_SCHEMA, EAD_NS)}
PREFIX_SYNTAX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")  # the XSD's metadataPrefixType
EAD_PAGE_SIZE = 10  # finding aids a page at most: each holds its whole fonds
LIST_VERBS = ("ListIdentifiers", "ListRecords")
# The arguments each verb takes: (required, optional, exclusive).
ARGUMENTS = {
    "Identify": (set(), set(), None),
    "ListMetadataFormats": (set(), {"identifier"}, None),
    "ListSets": (set(), set(), "resumptionToken"),
    "GetRecord": ({"identifier", "metadataPrefix"}, set(), None),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
}


class OaiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Settings:
    base_url: str
    repository_name: str
    repository_identifier: str
    admin_email: str
    secret_key: str
    token_seconds: int
    page_size: int
    record_url: RecordUrl
    file_url: FileUrl


@dataclass
class Answer:
    xml: bytes
    audit: tuple[str, dict] | None = None  # (kind: "search" or "record", details) of what was read


class Provider:
    def __init__(self, catalogue: Catalogue, settings: Settings, now: Callable[[], datetime] | None = None):
        self.catalogue, self.settings = catalogue, settings
        self.now = (now or (lambda: datetime.now(timezone.utc)))().replace(microsecond=0)

    # --- the request ------------------------------------------------------------------------------------------

    def answer(self, arguments: dict[str, list[str]]) -> Answer:
        """The answer to a request whose arguments are given as lists (a repeated argument is an error)."""
        root, request = self._envelope()
        try:
            single = self._check(arguments)
            for name, value in single.items():
                request.set(name, value)
            audit = getattr(self, f"_{single['verb']}")(root, single)
        except OaiError as error:
            if error.code in ("badVerb", "badArgument"):
                request.attrib.clear()  # the request echoed as its base URL only (OAI-PMH 2.0, 3.6)
            etree.SubElement(root, f"{{{OAI_NS}}}error", code=error.code).text = str(error)
            audit = None
        return Answer(etree.tostring(root, xml_declaration=True, encoding="UTF-8"), audit)

    def _check(self, arguments: dict[str, list[str]]) -> dict[str, str]:
        verbs = arguments.get("verb") or []
        if len(verbs) != 1 or verbs[0] not in ARGUMENTS:
            raise OaiError("badVerb", "verb is missing, repeated or not an OAI-PMH verb" if len(verbs) != 1
                           else f"{verbs[0]!r} is not an OAI-PMH verb")
        repeated = sorted(name for name, values in arguments.items() if len(values) > 1)
        if repeated:
            raise OaiError("badArgument", f"repeated argument: {', '.join(repeated)}")
        single = {name: values[0] for name, values in arguments.items()}
        verb = single.pop("verb")
        required, optional, exclusive = ARGUMENTS[verb]
        unknown = sorted(set(single) - required - optional - ({exclusive} if exclusive else set()))
        if unknown:
            raise OaiError("badArgument", f"{verb} does not take {', '.join(unknown)}")
        if exclusive and exclusive in single:
            if len(single) > 1:
                raise OaiError("badArgument", f"{exclusive} must be the only argument besides verb")
        elif missing := sorted(required - set(single)):
            raise OaiError("badArgument", f"{verb} needs {', '.join(missing)}")
        if "metadataPrefix" in single and not PREFIX_SYNTAX.fullmatch(single["metadataPrefix"]):
            raise OaiError("badArgument", "metadataPrefix holds characters no prefix may hold")
        return {"verb": verb, **single}

    def _envelope(self) -> tuple[etree._Element, etree._Element]:
        root = etree.Element(f"{{{OAI_NS}}}OAI-PMH", nsmap={None: OAI_NS, "xsi": XSI_NS})
        root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} {OAI_SCHEMA}")
        etree.SubElement(root, f"{{{OAI_NS}}}responseDate").text = format_datestamp(self.now)
        request = etree.SubElement(root, f"{{{OAI_NS}}}request")
        request.text = self.settings.base_url
        return root, request

    # --- identifiers ------------------------------------------------------------------------------------------

    def oai_identifier(self, record_id: str) -> str:
        return f"oai:{self.settings.repository_identifier}:{record_id}"

    def record_id(self, identifier: str) -> str:
        prefix = f"oai:{self.settings.repository_identifier}:"
        if not identifier.startswith(prefix) or len(identifier) == len(prefix):
            raise OaiError("idDoesNotExist", f"{identifier!r} is not an identifier of this repository")
        return identifier[len(prefix):]

    def _item(self, identifier: str) -> dict:
        item = self.catalogue.get(self.record_id(identifier))
        if item is None:
            raise OaiError("idDoesNotExist", f"no record has the identifier {identifier!r}")
        return item

    @staticmethod
    def _formats_of(item: dict) -> list[str]:
        return ["oai_dc", "oai_ead"] if item.get("level") == "fonds" else ["oai_dc"]

    # --- the verbs --------------------------------------------------------------------------------------------

    def _Identify(self, root, arguments):
        s = self.settings
        identify = etree.SubElement(root, f"{{{OAI_NS}}}Identify")
        earliest = self.catalogue.earliest() or self.now
        for name, value in (("repositoryName", s.repository_name), ("baseURL", s.base_url),
                            ("protocolVersion", "2.0"), ("adminEmail", s.admin_email),
                            ("earliestDatestamp", format_datestamp(earliest)), ("deletedRecord", "persistent"),
                            ("granularity", GRANULARITY)):
            etree.SubElement(identify, f"{{{OAI_NS}}}{name}").text = value
        description = etree.SubElement(identify, f"{{{OAI_NS}}}description")
        about = etree.SubElement(description, f"{{{IDENTIFIER_NS}}}oai-identifier", nsmap={None: IDENTIFIER_NS})
        about.set(f"{{{XSI_NS}}}schemaLocation", f"{IDENTIFIER_NS} {IDENTIFIER_SCHEMA}")
        for name, value in (("scheme", "oai"), ("repositoryIdentifier", s.repository_identifier),
                            ("delimiter", ":"), ("sampleIdentifier", self.oai_identifier("vinhlong:VL.UBND/ML01"))):
            etree.SubElement(about, f"{{{IDENTIFIER_NS}}}{name}").text = value
        return None

    def _ListMetadataFormats(self, root, arguments):
        prefixes = list(FORMATS)
        audit = None
        if "identifier" in arguments:
            item = self._item(arguments["identifier"])
            prefixes = self._formats_of(item)
            audit = ("record", {"verb": "ListMetadataFormats", "record": item["id"],
                                "province": item.get("holding_province")})
        formats = etree.SubElement(root, f"{{{OAI_NS}}}ListMetadataFormats")
        for prefix in prefixes:
            schema, namespace = FORMATS[prefix]
            entry = etree.SubElement(formats, f"{{{OAI_NS}}}metadataFormat")
            for name, value in (("metadataPrefix", prefix), ("schema", schema), ("metadataNamespace", namespace)):
                etree.SubElement(entry, f"{{{OAI_NS}}}{name}").text = value
        return audit

    def _ListSets(self, root, arguments):
        """The provinces first (one page: there are 34), then the fonds, paged by id."""
        if "resumptionToken" in arguments:
            resumption = self._resumed(arguments["resumptionToken"], "ListSets")
            provinces = []
        else:
            resumption = tokens.Resumption(tokens.ListRequest("ListSets"), None, 0, 0)
            provinces = self.catalogue.provinces()
        page = self.catalogue.fonds(size=self.settings.page_size, after=resumption.after)
        total = resumption.total or (len(provinces) + page.total)
        listing = etree.SubElement(root, f"{{{OAI_NS}}}ListSets")
        entries = [(province_set(code), province_name(code) or code) for code in provinces]
        entries += [(fonds_set(fonds["id"]), fonds.get("title") or fonds["id"]) for fonds in page.items]
        for spec, name in entries:
            one = etree.SubElement(listing, f"{{{OAI_NS}}}set")
            etree.SubElement(one, f"{{{OAI_NS}}}setSpec").text = spec
            etree.SubElement(one, f"{{{OAI_NS}}}setName").text = name
        self._resumption(listing, resumption, page, len(entries), total)
        return "search", {"verb": "ListSets", "hits": total}

    def _GetRecord(self, root, arguments):
        prefix = self._known_prefix(arguments["metadataPrefix"])
        item = self._item(arguments["identifier"])
        if prefix not in self._formats_of(item):
            raise OaiError("cannotDisseminateFormat", f"{prefix} is given for fonds only")
        record = etree.SubElement(etree.SubElement(root, f"{{{OAI_NS}}}GetRecord"), f"{{{OAI_NS}}}record")
        self._record(record, item, prefix)
        return "record", {"verb": "GetRecord", "record": item["id"], "province": item.get("holding_province"),
                          "metadataPrefix": prefix}

    def _ListIdentifiers(self, root, arguments):
        return self._list(root, arguments, "ListIdentifiers")

    def _ListRecords(self, root, arguments):
        return self._list(root, arguments, "ListRecords")

    # --- lists ------------------------------------------------------------------------------------------------

    def _known_prefix(self, prefix: str) -> str:
        if prefix not in FORMATS:
            raise OaiError("cannotDisseminateFormat", f"{prefix!r} is not a format of this repository: "
                                                      f"{', '.join(FORMATS)}")
        return prefix

    def _list(self, root, arguments, verb: str):
        if "resumptionToken" in arguments:
            resumption = self._resumed(arguments["resumptionToken"], verb)
        else:
            resumption = tokens.Resumption(tokens.ListRequest(
                verb, self._known_prefix(arguments["metadataPrefix"]), arguments.get("from"), arguments.get("until"),
                arguments.get("set")), None, 0, 0)
        asked = resumption.request
        try:
            start, end = parse_range(asked.from_, asked.until)
            if asked.set_spec:
                parse_set(asked.set_spec)
        except BadDatestamp as error:
            raise OaiError("badArgument", str(error)) from error
        except BadSetSpec as error:
            raise OaiError("badArgument", f"{asked.set_spec!r} is not a set of this repository") from error
        size = min(self.settings.page_size, EAD_PAGE_SIZE) if asked.metadata_prefix == "oai_ead" \
            else self.settings.page_size
        page = self.catalogue.page(size=size, after=resumption.after, now=self.now,
                                   set_spec=asked.set_spec, start=start, end=end,
                                   fonds_only=asked.metadata_prefix == "oai_ead")
        total = resumption.total or page.total
        if not page.items and resumption.cursor == 0 and page.last_sort is None:
            raise OaiError("noRecordsMatch", "no record matches these arguments")
        listing = etree.SubElement(root, f"{{{OAI_NS}}}{verb}")
        for item in page.items:
            if verb == "ListIdentifiers":
                self._header(listing, item)
            else:
                self._record(etree.SubElement(listing, f"{{{OAI_NS}}}record"), item, asked.metadata_prefix)
        self._resumption(listing, resumption, page, len(page.items), total)
        return "search", {"verb": verb, "metadataPrefix": asked.metadata_prefix, "set": asked.set_spec,
                          "from": asked.from_, "until": asked.until, "hits": total,
                          "cursor": resumption.cursor}

    def _resumed(self, token: str, verb: str) -> tokens.Resumption:
        try:
            return tokens.read(token, self.settings.secret_key, self.settings.token_seconds, verb)
        except tokens.BadResumptionToken as error:
            raise OaiError("badResumptionToken", str(error)) from error

    def _resumption(self, listing, resumption: tokens.Resumption, page: Page, sent: int, total: int) -> None:
        """A token when more follow; an empty one on the last page of a list that took several."""
        cursor = resumption.cursor
        if page.last_sort is None and cursor == 0:
            return
        element = etree.SubElement(listing, f"{{{OAI_NS}}}resumptionToken",
                                   completeListSize=str(max(total, cursor + sent)), cursor=str(cursor))
        if page.last_sort is not None:
            following = tokens.Resumption(resumption.request, page.last_sort, cursor + sent, total)
            element.text = tokens.issue(following, self.settings.secret_key)
            element.set("expirationDate",
                        format_datestamp(self.now + timedelta(seconds=self.settings.token_seconds)))

    def _header(self, holder, item: dict) -> etree._Element:
        header = etree.SubElement(holder, f"{{{OAI_NS}}}header")
        if item.get("deleted"):
            header.set("status", "deleted")
        etree.SubElement(header, f"{{{OAI_NS}}}identifier").text = self.oai_identifier(item["id"])
        etree.SubElement(header, f"{{{OAI_NS}}}datestamp").text = format_datestamp(datestamp_of(item, self.now))
        for spec in sets_of(item):
            etree.SubElement(header, f"{{{OAI_NS}}}setSpec").text = spec
        return header

    def _record(self, record, item: dict, prefix: str) -> None:
        self._header(record, item)
        if item.get("deleted"):
            return
        metadata = etree.SubElement(record, f"{{{OAI_NS}}}metadata")
        if prefix == "oai_ead":
            metadata.append(ead_element(item, self.catalogue.under(item["id"]), self.settings.record_url,
                                        self.settings.file_url))
        else:
            metadata.append(dc_element(item, self.settings.record_url, self.settings.file_url))
