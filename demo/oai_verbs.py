"""Answers OAI-PMH 2.0 requests for one demo archive: the six verbs over its records, as response XML bytes.

Knows nothing of HTTP: the provider passes in the request's arguments, the host URL it came in on and the time.
Lists are ordered by (datestamp, identifier) so that offsets in resumption tokens stay stable between pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from demo.links import file_url, oai_base_url, record_url
from demo.models import Archive, DemoRecord
from demo.oai_dc import OAI_DC_NS, OAI_DC_SCHEMA, oai_dc_element
from demo.oai_ead import EAD_NS, EAD_SCHEMA, ead_element
from demo.oai_request import (
    GRANULARITY,
    METADATA_PREFIX,
    ListQuery,
    OaiError,
    encode_resumption_token,
    list_query,
    parse_request,
)
from demo.oai_xml import (
    append_error,
    append_header,
    append_resumption_token,
    append_text,
    oai,
    oai_identifier_description,
    response_root,
    serialize,
)

# Reported when an archive has no records at all, so Identify stays valid.
DEFAULT_EARLIEST_DATESTAMP = "2024-01-01T00:00:00Z"


@dataclass(frozen=True)
class Repository:
    """One archive as seen through one request: its records and the URLs they are reached at."""

    archive: Archive
    host_url: str
    page_size: int

    @property
    def base_url(self) -> str:
        return oai_base_url(self.host_url, self.archive.slug)

    def identifier(self, record: DemoRecord) -> str:
        return self.archive.oai_identifier(record)

    def record_for(self, identifier: str) -> DemoRecord:
        prefix = f"oai:{self.archive.repository_domain}:"
        record = self.archive.record_by_local_id(identifier[len(prefix):]) if identifier.startswith(prefix) else None
        if record is None:
            raise OaiError("idDoesNotExist", f"No record has the identifier {identifier!r}.")
        return record

    def records_in_order(self, metadata_prefix: str = METADATA_PREFIX) -> list[DemoRecord]:
        """Every record for oai_dc; the fonds alone, each a whole finding aid, for oai_ead."""
        records = self.archive.records
        if metadata_prefix == "oai_ead":
            records = [record for record in records if record.level == "fonds"]
        return sorted(records, key=lambda record: (record.datestamp, self.identifier(record)))


def answer(archive: Archive, pairs: list[tuple[str, str]], host_url: str, page_size: int,
           now: datetime) -> bytes:
    """The complete OAI-PMH response to a request with these (name, value) argument pairs."""
    repository = Repository(archive, host_url, page_size)
    try:
        request = parse_request(pairs)
    except OaiError as error:
        return _error_response(repository, now, {}, error)
    attributes = {"verb": request.verb, **request.arguments}
    try:
        verb_element = VERB_HANDLERS[request.verb](repository, request.arguments)
    except OaiError as error:
        return _error_response(repository, now, attributes if error.echoes_arguments else {}, error)
    root = response_root(repository.base_url, now, attributes)
    root.append(verb_element)
    return serialize(root)


def _error_response(repository: Repository, now: datetime, attributes: dict[str, str], error: OaiError) -> bytes:
    root = response_root(repository.base_url, now, attributes)
    append_error(root, error.code, error.message)
    return serialize(root)


def identify(repository: Repository, arguments: dict[str, str]) -> etree._Element:
    archive = repository.archive
    records = repository.records_in_order()
    element = etree.Element(oai("Identify"))
    append_text(element, "repositoryName", archive.name)
    append_text(element, "baseURL", repository.base_url)
    append_text(element, "protocolVersion", "2.0")
    append_text(element, "adminEmail", archive.admin_email)
    append_text(element, "earliestDatestamp", records[0].datestamp if records else DEFAULT_EARLIEST_DATESTAMP)
    append_text(element, "deletedRecord", "persistent")
    append_text(element, "granularity", GRANULARITY)
    sample = repository.identifier(records[0]) if records else f"oai:{archive.repository_domain}:VL.UBND/ML01"
    description = etree.SubElement(element, oai("description"))
    description.append(oai_identifier_description(archive.repository_domain, sample))
    return element


def list_metadata_formats(repository: Repository, arguments: dict[str, str]) -> etree._Element:
    if "identifier" in arguments:
        repository.record_for(arguments["identifier"])  # every record, deleted or not, has oai_dc
    element = etree.Element(oai("ListMetadataFormats"))
    for prefix in repository.archive.metadata_prefixes:
        schema, namespace = _FORMATS[prefix]
        metadata_format = etree.SubElement(element, oai("metadataFormat"))
        append_text(metadata_format, "metadataPrefix", prefix)
        append_text(metadata_format, "schema", schema)
        append_text(metadata_format, "metadataNamespace", namespace)
    return element


_FORMATS = {METADATA_PREFIX: (OAI_DC_SCHEMA, OAI_DC_NS), "oai_ead": (EAD_SCHEMA, EAD_NS)}


def list_sets(repository: Repository, arguments: dict[str, str]) -> etree._Element:
    if "resumptionToken" in arguments:
        raise OaiError("badResumptionToken", "The set list is never split: this token was not issued here.")
    fonds_records = repository.archive.fonds_records()
    if not fonds_records:
        raise OaiError("noSetHierarchy", "This repository has no sets.")
    element = etree.Element(oai("ListSets"))
    for fonds in fonds_records:
        set_element = etree.SubElement(element, oai("set"))
        append_text(set_element, "setSpec", fonds.set_spec)
        append_text(set_element, "setName", fonds.title)
    return element


def list_identifiers(repository: Repository, arguments: dict[str, str]) -> etree._Element:
    element = etree.Element(oai("ListIdentifiers"))
    page, query, complete_list_size = _list_page(repository, arguments)
    for record in page:
        append_header(element, repository.identifier(record), record.datestamp, [record.set_spec], record.deleted)
    _append_page_token(repository, element, query, len(page), complete_list_size)
    return element


def list_records(repository: Repository, arguments: dict[str, str]) -> etree._Element:
    element = etree.Element(oai("ListRecords"))
    page, query, complete_list_size = _list_page(repository, arguments)
    for record in page:
        element.append(_record_element(repository, record, query.metadata_prefix))
    _append_page_token(repository, element, query, len(page), complete_list_size)
    return element


def get_record(repository: Repository, arguments: dict[str, str]) -> etree._Element:
    prefix = arguments["metadataPrefix"]
    if prefix not in repository.archive.metadata_prefixes:
        raise OaiError("cannotDisseminateFormat", f"Unsupported metadataPrefix {prefix!r}.")
    record = repository.record_for(arguments["identifier"])
    if prefix == "oai_ead" and record.level != "fonds":
        raise OaiError("cannotDisseminateFormat", "Only a fonds is disseminated as an EAD finding aid.")
    element = etree.Element(oai("GetRecord"))
    element.append(_record_element(repository, record, prefix))
    return element


def _list_page(repository: Repository, arguments: dict[str, str]) -> tuple[list[DemoRecord], ListQuery, int]:
    query = list_query(arguments, repository.archive.metadata_prefixes)
    matching = [record for record in repository.records_in_order(query.metadata_prefix)
                if query.matches(record.datestamp, record.set_spec)]
    if query.from_token and query.offset >= len(matching):
        raise OaiError("badResumptionToken", "The resumptionToken points past the end of the list.")
    if not matching:
        raise OaiError("noRecordsMatch", "No records match the from, until and set arguments.")
    return matching[query.offset:query.offset + repository.page_size], query, len(matching)


def _append_page_token(repository: Repository, element: etree._Element, query: ListQuery, page_length: int,
                       complete_list_size: int) -> None:
    """A token after each page of a split list, and an empty one after its last page; none if never split."""
    if query.offset == 0 and complete_list_size <= repository.page_size:
        return
    next_offset = query.offset + page_length
    token = encode_resumption_token(query, next_offset) if next_offset < complete_list_size else ""
    append_resumption_token(element, token, complete_list_size, query.offset)


def _record_element(repository: Repository, record: DemoRecord, prefix: str = METADATA_PREFIX) -> etree._Element:
    """<record>: the header, and the metadata in the format asked for unless the record is deleted."""
    element = etree.Element(oai("record"))
    append_header(element, repository.identifier(record), record.datestamp, [record.set_spec], record.deleted)
    if not record.deleted and prefix == "oai_ead":
        slug = repository.archive.slug
        metadata = etree.SubElement(element, oai("metadata"))
        metadata.append(ead_element(
            repository.archive, record,
            lambda unit: record_url(repository.host_url, slug, unit.local_id),
            lambda unit, name: file_url(repository.host_url, slug, unit.local_id, name),
        ))
    elif not record.deleted:
        slug = repository.archive.slug
        metadata = etree.SubElement(element, oai("metadata"))
        metadata.append(oai_dc_element(
            record,
            record_url(repository.host_url, slug, record.local_id),
            [file_url(repository.host_url, slug, record.local_id, demo_file.name) for demo_file in record.files],
        ))
    return element


VERB_HANDLERS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
    "GetRecord": get_record,
}
