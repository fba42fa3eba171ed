"""The XML of an OAI-PMH 2.0 response: the envelope, errors, record headers and resumption tokens."""

from __future__ import annotations

from datetime import datetime

from lxml import etree

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_IDENTIFIER_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_IDENTIFIER_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{{{XSI_NS}}}schemaLocation"


def oai(tag: str) -> str:
    """A tag name in the OAI-PMH namespace."""
    return f"{{{OAI_NS}}}{tag}"


def response_root(base_url: str, response_date: datetime, request_attributes: dict[str, str]) -> etree._Element:
    """<OAI-PMH> with <responseDate> and <request>; the caller appends the verb's element or the errors."""
    root = etree.Element(oai("OAI-PMH"), nsmap={None: OAI_NS, "xsi": XSI_NS})
    root.set(SCHEMA_LOCATION, f"{OAI_NS} {OAI_SCHEMA}")
    etree.SubElement(root, oai("responseDate")).text = utc_datestamp(response_date)
    request_element = etree.SubElement(root, oai("request"))
    for name, value in request_attributes.items():
        request_element.set(name, value)
    request_element.text = base_url
    return root


def append_error(root: etree._Element, code: str, message: str) -> None:
    error = etree.SubElement(root, oai("error"), code=code)
    error.text = message


def append_text(parent: etree._Element, tag: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, oai(tag))
    element.text = text
    return element


def append_header(parent: etree._Element, identifier: str, datestamp: str, set_specs: list[str],
                  deleted: bool) -> etree._Element:
    header = etree.SubElement(parent, oai("header"))
    if deleted:
        header.set("status", "deleted")
    append_text(header, "identifier", identifier)
    append_text(header, "datestamp", datestamp)
    for set_spec in set_specs:
        append_text(header, "setSpec", set_spec)
    return header


def append_resumption_token(parent: etree._Element, token: str, complete_list_size: int, cursor: int) -> None:
    """The token of the next page; empty on the last page of a list that was split."""
    element = etree.SubElement(parent, oai("resumptionToken"),
                               completeListSize=str(complete_list_size), cursor=str(cursor))
    element.text = token or None


def oai_identifier_description(repository_domain: str, sample_identifier: str) -> etree._Element:
    """The <oai-identifier> block of Identify: how this repository's identifiers are built."""
    description = etree.Element(f"{{{OAI_IDENTIFIER_NS}}}oai-identifier",
                                nsmap={None: OAI_IDENTIFIER_NS, "xsi": XSI_NS})
    description.set(SCHEMA_LOCATION, f"{OAI_IDENTIFIER_NS} {OAI_IDENTIFIER_SCHEMA}")
    for tag, text in (("scheme", "oai"), ("repositoryIdentifier", repository_domain), ("delimiter", ":"),
                      ("sampleIdentifier", sample_identifier)):
        etree.SubElement(description, f"{{{OAI_IDENTIFIER_NS}}}{tag}").text = text
    return description


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def utc_datestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
