"""The oai_dc metadata of a demo record: the profile the harvester's mapping reads (see OAI_DC_PROFILE.md).

Changing what goes into which element here changes the contract with indexer/mapping/oai_dc.py.
"""

from __future__ import annotations

from lxml import etree

from demo.models import ACCESS_WORDING, FONDS_STATUS_WORDING, DemoRecord
from demo.oai_xml import SCHEMA_LOCATION, XSI_NS

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"
PART_OF_PREFIX = "isPartOf:"
# Labels of a fonds' administrative history (2nd dc:description) and extent (dc:format), as an AtoM-like
# Vietnamese exporter writes them.
ADMIN_HISTORY_LABEL = "Lịch sử đơn vị hình thành phông: "
EXTENT_LABEL = "Khối lượng: "


def oai_dc_element(record: DemoRecord, record_url: str, file_urls: list[str]) -> etree._Element:
    """<oai_dc:dc> for a record, its elements in the profile's order; absent values give no element."""
    dc = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS})
    dc.set(SCHEMA_LOCATION, f"{OAI_DC_NS} {OAI_DC_SCHEMA}")
    for name, value in dc_fields(record, record_url, file_urls):
        etree.SubElement(dc, f"{{{DC_NS}}}{name}").text = value
    return dc


def dc_fields(record: DemoRecord, record_url: str, file_urls: list[str]) -> list[tuple[str, str]]:
    """The (element, value) pairs of the profile, in order, repeated elements repeated."""
    fields = [
        ("title", record.title),
        ("identifier", record.reference_code),
        ("identifier", record_url),
        ("type", record.level),
        ("type", record.doc_type),
        ("type", FONDS_STATUS_WORDING.get(record.fonds_status or "")),
        ("description", record.description),
        ("description", _labelled(ADMIN_HISTORY_LABEL, record.admin_history)),
        ("creator", record.creator),
        ("contributor", record.signer),
        ("date", dc_date(record)),
        ("coverage", record.origin_province_name),
        ("rights", ACCESS_WORDING[record.access]),
        *(("relation", f"{PART_OF_PREFIX}{ancestor}") for ancestor in record.ancestors),
        *(("relation", url) for url in file_urls),
        *(("subject", subject) for subject in record.subjects),
        ("language", record.language),
        *(("format", media_type) for media_type in dict.fromkeys(f.media_type for f in record.files)),
        ("format", _labelled(EXTENT_LABEL, record.extent)),
        ("source", record.doc_number),
    ]
    return [(name, value) for name, value in fields if value]


def _labelled(label: str, value: str | None) -> str | None:
    return f"{label}{value}" if value else None


def dc_date(record: DemoRecord) -> str:
    """One ISO date for an item or a one-day unit, else an ISO 8601 interval "start/end"."""
    if record.level == "item" or record.date_start == record.date_end:
        return record.date_start
    return f"{record.date_start}/{record.date_end}"
